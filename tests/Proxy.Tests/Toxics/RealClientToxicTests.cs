using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;
using Chaos.Scenarios;
using Xunit.Abstractions;

namespace Chaos.Proxy.Tests.Toxics;

/// <summary>
/// Real client programs (curl, redis-cli; installed by .ci/run) through real proxies on loopback: each toxic
/// is judged by what the program itself reports, its exit code, message and timing.
/// </summary>
/// <remarks>
/// Upper time bounds are loose on purpose: besides a busy machine, spawning a child from the test host stalls
/// its thread pool for up to ~0.8 s (measured; a plain console app does not), so the in-process proxy's timers
/// can fire that late. Lower bounds are exact.
/// </remarks>
public sealed class RealClientToxicTests(ITestOutputHelper log)
{
    // curl's exit codes (man curl, EXIT CODES).
    private const int CurlCouldNotConnect = 7;
    private const int CurlTimedOut = 28;
    private const int CurlReceiveError = 56;

    [Fact(Timeout = 30_000)]
    public async Task Curl_AcceptReset_ExitsWithReceiveError()
    {
        // Without a delay the RST can beat curl's own check of its connect, which then says 7 (1 run in 200 under
        // load); 100 ms lets the request go out, so the RST always meets curl's read.
        await using var proxies = await StartAsync("{type: accept_reset, attributes: {delay: 100}}");

        var curl = await CurlAsync(proxies["web"]);

        Assert.True(curl.ExitCode == CurlReceiveError, curl.ToString());
        Assert.Contains("Connection reset by peer", curl.Error);
    }

