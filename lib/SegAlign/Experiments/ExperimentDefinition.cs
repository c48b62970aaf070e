using SegAlign.Platform;
using System.Text.Json;
using System.Text.Json.Nodes;
using SegAlign.Config;

namespace SegAlign.Experiments;

/// <summary>A variant: a name and its differences from the preset's baseline (dotted config paths).</summary>
public sealed record VariantDefinition
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public Dictionary<string, JsonNode?> Set { get; init; } = new();
    /// <summary>
    /// The presets this variant is planned at (null: wherever its experiment is), and why — e.g. a diagnosis added
    /// after a preset's results were committed, kept off that preset so its results stay complete.
    /// </summary>
    public PresetRestriction? RunsAt { get; init; }
    /// <summary>Per-preset differences of this variant alone (applied after <see cref="Set"/>), e.g. a setting that protocol v3
    /// changes without re-keying the committed runs of earlier presets.</summary>
    public Dictionary<string, Dictionary<string, JsonNode?>> Presets { get; init; } = new();

    public bool IsDefinedAt(string preset) => RunsAt is null || RunsAt.Presets.Contains(preset);
}

/// <summary>An experiment that exists only at some presets, and the reason.</summary>
public sealed record PresetRestriction
{
    public required string[] Presets { get; init; }
    public required string Reason { get; init; }
}

/// <summary>What the paper claims about a pair of variants, and which way our numbers must move to agree.</summary>
public sealed record ClaimDefinition
{
    public required string Variant { get; init; }
    public required string Versus { get; init; }
    /// <summary>Metric column: miou, boundaryF, trimap1 … or gmacs.</summary>
    public string Metric { get; init; } = "miou";
    /// <summary>"higher", "lower" or "similar" (|Δ| within <see cref="Tolerance"/>).</summary>
    public string Direction { get; init; } = "higher";
    public double Tolerance { get; init; } = 0.5;
    /// <summary>For "similar": <see cref="Tolerance"/> is a fraction of the versus arm's value (0.02 = within 2 %), not an absolute difference.</summary>
    public bool Relative { get; init; }
    /// <summary>The paper's own words and numbers (with where they come from).</summary>
    public required string Paper { get; init; }
    /// <summary>What the mechanism needs to act at all; a run outside it is not evidence either way.</summary>
    public ClaimSetting? Setting { get; init; }
    /// <summary>The paper's own ablation rows for this comparison, where they could be found (printed beside ours).</summary>
    public PaperResult? PaperResult { get; init; }

    /// <summary>Cost metrics are the same for every seed: compared exactly, never tested.</summary>
    public static bool IsDeterministic(string metric) => metric is "gmacs";

    /// <summary>Whether the claim is about boundaries or alignment (judged on class-agnostic edges) rather than accuracy or cost.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public bool IsAlignmentClaim => Metric is "edgeF1" or "edgeF2" or "foregroundIoU" or "namedItemIoU" or "namedItemBoundaryF";
}

/// <summary>A comparison we add to a paper's (a control, a diagnosis): reported with its intervals, never in a Holm
/// family, never with a verdict word.</summary>
public sealed record DiagnosticDefinition
{
    public required string Variant { get; init; }
    public required string Versus { get; init; }
    public string Metric { get; init; } = "miou";
    /// <summary>What the comparison tells a reader.</summary>
    public required string Why { get; init; }
}

/// <summary>A paper's own result for a claim, printed beside ours so a reader compares magnitudes: its Δ, and both arms
/// where the paper prints them.</summary>
public sealed record PaperResult
{
    /// <summary>The dataset (and split) the paper measured on, as far as the source says.</summary>
    public required string Dataset { get; init; }
    /// <summary>The paper's variant − versus, in the claim's metric as the paper prints it (mIoU points, or a fraction for costs).</summary>
    public required double Delta { get; init; }
    public double? Versus { get; init; }
    public double? Variant { get; init; }
    /// <summary>What <see cref="Delta"/> counts (e.g. "mIoU points", "% multiply-adds").</summary>
    public string Unit { get; init; } = "mIoU points";
    /// <summary>Where it was read: the paper (arXiv id, section or table) and the address.</summary>
    public required string Source { get; init; }
}

/// <summary>
/// A premise of a claim that the runs themselves measure, e.g. HFGD's "fine-tuning disturbs powerful pretrained features":
/// the premise is unmet when <see cref="Variant"/> beats <see cref="Versus"/> decidedly (95 % interval above 0) in mIoU.
/// </summary>
public sealed record MeasuredPremise
{
    public required string Variant { get; init; }
    public required string Versus { get; init; }
    public required string Reason { get; init; }
}

