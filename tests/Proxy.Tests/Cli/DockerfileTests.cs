using System.Text.Json;
using System.Text.RegularExpressions;

namespace Chaos.Proxy.Tests.Cli;

/// <summary>
/// The image cannot be built here (no Docker engine), so the commands the Dockerfile runs are checked against the
/// real command line instead: they must parse, and the default must be the Toxiproxy-compatible server.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(CatalogueAndValidateCommandTests.RepositoryRoot(), "Dockerfile"));

    [Fact]
    public void DefaultCommand_IsServeOnEveryInterfaceAtToxiproxysPort()
    {
        var command = ExecForm("CMD");

        Assert.Equal(["serve", "-host", "0.0.0.0", "-port", "8474", "--insecure-public-api"], command);
        Assert.Empty(Chaos.Proxy.Cli.ChaosCommand.Create().Parse(command).Errors);
        Assert.Matches(@"(?m)^EXPOSE 8474$", Dockerfile);
        Assert.Matches(@"(?m)^USER \$APP_UID$", Dockerfile);
    }

    [Fact]
    public void HealthCheck_AsksTheApiForItsVersionWithTheChaosCli()
    {
        var command = ExecForm("CMD", HealthCheck().Match(Dockerfile).Groups["command"].Value.Trim());

        Assert.Equal(["dotnet", "/app/chaos.dll"], command[..2]);
        Assert.Equal(["cli", "--host", "http://127.0.0.1:8474", "version"], command[2..]);
        Assert.Empty(Chaos.Proxy.Cli.ChaosCommand.Create().Parse(command[2..]).Errors);
    }

    private static string[] ExecForm(string instruction, string? text = null)
    {
        var match = Regex.Match(text ?? Dockerfile, $@"(?m)^{instruction} (?<json>\[.*\])\s*$");
        Assert.True(match.Success, $"no {instruction} in exec form");
        return JsonSerializer.Deserialize<string[]>(match.Groups["json"].Value)!;
    }

    [GeneratedRegex(@"HEALTHCHECK [^\n]*\\\n(?<command>[^\n]*)")]
    private static partial Regex HealthCheck();
}
