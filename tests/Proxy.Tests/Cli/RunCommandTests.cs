using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Cli;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Cli;

public sealed class RunCommandTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    [Fact(Timeout = 60_000)]
    public async Task Run_SigTerm_ClosesConnectionsWithFinAndExitsZero()
    {
        var scenario = _scratch.Write("web.yaml", """
            proxies:
              - name: web
                listen: 127.0.0.1:0
                upstream: builtin:echo
            """);
        var (chaos, address) = await StartWebAsync("run", scenario);
        using var _ = chaos;
        using var client = await Peers.ConnectAsync(address);
        await Peers.SendAllAsync(client, "hi"u8.ToArray());
        await chaos.WaitForOutputAsync("upstream connected");

        chaos.Terminate();

        Assert.Equal(0, await chaos.WaitForExitAsync());
        Assert.Equal("hi"u8.ToArray(), await Peers.ReadToEndAsync(client));
        Assert.Contains("closed (ProxyStopped)", chaos.Output);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_WatchAndEdit_AppliesValidEditsKeepsLiveConnectionsAndRejectsBadOnes()
    {
        var scenario = _scratch.Write("watched.yaml", """
            proxies:
              - name: web
                listen: 127.0.0.1:0
                upstream: builtin:echo
            """);
        var (chaos, address) = await StartWebAsync("run", scenario, "--watch");
        using var _ = chaos;
        using var live = await Peers.ConnectAsync(address);

        File.WriteAllText(scenario, $"""
            proxies:
              - name: web
                listen: {address}
                upstream: builtin:http
              - name: extra
                listen: 127.0.0.1:0
                upstream: builtin:echo
            """);
        await chaos.WaitForOutputAsync("extra listening on");
        using var http = new HttpClient();
        Assert.StartsWith("builtin:http connection 1", await http.GetStringAsync($"http://{address}/"));
        await Peers.SendAllAsync(live, "echo"u8.ToArray());
        var echoed = new byte[4];
        Assert.Equal(4, await live.ReceiveAsync(echoed, SocketFlags.None));

        File.WriteAllText(scenario, "proxies:\n  - name: web\n    listen: nowhere\n");
        await chaos.WaitForOutputAsync("not reloaded, the last good scenario stays");
        using var freshClient = new HttpClient();
        Assert.StartsWith("builtin:http connection 2", await freshClient.GetStringAsync($"http://{address}/"));

        chaos.Terminate();
        Assert.Equal(0, await chaos.WaitForExitAsync());
        Assert.Contains("watched.yaml(3,13): error CHAOS201", chaos.Error);
        Assert.DoesNotContain("CHAOS004", chaos.Error); // a save caught halfway is not reported
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_DurationEndsRunWithExpectations_SummaryJudgesThem()
    {
        var scenario = _scratch.Write("judged.yaml", """
            duration: 300ms
            proxies:
              - name: web
                listen: 127.0.0.1:0
                upstream: builtin:http
            expect:
              - connections.total == 0
              - client.max_retry_interval < 1s
            """);
        var output = new StringWriter();

        var exit = await ChaosCommand.InvokeAsync(["run", scenario], output, new StringWriter());

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("web: 0 connections, 0 faulted", output.ToString());
        Assert.Contains("pass  connections.total == 0  (observed 0)", output.ToString());
        Assert.Contains("FAIL  client.max_retry_interval < 1s  (observed no value)", output.ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task Run_PortAlreadyInUse_OneLineAndExitThree()
    {
        using var taken = Peers.Listen();
        var scenario = _scratch.Write("clash.yaml", $"""
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
        var scenario = _scratch.Write("short.yaml", """
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
        var scenario = _scratch.Write("bad.yaml", """
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

    public void Dispose() => _scratch.Dispose();

    /// <summary>Starts the real executable and waits until its proxy named 'web' listens; returns its address.</summary>
    private static async Task<(ChaosProcess Chaos, IPEndPoint Address)> StartWebAsync(params string[] args)
    {
        var chaos = ChaosProcess.Start(args);
        const string marker = "web listening on ";
        await chaos.WaitForOutputAsync(marker);
        var output = chaos.Output;
        var start = output.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return (chaos, IPEndPoint.Parse(output[start..output.IndexOf(' ', start)]));
    }
}