/// <summary>
/// The conditions under which a paper's mechanism can act (e.g. pooling bins that do not up-sample the map,
/// relation windows smaller than the map, a backbone whose high-level features are already good). A claim
/// tested outside them is reported as "outside the method's setting", with <see cref="Reason"/>.
/// </summary>
public sealed record ClaimSetting
{
    /// <summary>Smallest input side in pixels (FashionScenes size or crop) at which the mechanism is not degenerate.</summary>
    public int? MinInputSize { get; init; }
    /// <summary>The claim presupposes a pretrained backbone (<c>model.backboneWeights</c> set).</summary>
    public bool PretrainedBackbone { get; init; }
    /// <summary>The claim presupposes context modules sized to the map (<c>model.contextInputSize</c> set): the papers'
    /// windows and rates on a small map are degenerate.</summary>
    public bool ScaledContext { get; init; }
    /// <summary>A premise measured by two of the experiment's variants (see <see cref="MeasuredPremise"/>).</summary>
    public MeasuredPremise? Premise { get; init; }
    /// <summary>Why, in the paper's terms.</summary>
    public required string Reason { get; init; }

    /// <summary>The reason and what the runs did instead, or null when every run is inside the setting.</summary>
    public string? Violation(IEnumerable<RunConfig> configs)
    {
        var missed = new List<string>();
        foreach (var config in configs)
        {
            int? input = config.Data.CropSize ?? (config.Data.Dataset == "fashion-scenes" ? config.Data.FashionScenes.Size : null);
            if (MinInputSize is int min && input is int size && size < min) missed.Add($"{size} px input, needs ≥ {min}");
            if (PretrainedBackbone && config.Model.BackboneWeights is null) missed.Add("backbone trained from scratch");
            if (ScaledContext && config.Model.ContextInputSize is null) missed.Add("context modules at the paper's sizes (model.contextInputSize unset)");
        }
        return missed.Count == 0 ? null : $"{Reason}; here: {string.Join(", ", missed.Distinct())}";
    }
}

/// <summary>
/// One paper's ablation, as written in experiments/&lt;name&gt;.json: its variants as differences from the shared
/// baseline, its seeds, per-preset adjustments, and the paper's claims.
/// </summary>
public sealed record ExperimentDefinition
{
    public required string Name { get; init; }
    public required string Title { get; init; }
    public string Paper { get; init; } = "";
    public string Code { get; init; } = "";
    public string Question { get; init; } = "";
    public required int[] Seeds { get; init; }
    /// <summary>The variant every other is compared with.</summary>
    public required string Baseline { get; init; }
    public required List<VariantDefinition> Variants { get; init; }
    /// <summary>Per-preset changes applied to every variant (e.g. the paper preset's dataset and schedule).</summary>
    public Dictionary<string, Dictionary<string, JsonNode?>> Presets { get; init; } = new();
    /// <summary>The paper's claims, and only those: together they are the paper's Holm family, fixed before the runs
    /// (pre-registered: <see cref="ClaimRegistry"/>).</summary>
    public List<ClaimDefinition> Claims { get; init; } = [];
    /// <summary>Comparisons we add (controls, diagnoses): reported with intervals, never in the family, never a verdict.</summary>
    public List<DiagnosticDefinition> Diagnostics { get; init; } = [];
    /// <summary>Seeds of a variant that is no arm of any claim (the first N of <see cref="Seeds"/>; null = all).</summary>
    public int? DiagnosticSeeds { get; init; }
    /// <summary>The presets this experiment is defined at (null: every preset), and why (e.g. a pretrained backbone of the preset's width).</summary>
    public PresetRestriction? RunsAt { get; init; }

    /// <summary>No official code exists: our decoder is a reconstruction from the paper, so verdicts say "reproduced (or not)
    /// by our reconstruction", never that the paper is right or wrong.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public bool Reconstruction => Code.StartsWith("none published", StringComparison.Ordinal);

    public static IReadOnlyList<string> Available() =>
        Directory.EnumerateFiles(Experiments.Presets.ExperimentsFolder, "*.json")
            .Select(Path.GetFileNameWithoutExtension).Where(n => n != "baseline").OrderBy(n => n).ToList()!;

    /// <summary>The experiments defined at <paramref name="preset"/> (what `all` means there); a file that does not load is kept, so its error is reported.</summary>
    public static IReadOnlyList<string> Available(string preset) =>
        [.. Available().Where(name =>
        {
            try { return Load(name).IsDefinedAt(preset); }
            catch (InputException) { return true; }
        })];

