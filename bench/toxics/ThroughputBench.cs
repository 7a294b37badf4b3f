using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Engine;

namespace Chaos.Bench;

/// <summary>
/// 2. Throughput: one bulk client→server transfer (1 GiB or 8 s, whichever first) per run, through a proxy
/// with no toxic and then with an upstream <c>latency 0</c> toxic, interleaved, 3 rounds each. A transfer
/// in which the server receives nothing for 3 s counts as stalled: its evidence is printed and it is run
/// once more.
/// </summary>
internal static class ThroughputBench
{
    private const string Section = "throughput";
    private const string Proxy = "bulk";
    private const string ZeroToxic = "zero";
    private const long MaxBytes = 1L << 30;
    private const long WarmupBytes = 256L << 20;
    private const int Rounds = 3;
    private const int WriteSize = 128 * 1024;
    private const double TargetRatio = 0.8;
    private static readonly TimeSpan s_maxTime = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan s_stallAfter = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(Report report)
    {
        using var server = Loopback.Listen();
        var events = new EventCounter();
        await using var runtime = await Loopback.StartAsync(Proxy, (IPEndPoint)server.LocalEndPoint!, events);
        var endPoint = runtime.ListenEndPoint(Proxy);
        var zero = Loopback.Toxic($"{{name: {ZeroToxic}, type: latency, stream: upstream, attributes: {{latency: 0}}}}");
        var stalls = new List<string>();
        var runs = 0;

        async Task<double?> RunAsync(bool withToxic, long bytes, string label)
        {
            var name = withToxic ? "latency 0" : "no toxic";
            if (withToxic)
            {
                await runtime.Registry.AddToxicAsync(Proxy, zero);
            }
            try
            {
                runs++;
                var (gbps, sent, seconds) = await TransferAsync(server, endPoint, bytes, runtime.Registry.Find(Proxy), stalls.Count == 0);
                Console.WriteLine($"   {label,-8} {name,-9}: {gbps,6:F2} Gbit/s ({sent / (1 << 20)} MiB in {seconds:F2} s)");
                return gbps;
            }
            catch (TransferStalledException ex)
            {
                stalls.Add($"{label} {name}: {ex.Message}");
                Console.WriteLine($"   {label,-8} {name,-9}: STALLED: {ex.Message}");
                return null;
            }
            finally
            {
                if (withToxic)
                {
                    await runtime.Registry.RemoveToxicAsync(Proxy, ZeroToxic);
                }
            }
        }

        // Warm-up, unrecorded: the JIT compiles both relay paths.
        await RunAsync(false, WarmupBytes, "warm-up");
        await RunAsync(true, WarmupBytes, "warm-up");

        var plain = new List<double>();
        var toxic = new List<double>();
        for (var round = 1; round <= Rounds; round++)
        {
            foreach (var (withToxic, results) in new[] { (false, plain), (true, toxic) })
            {
                if ((await RunAsync(withToxic, MaxBytes, $"round {round}") ?? await RunAsync(withToxic, MaxBytes, $"retry {round}")) is { } gbps)
                {
                    results.Add(gbps);
                }
            }
        }
        var ratio = Stats.Median(toxic) / Stats.Median(plain);
        report.Info(Section, "no toxic: median (rounds)", $"{Stats.Median(plain):F2} Gbit/s ({string.Join(", ", plain.Select(x => x.ToString("F2")))})");
        report.Info(Section, "latency 0 upstream: median (rounds)", $"{Stats.Median(toxic):F2} Gbit/s ({string.Join(", ", toxic.Select(x => x.ToString("F2")))})");
        report.Add(Section, "ratio latency 0 / no toxic", $"{ratio:F3}", $">= {TargetRatio}", Report.Check(ratio >= TargetRatio));
        report.Add(Section, "transfers stalled (warm-up included)", $"{stalls.Count} of {runs}" + (stalls.Count > 0 ? $": {stalls[0]}" : ""), "0",
            Report.Check(stalls.Count == 0));
        Console.WriteLine($"   events: {EventCounter.Diff([], events.Snapshot())}");
    }

    /// <summary>Sends up to <paramref name="maxBytes"/> (or for at most 8 s), then FIN; the time runs from the first write to the server's end of stream.</summary>
    private static async Task<(double Gbps, long Bytes, double Seconds)> TransferAsync(
        Socket listener, IPEndPoint endPoint, long maxBytes, RunningProxy? proxy, bool printEvidence)
    {
        long received = 0;
        long sent = 0;
        using var stalled = new CancellationTokenSource(s_maxTime + TimeSpan.FromSeconds(20));
        var receiving = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptAsync(stalled.Token);
            var buffer = new byte[256 * 1024];
            while (true)
            {
                var n = await accepted.ReceiveAsync(buffer, SocketFlags.None, stalled.Token);
                if (n == 0)
                {
                    return Stopwatch.GetTimestamp();
                }
                Volatile.Write(ref received, received + n);
            }
        });

        using var client = await Loopback.ConnectAsync(endPoint);
        var data = new byte[WriteSize];
        new Random(1).NextBytes(data);
        var start = Stopwatch.GetTimestamp();
        using var done = new CancellationTokenSource();
        string? evidence = null;
        var watchdog = Task.Run(async () =>
        {
            var last = -1L;
            var quiet = Stopwatch.GetTimestamp();
            while (!done.IsCancellationRequested)
            {
                await Task.Delay(100, CancellationToken.None);
                var now = Volatile.Read(ref received);
                if (now != last)
                {
                    (last, quiet) = (now, Stopwatch.GetTimestamp());
                }
                else if (Stopwatch.GetElapsedTime(quiet) >= s_stallAfter)
                {
                    evidence = $"no byte received for {s_stallAfter.TotalSeconds:F0} s: client sent {Volatile.Read(ref sent)}, server received {now}; {StallProbe.ProxyBytes(proxy)}";
                    if (printEvidence)
                    {
                        Console.WriteLine($"   !! STALL: {evidence}; kernel socket queues (ss -tnoi):");
                        Console.WriteLine(StallProbe.SocketQueues(endPoint.Port, ((IPEndPoint)listener.LocalEndPoint!).Port));
                    }
                    await stalled.CancelAsync();
                    return;
                }
            }
        });
        try
        {
            while (sent < maxBytes && Stopwatch.GetElapsedTime(start) < s_maxTime)
            {
                Volatile.Write(ref sent, sent + await client.SendAsync(data, SocketFlags.None, stalled.Token));
            }
            client.Shutdown(SocketShutdown.Send);
            await receiving;
        }
        catch (OperationCanceledException)
        {
            throw new TransferStalledException(evidence ?? $"not done after {Stopwatch.GetElapsedTime(start).TotalSeconds:F0} s: client sent {sent}, server received {Volatile.Read(ref received)}");
        }
        finally
        {
            await done.CancelAsync();
            await watchdog;
        }
        var (bytes, end) = (Volatile.Read(ref received), await receiving);
        if (bytes != sent)
        {
            throw new InvalidDataException($"sent {sent} bytes but the server received {bytes}");
        }
        var seconds = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
        return (bytes * 8 / seconds / 1e9, bytes, seconds);
    }

    private sealed class TransferStalledException(string message) : Exception(message);
}
