using SegAlign.Platform;
using SegAlign.Experiments;
using SegAlign.Reports;

namespace SegAlign.Tests.Reliability;

/// <summary>A name is never a path: nothing is read from outside experiments/ nor written outside the results folder.</summary>
public class PathsAndNamesTests
{
    [Theory]
    [InlineData("../../tmp/x")]
    [InlineData("..")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/sfnet")]
    [InlineData("a\\b")]
    public void An_experiment_name_that_is_a_path_is_refused(string name)
    {
        var error = Assert.Throws<InputException>(() => ExperimentDefinition.Load(name));
        Assert.Contains("not a plain name", error.Message);
    }

    [Fact]
    public void A_report_for_a_path_like_name_writes_nothing_outside_the_results()
    {
        var results = Directory.CreateTempSubdirectory("segalign-results-");
        var store = new ResultsStore(Path.Combine(results.FullName, "a", "b", "smoke"));
        var error = Assert.Throws<InputException>(() => ExperimentReport.Write("../../../x", "smoke", store));
        Assert.Contains("not a plain name", error.Message);
        Assert.DoesNotContain(Directory.EnumerateFiles(results.FullName, "*", SearchOption.AllDirectories), p => !p.StartsWith(store.Root, StringComparison.Ordinal));
        Assert.Throws<InputException>(() => store.ExperimentFolder("../x"));
    }

    [Fact]
    public void Output_paths_are_contained_by_one_helper()
    {
        string root = Directory.CreateTempSubdirectory("segalign-root-").FullName;
        Assert.Equal(Path.Combine(root, "runs", "abc-s0"), SafePaths.Under(root, "runs", "abc-s0"));
        Assert.Throws<InputException>(() => SafePaths.Under(root, "..", "elsewhere"));
        Assert.Throws<InputException>(() => SafePaths.Under(root, "/tmp"));
        Assert.False(SafePaths.IsInside(root, root + "-sibling"));
    }

    [Fact]
    public void The_name_inside_an_experiment_file_must_match_its_file_name()
    {
        using var repository = new TempRepository();
        repository.WriteExperiment("copy.json", repository.Edited("ifa", "\"name\": \"ifa\"", "\"name\": \"sfnet\""));
        var error = Assert.Throws<InputException>(() => ExperimentDefinition.Load("copy"));
        Assert.Contains("copy.json", error.Message);
        Assert.Contains("'sfnet'", error.Message);

        repository.WriteExperiment("escape.json", repository.Edited("ifa", "\"name\": \"ifa\"", "\"name\": \"../../../x\""));
        error = Assert.Throws<InputException>(() => ExperimentDefinition.Load("escape"));
        Assert.Contains("escape.json", error.Message);
    }

    [Fact]
    public void Shared_paths_are_relative_to_the_repository_and_never_absolute_outside_it()
    {
        string inside = Path.Combine(Presets.RepositoryRoot, "results", "full");
        Assert.Equal("results/full", SafePaths.Shown(inside));
        string outside = Path.Combine(Path.GetTempPath(), "someone", "results", "full");
        string shown = SafePaths.Shown(outside);
        Assert.DoesNotContain(Path.GetTempPath().TrimEnd('/'), shown);
        Assert.EndsWith("results/full", shown);
        Assert.Equal("…/segalign-results", SafePaths.Shown(Path.Combine(Path.GetTempPath(), "segalign-results")));   // not …/tmp/…
    }
}
