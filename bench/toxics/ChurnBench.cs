using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Chaos.Scenarios;

namespace Chaos.Bench;

/// <summary>
/// 3. Toxic changes under load: 50 connections stream both ways at a steady rate while a toxic named
/// <c>churn</c> is added, updated and removed 200 times a second for 10 s. Each call is timed; each stream
/// checks its bytes (a per-stream pattern) and records the longest gap between receives during the window.
/// </summary>
internal static class ChurnBench
{
    private const string Section = "churn";
    private const string Proxy = "churn";
    private const int Connections = 50;
    private const int ChangesPerSecond = 200;
    private const int Chunk = 16 * 1024;
    private const long BytesPerSecondPerStream = 1 << 20;
    private const double TargetMaxChangeMs = 50;
    private const double TargetMaxGapMs = 1000;
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_control = TimeSpan.FromSeconds(3);

    /// <summary>Stream bytes: byte at offset o of a stream with phase p is (o + p) mod 251.</summary>
    private static readonly byte[] s_pattern = [.. Enumerable.Range(0, 251 + Chunk).Select(i => (byte)(i % 251))];

    /// <summary>Add, update (same type, then another type), remove: every toxic here lets data through.</summary>
    private static readonly (string Op, ToxicSpec? Spec)[] s_cycle =
    [
        ("add", Loopback.Toxic("{name: churn, type: latency, stream: downstream, attributes: {latency: 1}}")),
        ("update", Loopback.Toxic("{name: churn, type: latency, stream: downstream, attributes: {latency: 5, jitter: 2}}")),
        ("remove", null),
        ("add", Loopback.Toxic("{name: churn, type: noop, stream: upstream}")),
        ("update", Loopback.Toxic("{name: churn, type: bandwidth, stream: upstream, attributes: {rate: 100000}}")),
        ("remove", null),
        ("add", Loopback.Toxic("{name: churn, type: bandwidth, stream: downstream, attributes: {rate: 1000000}}")),
        ("update", Loopback.Toxic("{name: churn, type: latency, stream: upstream, attributes: {latency: 0}}")),
        ("remove", null),
    ];

