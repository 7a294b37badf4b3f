using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Chaos.Bench;

/// <summary>
/// 1. Latency accuracy: ping-pong of 64-byte messages, one at a time, through a proxy with a 100 ms
/// downstream latency toxic; error = RTT - 100 ms - median RTT through the same proxy with no toxic.
/// </summary>
internal static class LatencyBench
{
    private const string Section = "latency";
    private const string Proxy = "latency";
    private const int Size = 64;
    private const int Warmup = 20;
    private const int RoundTrips = 500;
    private const double LatencyMs = 100;
    private const double TargetP99Ms = 2;

    public static async Task RunAsync(Report report)
    {
        // Reference: how precisely the platform's timer alone waits 100 ms (the engine's holds are Task.Delay).
        // Each wait starts at a random phase (0-5 ms of spinning first), as chunks arrive at random moments.
        var timer = new List<double>();
        var phase = new Random(7);
        for (var i = 0; i < 40; i++)
        {
            var spinUntil = Stopwatch.GetTimestamp() + (long)(phase.NextDouble() * 0.005 * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < spinUntil)
            {
                Thread.SpinWait(20);
            }
            var start = Stopwatch.GetTimestamp();
            await Task.Delay(TimeSpan.FromMilliseconds(LatencyMs));
            timer.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds - LatencyMs);
        }
        report.Info(Section, "reference: Task.Delay(100 ms) alone, random phase, error p50 / p99 / min / max",
            $"{Stats.Median(timer):F3} / {Stats.Percentile(timer, 99):F3} / {timer.Min():F3} / {timer.Max():F3} ms over {timer.Count}");

        using var echo = EchoServer.Start();
        var events = new EventCounter();
        await using var runtime = await Loopback.StartAsync(Proxy, echo.EndPoint, events);
        var registry = runtime.Registry;
        var endPoint = runtime.ListenEndPoint(Proxy);

        double baseline;
        using (var client = await PingPong.ConnectAsync(endPoint))
        {
            await client.RunAsync(Warmup);
            var rtts = await client.RunAsync(RoundTrips);
            baseline = Stats.Median(rtts);
            report.Info(Section, "baseline RTT, no toxic (p50/p99/max)",
                $"{baseline:F3} / {Stats.Percentile(rtts, 99):F3} / {rtts.Max():F3} ms over {RoundTrips}");
        }

        (string Label, string Name, string Text)[] variants =
        [
            ("latency 100", "lat", "{name: lat, type: latency, attributes: {latency: 100}}"),
            ("latency 100, jitter 0", "lat_j0", "{name: lat_j0, type: latency, attributes: {latency: 100, jitter: 0}}"),
        ];
        PingPong? live = null;
        try
        {
            foreach (var (label, name, text) in variants)
            {
                await registry.AddToxicAsync(Proxy, Loopback.Toxic(text));
                live?.Dispose();
                live = await PingPong.ConnectAsync(endPoint);
                await live.RunAsync(Warmup);
                var rtts = await live.RunAsync(RoundTrips);
                var errors = rtts.Select(rtt => rtt - LatencyMs - baseline).ToList();
                var p99 = Stats.Percentile(errors, 99);
                report.Info(Section, $"{label}: error p50 / p90", $"{Stats.Percentile(errors, 50):F3} / {Stats.Percentile(errors, 90):F3} ms");
                report.Add(Section, $"{label}: error p99", $"{p99:F3} ms", $"<= {TargetP99Ms} ms", Report.Check(p99 <= TargetP99Ms));
                report.Info(Section, $"{label}: error max / min", $"{errors.Max():F3} / {errors.Min():F3} ms (min < 0: a round trip shorter than latency + baseline)");
                if (name != variants[^1].Name)
                {
                    await registry.RemoveToxicAsync(Proxy, name);
                }
            }

            // Extra (not a target of the brief): does UpdateToxicAsync reach a live connection that the toxic already shapes?
            const double updated = 20;
            await registry.UpdateToxicAsync(Proxy, Loopback.Toxic($"{{name: lat_j0, type: latency, attributes: {{latency: {updated}}}}}"));
            var liveAfter = Stats.Median(await live!.RunAsync(10)) - baseline;
            using var fresh = await PingPong.ConnectAsync(endPoint);
            var freshAfter = Stats.Median(await fresh.RunAsync(10)) - baseline;
            report.Add(Section, $"update latency 100 -> {updated:F0} ms: added delay, live / new connection",
                $"{liveAfter:F1} / {freshAfter:F1} ms", $"both ~{updated:F0} ms",
                Report.Check(Math.Abs(liveAfter - updated) < 5 && Math.Abs(freshAfter - updated) < 5));
        }
        finally
        {
            live?.Dispose();
        }
    }

    /// <summary>One connection sending <see cref="Size"/> bytes and waiting for their echo, one at a time.</summary>
    private sealed class PingPong : IDisposable
    {
        private readonly Socket _socket;
        private readonly byte[] _sent = new byte[Size];
        private readonly byte[] _received = new byte[Size];
        private int _sequence;

        private PingPong(Socket socket) => _socket = socket;

        public static async Task<PingPong> ConnectAsync(IPEndPoint endPoint) => new(await Loopback.ConnectAsync(endPoint));

        /// <summary>Round trip times in ms.</summary>
        public async Task<List<double>> RunAsync(int count)
        {
            var rtts = new List<double>(count);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10 + (count * 0.5)));
            for (var i = 0; i < count; i++)
            {
                Array.Fill(_sent, (byte)(++_sequence));
                var start = Stopwatch.GetTimestamp();
                await _socket.SendAsync(_sent, SocketFlags.None, timeout.Token);
                await Loopback.ReceiveExactlyAsync(_socket, _received, timeout.Token);
                rtts.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (!_received.AsSpan().SequenceEqual(_sent))
                {
                    throw new InvalidDataException($"echo {i} came back different: sent {_sent[0]}, got {_received[0]}..{_received[^1]}");
                }
            }
            return rtts;
        }

        public void Dispose() => _socket.Dispose();
    }
}
