namespace Chaos.Scenarios.Tests.Catalogue;

/// <summary>The README's toxic table is generated from the catalogue; this test fails when they disagree.</summary>
public sealed class ReadmeToxicTableTests
{
    private const string Begin = "<!-- toxics:begin -->";
    private const string End = "<!-- toxics:end -->";
    private const string Regenerate = "run `CHAOS_REGEN_README=1 dotnet test tests/Scenarios.Tests` to rewrite the section from the catalogue";

    [Fact]
    public void Readme_ToxicTable_MatchesCatalogue()
    {
        var path = RepoPaths.Find("README.md");
        Assert.True(File.Exists(path), $"{path} is missing");
        var readme = File.ReadAllText(path);
        var begin = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin,
            $"README.md has no '{Begin}' ... '{End}' section; add the two markers on their own lines where the toxic table goes, then {Regenerate}");

        var expected = "\n" + ToxicCatalogue.RenderMarkdownTable();
        var actual = readme[(begin + Begin.Length)..end].ReplaceLineEndings("\n");
        if (actual != expected && Environment.GetEnvironmentVariable("CHAOS_REGEN_README") == "1")
        {
            File.WriteAllText(path, readme[..(begin + Begin.Length)] + expected + readme[end..]);
            return;
        }

        Assert.True(actual == expected, $"README.md's toxic table differs from ToxicCatalogue.RenderMarkdownTable(); {Regenerate}");
    }
}
