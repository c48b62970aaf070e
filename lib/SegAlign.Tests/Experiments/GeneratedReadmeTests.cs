using SegAlign.Experiments;
using SegAlign.Tests.Notebooks;

namespace SegAlign.Tests.Experiments;

/// <summary>The README's headline claims table is generated (by `ablation collect`), never copied by hand.</summary>
public class GeneratedReadmeTests
{
    static string Root => NotebookFolder.RepositoryRoot;

    [Fact]
    public void The_readme_claims_block_is_the_committed_claims_page_of_the_full_preset()
    {
        string readme = Path.Combine(Root, "README.md");
        string? block = ClaimsPage.ReadmeBlock(readme, "full");
        Assert.NotNull(block);
        string page = Path.Combine(Root, "results", "full", ClaimsPage.FileName);
        if (File.Exists(page))
        {
            string generated = File.ReadAllText(page);
            Assert.Equal(generated[(generated.IndexOf('\n') + 1)..].Trim(), block);
        }
        else Assert.Contains("in progress", block);
    }
}
