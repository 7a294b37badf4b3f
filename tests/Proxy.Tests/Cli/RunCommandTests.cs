using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Cli;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Cli;

public sealed class RunCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chaos-cli-").FullName;

    [Fact(Timeout = 60_000)]
    public async Task Run_SigTerm_ClosesConnectionsWithFinAndExitsZero()
    {
        var scenario = Write("web.yaml", """
            proxies:
              - name: web
                listen: 127.0.0.1:0
                upstream: builtin:echo
            """);
        using var chaos = ChaosProcess.Start("run", scenario);
        await chaos.WaitForOutputAsync("web listening on");
        var address = IPEndPoint.Parse(ListenAddressFrom(chaos.Output));
        using var client = await Peers.ConnectAsync(address);
        await Peers.SendAllAsync(client, "hi"u8.ToArray());
        await chaos.WaitForOutputAsync("upstream connected");

        chaos.Terminate();

        Assert.Equal(0, await chaos.WaitForExitAsync());
        Assert.Equal("hi"u8.ToArray(), await Peers.ReadToEndAsync(client));
        Assert.Contains("closed (ProxyStopped)", chaos.Output);
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_PortAlreadyInUse_OneLineAndExitThree()
    {
        using var taken = Peers.Listen();
        var scenario = Write("clash.yaml", $"""
            proxies:
              - name: web
                listen: {taken.LocalEndPoint}
                upstream: builtin:http
            """);
        var error = new StringWriter();

        var exit = await ChaosCommand.InvokeAsync(["run", scenario], new StringWriter(), error);

        Assert.Equal(ExitCodes.RuntimeFailure, exit);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: proxy 'web' cannot listen on {taken.LocalEndPoint}: address already in use", line.TrimEnd());
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_ScenarioDuration_StopsByItselfWithExitZero()
    {
        var scenario = Write("short.yaml", """
            duration: 300ms
            proxies:
              - name: web
                listen: 127.0.0.1:0
                upstream: builtin:http
            """);

        Assert.Equal(ExitCodes.Success, await ChaosCommand.InvokeAsync(["run", scenario], new StringWriter(), new StringWriter()));
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_InvalidScenario_PrintsPositionedErrorsAndExitsTwo()
    {
        var scenario = Write("bad.yaml", """
            proxies:
              - name: web
                listen: 127.0.0.1:99999
                upstream: builtin:http
            """);
        var error = new StringWriter();

        var exit = await ChaosCommand.InvokeAsync(["run", scenario], new StringWriter(), error);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.StartsWith($"{scenario}(3,", error.ToString());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("run")]
    [InlineData("run", "x.yaml", "--log-level", "loud")]
    [InlineData("run", "x.yaml", "--no-such-flag")]
    [InlineData("frobnicate")]
    public async Task Parse_BadArguments_ErrorLinesAndExitTwo(params string[] args)
    {
        var error = new StringWriter();

        var exit = await ChaosCommand.InvokeAsync(args, new StringWriter(), error);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.StartsWith("error: ", error.ToString());
        Assert.DoesNotContain("   at ", error.ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task Version_PrintsVersionAndExitsZero()
    {
        var output = new StringWriter();

        Assert.Equal(0, await ChaosCommand.InvokeAsync(["--version"], output, new StringWriter()));
        Assert.Matches(@"^\d+\.\d+\.\d+", output.ToString());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string ListenAddressFrom(string output)
    {
        var marker = "web listening on ";
        var start = output.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return output[start..output.IndexOf(' ', start)];
    }
}