    [Fact(Timeout = 30_000)]
    public async Task Curl_Refuse_ExitsCouldNotConnectAtOnce()
    {
        await using var proxies = await StartAsync("{type: refuse}");
        await WaitForListenToxicAsync(proxies);

        var curl = await CurlAsync(proxies["web"]);

        Assert.True(curl.ExitCode == CurlCouldNotConnect, curl.ToString());
        Assert.EndsWith("Couldn't connect to server", curl.Error);
        Assert.True(curl.Seconds < 1, curl.ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task Curl_SynDrop_TimesOutConnecting()
    {
        await using var proxies = await StartAsync("{type: syn_drop}");
        await WaitForListenToxicAsync(proxies);

        var curl = await CurlAsync(proxies["web"], "--connect-timeout", "2");

        Assert.True(curl.ExitCode == CurlTimedOut, curl.ToString());
        Assert.EndsWith("Timeout was reached", curl.Error);
        Assert.True(curl.Seconds >= 1.8, curl.ToString());
        Assert.Empty(proxies.Events.OfType<ConnectionAccepted>());
    }

    [Fact(Timeout = 30_000)]
    public async Task Curl_SynDropReleasedAfter1500Ms_ConnectsOnASynRetransmit()
    {
        await using var proxies = await StartAsync("{type: syn_drop, attributes: {release_after: 1500}}");
        await WaitForListenToxicAsync(proxies);

        var curl = await CurlAsync(proxies["web"], "--connect-timeout", "10");

        Assert.True(curl.ExitCode == 0, curl.ToString());
        Assert.Equal("builtin:http connection 1, request 1: GET /\n", curl.Body);
        // SYN retransmits come 1 s apart on this kernel (1, 2, 3 s): about 2 s when curl starts right after the
        // plug. A slow start on a busy machine can move it to the 1 s retransmit, never to the first SYN.
        Assert.True(curl.Seconds is >= 0.9 and < 8, curl.ToString());
        var released = await proxies.Events.WaitForAsync<ToxicReleased>();
        var accepted = await proxies.Events.WaitForAsync<ConnectionAccepted>();
        Assert.True(accepted.Time >= released.Time, $"accepted at {accepted.Time:O}, plug pulled at {released.Time:O}");
    }

    [Fact(Timeout = 30_000)]
    public async Task Curl_ConnectDelay500Ms_SucceedsAtLeastThatLate()
    {
        await using var proxies = await StartAsync("{type: connect_delay, attributes: {delay: 500}}");

        var curl = await CurlAsync(proxies["web"]);

        Assert.True(curl.ExitCode == 0, curl.ToString());
        Assert.True(curl.Seconds is >= 0.45 and < 5, curl.ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task Curl_DownstreamLatency300Ms_SucceedsAtLeastThatLateWhileNoToxicIsFast()
    {
        await using var proxies = await StartAsync(
            ("plain", "builtin:http", ""),
            ("slow", "builtin:http", "{type: latency, attributes: {latency: 300}}"));

        var plain = await CurlAsync(proxies["plain"]);
        var slow = await CurlAsync(proxies["slow"]);

        Assert.True(plain.ExitCode == 0 && slow.ExitCode == 0, $"plain: {plain}; slow: {slow}");
        Assert.Equal(plain.Body, slow.Body);
        Assert.True(slow.Seconds is >= 0.28 and < 5, slow.ToString());
        Assert.True(plain.Seconds < 0.25, plain.ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task RedisCli_DownstreamLatency200Ms_GetsPongThatLate()
    {
        using var redis = await RedisServer.StartAsync();
        await using var proxies = await StartAsync(
            ("plain", $"127.0.0.1:{redis.Port}", ""),
            ("slow", $"127.0.0.1:{redis.Port}", "{type: latency, attributes: {latency: 200}}"));

        var (plain, plainTook) = await TimedAsync(() => RedisCliAsync(proxies["plain"], "PING"));
        var (slow, slowTook) = await TimedAsync(() => RedisCliAsync(proxies["slow"], "PING"));

        Assert.True(plain.ExitCode == 0 && slow.ExitCode == 0, $"plain: {plain}; slow: {slow}");
        Assert.Equal("PONG\n", plain.Output);
        Assert.Equal("PONG\n", slow.Output);
        Assert.True(slowTook >= TimeSpan.FromMilliseconds(180), $"{slowTook.TotalMilliseconds} ms (no toxic: {plainTook.TotalMilliseconds} ms)");
    }

    [Fact(Timeout = 30_000)]
    public async Task RedisCli_ResetPeer_ReportsConnectionReset()
    {
        using var redis = await RedisServer.StartAsync();
        await using var proxies = await StartAsync(("redis", $"127.0.0.1:{redis.Port}", "{type: reset_peer, attributes: {timeout: 0}}"));

        // reset_peer's default stream is downstream: PING reaches redis, its PONG is dropped, both sides get RST.
        var cli = await RedisCliAsync(proxies["redis"], "PING");

        Assert.True(cli.ExitCode == 1, cli.ToString());
        Assert.Equal("Error: Connection reset by peer", cli.Error.Trim());
        Assert.DoesNotContain("PONG", cli.Output);
        Assert.Equal(CloseReason.ToxicReset, (await proxies.Events.WaitForAsync<ConnectionClosed>()).Reason);
    }

    /// <summary>One proxy "web" in front of <c>builtin:http</c> with <paramref name="toxics"/> (Toxiproxy's shape, YAML flow).</summary>
    private static Task<TestProxies> StartAsync(params string[] toxics) =>
        StartAsync(("web", "builtin:http", string.Join(", ", toxics)));

    /// <summary>Proxies loaded from a Toxiproxy proxies list, as a user would write it.</summary>
    private static async Task<TestProxies> StartAsync(params (string Name, string Upstream, string Toxics)[] proxies)
    {
        var yaml = $"[{string.Join(", ", proxies.Select(p => $"{{name: {p.Name}, listen: '127.0.0.1:0', upstream: '{p.Upstream}', toxics: [{p.Toxics}]}}"))}]";
        var loaded = ScenarioLoader.LoadText(yaml, "test.yaml");
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Diagnostics));
        return await TestProxies.StartAsync(null, [.. loaded.Scenario.Proxies]);
    }

    /// <summary>Listen toxics are applied on the listener's own task: wait until the socket is really closed or plugged.</summary>
    private static Task<ToxicActed> WaitForListenToxicAsync(TestProxies proxies) =>
        proxies.Events.WaitForAsync<ToxicActed>(e => e.Point == LifecyclePoint.Listen);

    private async Task<CurlRun> CurlAsync(IPEndPoint proxy, params string[] options)
    {
        var run = await RunAsync("curl", ["--silent", "--show-error", "--max-time", "10", "--write-out", "\n%{time_total}", .. options, $"http://{proxy}/"]);
        var split = run.Output.LastIndexOf('\n');
        var seconds = double.Parse(run.Output[(split + 1)..], CultureInfo.InvariantCulture);
        var curl = new CurlRun(run.ExitCode, run.Output[..split], run.Error.Trim(), seconds);
        log.WriteLine(curl.ToString());
        return curl;
    }

    private async Task<ProgramRun> RedisCliAsync(IPEndPoint proxy, params string[] command)
    {
        var cli = await RunAsync("redis-cli", ["-h", proxy.Address.ToString(), "-p", proxy.Port.ToString(CultureInfo.InvariantCulture), .. command]);
        log.WriteLine(cli.ToString());
        return cli;
    }

    private async Task<(T Result, TimeSpan Took)> TimedAsync<T>(Func<Task<T>> run)
    {
        var clock = Stopwatch.StartNew();
        var result = await run();
        log.WriteLine($"took {clock.Elapsed.TotalMilliseconds:0} ms");
        return (result, clock.Elapsed);
    }

    /// <summary>Runs a program to its end (killed after 20 s) and returns what it reported; asserts nothing.</summary>
    private static async Task<ProgramRun> RunAsync(string program, string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["LC_ALL"] = "C"; // '.' as the decimal point in curl's time_total
        using var process = Process.Start(start)!;
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(limit.Token);
            var error = process.StandardError.ReadToEndAsync(limit.Token);
            await process.WaitForExitAsync(limit.Token);
            return new ProgramRun(process.ExitCode, await output, await error);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private sealed record ProgramRun(int ExitCode, string Output, string Error);

    private sealed record CurlRun(int ExitCode, string Body, string Error, double Seconds);

    /// <summary>A real redis-server on a free loopback port, killed on Dispose.</summary>
    private sealed class RedisServer : IDisposable
    {
        private readonly Process _process;

        private RedisServer(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public static async Task<RedisServer> StartAsync()
        {
            int port;
            using (var probe = Peers.Listen())
            {
                port = ((IPEndPoint)probe.LocalEndPoint!).Port;
            }
            var start = new ProcessStartInfo("redis-server",
                ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetTempPath(),
            };
            var server = new RedisServer(Process.Start(start)!, port);
            server._process.OutputDataReceived += (_, _) => { };
            server._process.ErrorDataReceived += (_, _) => { };
            server._process.BeginOutputReadLine();
            server._process.BeginErrorReadLine();
            try
            {
                await server.WaitUntilListeningAsync();
                return server;
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }

        private async Task WaitUntilListeningAsync()
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (true)
            {
                try
                {
                    using var probe = await Peers.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port));
                    return;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
                {
                    await Task.Delay(20);
                }
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
            _process.Dispose();
        }
    }
}