    public static async Task RunAsync(Report report)
    {
        using var listener = Loopback.Listen();
        var events = new EventCounter();
        await using var runtime = await Loopback.StartAsync(Proxy, (IPEndPoint)listener.LocalEndPoint!, events);
        var endPoint = runtime.ListenEndPoint(Proxy);
        var control = new Window(2 * Connections);
        var steady = new Window(2 * Connections);
        var window = new Window(2 * Connections);
        Window[] windows = [control, steady, window];
        using var stop = new CancellationTokenSource();
        var sockets = new List<Socket>();
        var tasks = new List<Task>();
        var up = new StreamStats[Connections];     // client -> server, measured at the server
        var down = new StreamStats[Connections];   // server -> client, measured at the client
        for (var i = 0; i < Connections; i++)
        {
            (up[i], down[i]) = (new StreamStats(i), new StreamStats(Connections + i));
        }

        try
        {
            // Server: the first byte of an upstream stream is its phase, which is the connection index.
            var serving = Task.Run(async () =>
            {
                for (var accepted = 0; accepted < Connections; accepted++)
                {
                    var socket = await listener.AcceptAsync(stop.Token);
                    socket.NoDelay = true;
                    lock (sockets)
                    {
                        sockets.Add(socket);
                    }
                    var first = new byte[1];
                    await Loopback.ReceiveExactlyAsync(socket, first, stop.Token);
                    var index = first[0];
                    up[index].Bytes = 1;
                    up[index].LastReceive = Stopwatch.GetTimestamp();
                    lock (tasks)
                    {
                        tasks.Add(ReadAsync(socket, index, up[index], windows, stop.Token));
                        tasks.Add(WriteAsync(socket, 100 + index, down[index], stop.Token));
                    }
                }
            });

            for (var i = 0; i < Connections; i++)
            {
                var client = await Loopback.ConnectAsync(endPoint);
                lock (sockets)
                {
                    sockets.Add(client);
                }
                lock (tasks)
                {
                    tasks.Add(WriteAsync(client, i, up[i], stop.Token));
                    tasks.Add(ReadAsync(client, 100 + i, down[i], windows, stop.Token));
                }
            }
            await serving.WaitAsync(TimeSpan.FromSeconds(15));

            // Let every stream flow for a second, then a control window without changes.
            await Task.Delay(TimeSpan.FromSeconds(1));
            var gcs = (GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration());
            control.Open();
            await Task.Delay(s_control);
            control.Close();
            var controlGcs = Gcs(gcs);

            // A second control: data toxics in place on both streams, unchanged.
            await runtime.Registry.AddToxicAsync(Proxy, Loopback.Toxic("{name: steady_down, type: latency, stream: downstream, attributes: {latency: 1}}"));
            await runtime.Registry.AddToxicAsync(Proxy, Loopback.Toxic("{name: steady_up, type: latency, stream: upstream, attributes: {latency: 0}}"));
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            gcs = (GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration());
            steady.Open();
            await Task.Delay(s_control);
            steady.Close();
            var steadyGcs = Gcs(gcs);
            await runtime.Registry.RemoveToxicAsync(Proxy, "steady_down");
            await runtime.Registry.RemoveToxicAsync(Proxy, "steady_up");
            var startBytes = (up.Select(s => Volatile.Read(ref s.Bytes)).ToArray(), down.Select(s => Volatile.Read(ref s.Bytes)).ToArray());
            var eventsBefore = events.Snapshot();
            gcs = (GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration());
            window.Open();
            var (timings, failures) = await ChurnAsync(runtime.Registry);
            window.Close();
            var windowGcs = Gcs(gcs);
            var eventsDuring = EventCounter.Diff(eventsBefore, events.Snapshot());
            var windowSeconds = window.Seconds;

            // Still open? Give the streams a moment, then look at every side.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var proxyOpen = runtime.Registry.Find(Proxy)?.ConnectionsOpen ?? -1;
            var open = Enumerable.Range(0, Connections).Count(i => up[i].IsOpen && down[i].IsOpen);

            var maxMs = timings.Count == 0 ? double.NaN : timings.Max();
            report.Info(Section, "changes applied (failed)", $"{timings.Count} in {windowSeconds:F2} s = {timings.Count / windowSeconds:F0}/s ({failures.Count} failed{(failures.Count > 0 ? ": " + failures[0] : "")})");
            report.Info(Section, "time per change p50 / p99", $"{Stats.Median(timings):F3} / {Stats.Percentile(timings, 99):F3} ms");
            report.Add(Section, "time per change max", $"{maxMs:F3} ms", $"<= {TargetMaxChangeMs} ms", Report.Check(maxMs <= TargetMaxChangeMs && failures.Count == 0));

            Console.WriteLine($"   events during the window: {eventsDuring}");
            Console.WriteLine($"   per connection: bytes received during the window (MiB) and longest gap between receives (ms), up = client->server, down = server->client");
            Console.WriteLine($"   {"conn",4} {"up MiB",7} {"up gap",7} {"at s",5} {"down MiB",8} {"down gap",8} {"at s",5} {"open",4} {"total up/down MiB",18}");
            for (var i = 0; i < Connections; i++)
            {
                Console.WriteLine($"   {i,4} {Mib(up[i].Bytes - startBytes.Item1[i]),7:F2} {window.MaxGapMs(up[i]),7:F1} {window.MaxGapAt(up[i]),5:F2} " +
                    $"{Mib(down[i].Bytes - startBytes.Item2[i]),8:F2} {window.MaxGapMs(down[i]),8:F1} {window.MaxGapAt(down[i]),5:F2} {(up[i].IsOpen && down[i].IsOpen ? "yes" : "NO"),4} " +
                    $"{Mib(up[i].Bytes),8:F2}/{Mib(down[i].Bytes):F2}{Problem(up[i], "up")}{Problem(down[i], "down")}");
            }

            var controlGaps = up.Concat(down).Select(control.MaxGapMs).ToList();
            report.Info(Section, $"control, {s_control.TotalSeconds:F0} s without changes: longest gap p50 / max", $"{Stats.Median(controlGaps):F1} / {controlGaps.Max():F1} ms");
            var steadyGaps = up.Concat(down).Select(steady.MaxGapMs).ToList();
            report.Info(Section, $"control, {s_control.TotalSeconds:F0} s with fixed latency toxics: longest gap p50 / max", $"{Stats.Median(steadyGaps):F1} / {steadyGaps.Max():F1} ms");
            report.Info(Section, "GCs (gen2), GC pause: no toxic / fixed toxics / changes", $"{controlGcs} / {steadyGcs} / {windowGcs}");
            var gaps = up.Concat(down).Select(window.MaxGapMs).ToList();
            var worst = gaps.IndexOf(gaps.Max());
            report.Info(Section, "longest gap per stream p50 / p99", $"{Stats.Median(gaps):F1} / {Stats.Percentile(gaps, 99):F1} ms over {gaps.Count} streams");
            report.Add(Section, "longest gap between received bytes, any stream", $"{gaps.Max():F1} ms (conn {worst % Connections} {(worst < Connections ? "up" : "down")})",
                $"<= {TargetMaxGapMs:F0} ms", Report.Check(gaps.Max() <= TargetMaxGapMs));
            var windowBytes = Enumerable.Range(0, Connections).SelectMany(i => new[] { up[i].Bytes - startBytes.Item1[i], down[i].Bytes - startBytes.Item2[i] }).ToList();
            var expected = BytesPerSecondPerStream * windowSeconds;
            report.Info(Section, "bytes per stream in the window min / max (offered)", $"{Mib(windowBytes.Min()):F2} / {Mib(windowBytes.Max()):F2} MiB ({Mib((long)expected):F2} MiB)");
            var totals = up.Concat(down).Select(s => s.Bytes).ToList();
            report.Add(Section, "total bytes per stream, min", $"{Mib(totals.Min()):F2} MiB", "> 0 on all", Report.Check(totals.Min() > 0));
            var corrupt = up.Concat(down).Count(s => s.CorruptAt >= 0);
            report.Add(Section, "streams with corrupted data", $"{corrupt}", "0", Report.Check(corrupt == 0));
            report.Add(Section, "connections open at the end (proxy count)", $"{open} of {Connections} ({proxyOpen})", $"{Connections}",
                Report.Check(open == Connections && proxyOpen == Connections));
        }
        finally
        {
            await stop.CancelAsync();
            lock (sockets)
            {
                foreach (var socket in sockets)
                {
                    socket.Dispose();
                }
            }
            Task[] all;
            lock (tasks)
            {
                all = [.. tasks];
            }
            await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static string Gcs((int Gen0, int Gen2, TimeSpan Paused) before) =>
        $"{GC.CollectionCount(0) - before.Gen0} ({GC.CollectionCount(2) - before.Gen2}) {(GC.GetTotalPauseDuration() - before.Paused).TotalMilliseconds:F0} ms";

    private static double Mib(long bytes) => bytes / (double)(1 << 20);

    private static string Problem(StreamStats stats, string direction) =>
        (stats.CorruptAt >= 0 ? $" {direction} CORRUPT at byte {stats.CorruptAt}" : "") +
        (stats.Eof ? $" {direction} EOF" : "") +
        (stats.Error is { } error ? $" {direction} error {error}" : "");

    /// <summary>200 changes a second on an absolute schedule (a slow call is caught up, not skipped), each timed.</summary>
    private static async Task<(List<double> Timings, List<string> Failures)> ChurnAsync(Chaos.Proxy.Engine.ProxyRegistry registry)
    {
        var total = (int)(s_window.TotalSeconds * ChangesPerSecond);
        total -= total % s_cycle.Length; // end on a remove: the proxy is clean afterwards
        var timings = new List<double>(total);
        var failures = new List<string>();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / ChangesPerSecond) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(due);
            }
            var (op, spec) = s_cycle[i % s_cycle.Length];
            var began = Stopwatch.GetTimestamp();
            try
            {
                await (op switch
                {
                    "add" => registry.AddToxicAsync(Proxy, spec!),
                    "update" => registry.UpdateToxicAsync(Proxy, spec!),
                    _ => registry.RemoveToxicAsync(Proxy, "churn"),
                });
                timings.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failures.Add($"{op} #{i}: {ex.GetType().Name}: {ex.Message}");
            }
        }
        return (timings, failures);
    }

    private static async Task WriteAsync(Socket socket, int phase, StreamStats peer, CancellationToken stop)
    {
        long sent = 0;
        var start = Stopwatch.GetTimestamp();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                // At least one byte at once (the server learns the phase from it), then BytesPerSecondPerStream.
                var due = Math.Max(1, (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * BytesPerSecondPerStream));
                while (sent < due)
                {
                    var n = (int)Math.Min(Chunk, due - sent);
                    await socket.SendAsync(s_pattern.AsMemory((int)((sent + phase) % 251), n), SocketFlags.None, stop);
                    sent += n;
                }
                await Task.Delay(10, stop);
            }
        }
        catch (OperationCanceledException)
        {
            // done
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            if (!stop.IsCancellationRequested)
            {
                peer.WriteError ??= ex.Message;
            }
        }
    }

    private static async Task ReadAsync(Socket socket, int phase, StreamStats stats, Window[] windows, CancellationToken stop)
    {
        var buffer = new byte[Chunk];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, stop);
                var now = Stopwatch.GetTimestamp();
                if (n == 0)
                {
                    stats.Eof = true;
                    return;
                }
                if (stats.CorruptAt < 0 && !buffer.AsSpan(0, n).SequenceEqual(s_pattern.AsSpan((int)((stats.Bytes + phase) % 251), n)))
                {
                    stats.CorruptAt = stats.Bytes;
                }
                foreach (var window in windows)
                {
                    window.Observe(stats.Id, stats.LastReceive, now);
                }
                Volatile.Write(ref stats.LastReceive, now);
                Volatile.Write(ref stats.Bytes, stats.Bytes + n);
            }
        }
        catch (OperationCanceledException)
        {
            // done
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            if (!stop.IsCancellationRequested)
            {
                stats.Error = ex.Message;
            }
        }
    }

    private sealed class StreamStats(int id)
    {
        public readonly int Id = id;
        public long Bytes;
        public long LastReceive;
        public long CorruptAt = -1;
        public volatile bool Eof;
        public volatile string? Error;
        public volatile string? WriteError;

        public bool IsOpen => !Eof && Error is null && WriteError is null;
    }

    /// <summary>A measurement window: per stream, the longest gap between receives inside it, the time from the last receive to its end included.</summary>
    private sealed class Window(int streams)
    {
        private readonly long[] _maxGap = new long[streams];
        private readonly long[] _maxGapEndedAt = new long[streams];
        private long _start = long.MaxValue;
        private long _end = long.MaxValue;

        public double Seconds => Stopwatch.GetElapsedTime(_start, _end).TotalSeconds;

        public void Open() => Volatile.Write(ref _start, Stopwatch.GetTimestamp());

        public void Close() => Volatile.Write(ref _end, Stopwatch.GetTimestamp());

        /// <summary>Called by the stream's reader only: a receive at <paramref name="now"/>, the previous one at <paramref name="previous"/>.</summary>
        public void Observe(int stream, long previous, long now)
        {
            var start = Volatile.Read(ref _start);
            var end = Volatile.Read(ref _end);
            if (now >= start && previous < end)
            {
                var gap = Math.Min(now, end) - Math.Max(previous, start);
                if (gap > _maxGap[stream])
                {
                    Volatile.Write(ref _maxGap[stream], gap);
                    Volatile.Write(ref _maxGapEndedAt[stream], Math.Min(now, end) - start);
                }
            }
        }

        public double MaxGapMs(StreamStats stats)
        {
            var last = Volatile.Read(ref stats.LastReceive);
            var tail = last < _end ? _end - Math.Max(last, _start) : 0;
            return Math.Max(Volatile.Read(ref _maxGap[stats.Id]), tail) * 1000.0 / Stopwatch.Frequency;
        }

        /// <summary>When (seconds into the window) the longest gap ended.</summary>
        public double MaxGapAt(StreamStats stats) => Volatile.Read(ref _maxGapEndedAt[stats.Id]) / (double)Stopwatch.Frequency;
    }
}
