namespace Chaos.Scenarios.Tests.Examples;

/// <summary>Every scenario shipped under scenarios/ must validate.</summary>
public sealed class ExampleScenarioTests
{
    public static TheoryData<string> Files => new(ExampleFiles());

    [Theory]
    [MemberData(nameof(Files))]
    public void LoadFile_Example_IsValid(string relativePath)
    {
        var result = ScenarioLoader.LoadFile(RepoPaths.Find(relativePath));

        Assert.True(result.IsValid, string.Join('\n', result.Diagnostics));
    }

    [Fact]
    public void Files_IncludeTheRequiredExamples()
    {
        Assert.Contains(Path.Combine("scenarios", "examples", "toxiproxy-compat.json"), ExampleFiles());
        Assert.Contains(Path.Combine("scenarios", "examples", "reset-before-server.yaml"), ExampleFiles());
    }

    private static IEnumerable<string> ExampleFiles() =>
        Directory.EnumerateFiles(RepoPaths.Find("scenarios"), "*.*", SearchOption.AllDirectories)
            .Where(path => Path.GetExtension(path) is ".yaml" or ".yml" or ".json")
            .Select(path => Path.GetRelativePath(RepoPaths.Root, path))
            .Order(StringComparer.Ordinal);
}