    public bool IsDefinedAt(string preset) => RunsAt is null || RunsAt.Presets.Contains(preset);

    /// <summary>The variants planned at <paramref name="preset"/> (what the experiment runs there when none are chosen).</summary>
    public IReadOnlyList<VariantDefinition> VariantsAt(string preset) => [.. Variants.Where(v => v.IsDefinedAt(preset))];

    /// <summary>Whether a variant is an arm of one of the paper's claims (or of a claim's measured premise): those get every seed.</summary>
    public bool IsClaimArm(string variant) =>
        Claims.Any(c => c.Variant == variant || c.Versus == variant || c.Setting?.Premise is { } p && (p.Variant == variant || p.Versus == variant));

    public static ExperimentDefinition Load(string name)
    {
        SafePaths.PlainName(name, "experiment", $"use one of: {string.Join(", ", Available())}");
        string file = SafePaths.Under(Experiments.Presets.ExperimentsFolder, name + ".json");
        if (!File.Exists(file))
            throw new InputException("experiment", $"unknown experiment '{name}'", $"use one of: {string.Join(", ", Available())}");
        ExperimentDefinition definition;
        try
        {
            definition = JsonSerializer.Deserialize<ExperimentDefinition>(File.ReadAllText(file), Json.StrictOptions)
                         ?? throw new InputException(file, "is empty", "restore it from the repository");
        }
        catch (JsonException e)
        {
            throw new InputException(file, $"is not a valid experiment definition ({e.Message})", "compare it with experiments/sfnet.json");
        }
        // The name keys the results folder: a copied file that kept another experiment's name would write into its folder.
        if (definition.Name != name)
            throw new InputException($"{file}: name", $"is '{definition.Name}' but the file is {name}.json", $"set \"name\": \"{name}\" (or rename the file to {SafePaths.PlainName(definition.Name, $"{file}: name", $"set \"name\": \"{name}\"")}.json)");
        definition.Validate(file);
        return definition;
    }

    public VariantDefinition Variant(string name) =>
        Variants.FirstOrDefault(v => v.Name == name)
        ?? throw new InputException("variants", $"experiment {Name} has no variant '{name}'", $"use one of: {string.Join(", ", Variants.Select(v => v.Name))}");

    /// <summary>The metric columns a claim can name (the summary's trimap key is the width without "px").</summary>
    public static bool IsKnownMetric(string metric) =>
        metric is "miou" or "boundaryF" or "gmacs" || Evaluation.AlignmentResult.Names.Contains(metric)
        || System.Text.RegularExpressions.Regex.IsMatch(metric, "^trimap[0-9]+(px)?$");

    const string MetricList = "miou, boundaryF, gmacs, trimapN (N = a trimap width in pixels, e.g. trimap1), edgeF1, edgeF2, foregroundIoU, misnamedShare, namedItemShare, namedItemIoU or namedItemBoundaryF";

    /// <summary>The width of a trimapN metric that training does not evaluate (runs measure the default widths), else null.</summary>
    static int? UnmeasuredTrimapWidth(string metric)
    {
        var match = System.Text.RegularExpressions.Regex.Match(metric, "^trimap([0-9]+)(px)?$");
        if (!match.Success) return null;
        int width = int.TryParse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture, out var w) ? w : -1;
        return new Evaluation.BoundaryOptions().TrimapWidths.Contains(width) ? null : width;
    }

    void Validate(string file)
    {
        if (Seeds.Length < 1 || Seeds.Distinct().Count() != Seeds.Length)
            throw new InputException($"{file}: seeds", "must list distinct seeds", "e.g. [0, 1, 2]");
        var names = Variants.Select(v => v.Name).ToList();
        if (names.Count == 0) throw new InputException($"{file}: variants", "is empty", "add the baseline and at least one variant");
        // A variant name becomes a table row and a file name, as an experiment name does: the same rule.
        foreach (var name in names) SafePaths.PlainName(name, $"{file}: variants", "name each variant with letters, digits, '-', '_' or '.'");
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InputException($"{file}: variants", $"'{duplicate.Key}' appears twice", "give every variant a unique name");
        if (!names.Contains(Baseline)) throw new InputException($"{file}: baseline", $"'{Baseline}' is not one of the variants", $"use one of: {string.Join(", ", names)}");
        foreach (var claim in Claims)
        {
            foreach (var v in new[] { claim.Variant, claim.Versus })
                if (!names.Contains(v)) throw new InputException($"{file}: claims", $"refers to unknown variant '{v}'", $"use one of: {string.Join(", ", names)}");
            if (!IsKnownMetric(claim.Metric))
                throw new InputException($"{file}: claims", $"metric '{claim.Metric}' of the claim {claim.Variant} vs {claim.Versus} is not known", $"use {MetricList}");
            if (UnmeasuredTrimapWidth(claim.Metric) is int width)
                throw new InputException($"{file}: claims", $"metric '{claim.Metric}' of the claim {claim.Variant} vs {claim.Versus} is a trimap width ({width} px) that runs do not measure",
                    $"use one of: {string.Join(", ", new Evaluation.BoundaryOptions().TrimapWidths.Select(w => $"trimap{w}"))}");
            if (claim.Setting is { } setting && (setting.Reason.Trim().Length == 0 || setting.MinInputSize is < 1
                                                 || setting.MinInputSize is null && !setting.PretrainedBackbone && !setting.ScaledContext && setting.Premise is null))
                throw new InputException($"{file}: claims", $"the setting of claim {claim.Variant} vs {claim.Versus} needs a reason and minInputSize ≥ 1, pretrainedBackbone, scaledContext or a premise", "see experiments/hfgd.json");
            if (claim.Setting?.Premise is { } premise)
                foreach (var v in new[] { premise.Variant, premise.Versus })
                    if (!names.Contains(v)) throw new InputException($"{file}: claims", $"the premise of claim {claim.Variant} vs {claim.Versus} refers to unknown variant '{v}'", $"use one of: {string.Join(", ", names)}");
            if (claim.Direction is not ("higher" or "lower" or "similar"))
                throw new InputException($"{file}: claims", $"direction '{claim.Direction}' is not higher, lower or similar", "fix the claim");
        }
        foreach (var diagnostic in Diagnostics)
        {
            foreach (var v in new[] { diagnostic.Variant, diagnostic.Versus })
                if (!names.Contains(v)) throw new InputException($"{file}: diagnostics", $"refers to unknown variant '{v}'", $"use one of: {string.Join(", ", names)}");
            if (!IsKnownMetric(diagnostic.Metric))
                throw new InputException($"{file}: diagnostics", $"metric '{diagnostic.Metric}' of {diagnostic.Variant} vs {diagnostic.Versus} is not known", $"use {MetricList}");
        }
        if (DiagnosticSeeds is < 2 || DiagnosticSeeds > Seeds.Length)
            throw new InputException($"{file}: diagnosticSeeds", $"must be between 2 and the number of seeds ({Seeds.Length}), got {DiagnosticSeeds}", "use e.g. 3");
        if (RunsAt is { } restriction && (restriction.Presets.Length == 0 || restriction.Reason.Trim().Length == 0))
            throw new InputException($"{file}: runsAt", "needs at least one preset and a reason", "e.g. { \"presets\": [\"full\"], \"reason\": \"…\" }");
        foreach (var preset in Presets.Keys.Concat(RunsAt?.Presets ?? []))
            if (!Experiments.Presets.Names.Contains(preset))
                throw new InputException($"{file}: presets", $"unknown preset '{preset}'", $"use one of: {string.Join(", ", Experiments.Presets.Names)}");
        foreach (var variant in Variants)
            foreach (var preset in variant.Presets.Keys)
                if (!Experiments.Presets.Names.Contains(preset))
                    throw new InputException($"{file}: variant {variant.Name}: presets", $"unknown preset '{preset}'", $"use one of: {string.Join(", ", Experiments.Presets.Names)}");
        foreach (var variant in Variants.Where(v => v.RunsAt is not null))
        {
            var (presets, reason) = (variant.RunsAt!.Presets, variant.RunsAt.Reason);
            string where = $"{file}: variant {variant.Name}: runsAt";
            if (presets.Length == 0 || reason.Trim().Length == 0)
                throw new InputException(where, "needs at least one preset and a reason", "e.g. { \"presets\": [\"full\"], \"reason\": \"…\" }");
            if (variant.Name == Baseline)
                throw new InputException(where, $"restricts the baseline '{Baseline}', which every other variant is compared with at every preset", "drop runsAt from the baseline, or choose another baseline");
            foreach (var preset in presets)
            {
                if (!Experiments.Presets.Names.Contains(preset))
                    throw new InputException(where, $"unknown preset '{preset}'", $"use one of: {string.Join(", ", Experiments.Presets.Names)}");
                if (!IsDefinedAt(preset))
                    throw new InputException(where, $"names preset '{preset}', where the experiment itself is not defined", $"use one of: {string.Join(", ", RunsAt!.Presets)}");
            }
        }
    }
}
