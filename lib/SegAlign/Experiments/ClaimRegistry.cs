using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SegAlign.Experiments;

/// <summary>
/// Pre-registration of a paper's claims: before the first run of an experiment trains at a preset, its claims (the Holm
/// family) are hashed and written to results/&lt;preset&gt;/&lt;experiment&gt;/claims.json with the time and the commit.
/// The first registration stands; a summary whose experiment file now holds other claims says so in its first line, so a
/// family cannot quietly change after the runs are seen. Diagnostics are not registered: adding one changes no claim.
/// </summary>
public static class ClaimRegistry
{
    public const string FileName = "claims.json";

    /// <summary>SHA-256 (first 12 hex digits) of the claims in canonical JSON, in file order.</summary>
    public static string Hash(ExperimentDefinition experiment)
    {
        var node = JsonSerializer.SerializeToNode(experiment.Claims, Json.Options);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Json.Canonical(node))))[..12];
    }

    static string FileOf(ResultsStore store, ExperimentDefinition experiment) => Path.Combine(store.ExperimentFolder(experiment.Name), FileName);

    /// <summary>Records the claims unless a registration exists; returns the registration in force.</summary>
    public static Registration Register(ResultsStore store, ExperimentDefinition experiment, string commit, DateTimeOffset now)
    {
        if (Read(store, experiment) is { } existing) return existing;
        var registration = new Registration(Hash(experiment), now.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), commit);
        var node = new JsonObject
        {
            ["claimsHash"] = registration.ClaimsHash,
            ["registered"] = registration.Registered,
            ["commit"] = registration.Commit,
            ["claims"] = JsonSerializer.SerializeToNode(experiment.Claims, Json.Options),
        };
        AtomicFile.WriteAllText(FileOf(store, experiment), node.ToJsonString(Json.Options));
        return registration;
    }

    /// <summary>The registration on disk, or null when the experiment has none at this store.</summary>
    public static Registration? Read(ResultsStore store, ExperimentDefinition experiment)
    {
        string file = FileOf(store, experiment);
        if (!File.Exists(file)) return null;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(file))!;
            return new Registration(node["claimsHash"]!.GetValue<string>(), node["registered"]!.GetValue<string>(), node["commit"]?.GetValue<string>() ?? "unknown");
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException)
        {
            throw new InputException(file, "is not a readable claims registration", "restore it from the repository; never rewrite it by hand");
        }
    }

    /// <summary>Null when the experiment's claims are the registered ones (or none are registered); else the line a summary leads with.</summary>
    public static string? Changed(ResultsStore store, ExperimentDefinition experiment)
    {
        if (Read(store, experiment) is not { } registered) return null;
        string now = Hash(experiment);
        return now == registered.ClaimsHash ? null
            : $"The claims of experiments/{experiment.Name}.json changed after its runs started: registered {registered.ClaimsHash} on {registered.Registered} " +
              $"(commit {registered.Commit}), now {now}. The verdicts below test the changed family; compare with {FileName}.";
    }

    public sealed record Registration(string ClaimsHash, string Registered, string Commit);
}
