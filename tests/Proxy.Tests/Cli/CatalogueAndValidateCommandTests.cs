using System.Text.Json;
using Chaos.Proxy.Cli;
using Chaos.Proxy.Tests.Support;
using Chaos.Scenarios;

namespace Chaos.Proxy.Tests.Cli;

public sealed class CatalogueAndValidateCommandTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    [Fact]
    public async Task Validate_AllFilesValid_ExitsZeroAndSummarisesEach()
    {
        var a = _scratch.Write("a.yaml", "proxies:\n  - name: a\n    listen: 127.0.0.1:0\n    upstream: builtin:echo\n");
        var b = _scratch.Write("b.json", """[{"name": "b", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:6379", "enabled": true}]""");
        var (exit, output, error) = await CliRun.InvokeAsync("validate", a, b);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Empty(error);
        Assert.Contains($"{a}: valid (1 proxy, 0 toxics", output);
        Assert.Contains($"{b}: valid (1 proxy", output);
    }

    [Fact]
    public async Task Validate_OneBadFileAmongGood_ReportsEveryProblemAndExitsTwo()
    {
        var good = _scratch.Write("good.yaml", "proxies:\n  - name: a\n    listen: 127.0.0.1:0\n    upstream: builtin:echo\n");
        var bad = _scratch.Write("bad.yaml", "proxies:\n  - name: a\n    listen: 127.0.0.1:70000\n    upstrem: builtin:echo\n");

        var (exit, output, error) = await CliRun.InvokeAsync("validate", good, bad);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains($"{good}: valid", output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 2, error);
        Assert.All(lines, line => Assert.Matches(@"^.+bad\.yaml\(\d+,\d+\): error \S+: ", line));
        Assert.Contains(lines, line => line.Contains("upstream", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_EveryShippedScenario_IsValid()
    {
        var root = RepositoryRoot();
        var files = Directory.EnumerateFiles(Path.Combine(root, "scenarios"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)).ToArray();

        var (exit, _, error) = await CliRun.InvokeAsync(["validate", .. files]);

        Assert.Contains(files, f => f.EndsWith("quickstart.yaml", StringComparison.Ordinal));
        Assert.True(exit == ExitCodes.Success, error);
    }

    [Fact]
    public async Task Toxics_Text_ListsEveryTypeOnce()
    {
        var (exit, output, _) = await CliRun.InvokeAsync("toxics");

        Assert.Equal(ExitCodes.Success, exit);
        Assert.All(ToxicCatalogue.Names, name => Assert.Contains(name, output));
    }

    [Fact]
    public async Task Toxics_Json_ParsesAndNamesEveryType()
    {
        var (exit, output, _) = await CliRun.InvokeAsync("toxics", "--json");

        Assert.Equal(ExitCodes.Success, exit);
        var text = JsonDocument.Parse(output).RootElement.ToString();
        Assert.All(ToxicCatalogue.Names, name => Assert.Contains($"\"{name}\"", text));
    }

    [Fact]
    public async Task Schema_PrintsDraft202012Schema()
    {
        var (exit, output, _) = await CliRun.InvokeAsync("schema");

        Assert.Equal(ExitCodes.Success, exit);
        using var schema = JsonDocument.Parse(output);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.RootElement.GetProperty("$schema").GetString());
    }

    public void Dispose() => _scratch.Dispose();

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Chaos.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Chaos.sln not found above the test directory");
    }
}
