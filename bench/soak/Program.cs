using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Chaos.Soak;

// A bounded soak of the real `chaos serve` on loopback: thousands of connections through a scenario whose
// toxics change on a timeline, well-behaved clients verified by checksum, misbehaving clients beside them.
var minutes = Option("--minutes", 3.0);
var workers = (int)Option("--workers", 32);
var misbehaving = (int)Option("--misbehaving", 16);
var chaosDll = args.SkipWhile(a => a != "--chaos").Skip(1).FirstOrDefault() ?? throw new ArgumentException("--chaos <path to chaos.dll>");

using var echo = new EchoServer();
var work = Directory.CreateTempSubdirectory("chaos-soak-");
var scenarioPath = Path.Combine(work.FullName, "soak.yaml");
File.WriteAllText(scenarioPath, Scenario(echo.EndPoint, TimeSpan.FromMinutes(minutes)));

var stderr = new Queue<string>();
using var chaos = Process.Start(new ProcessStartInfo("dotnet", [chaosDll, "serve", "-port", "0", "-config", scenarioPath, "-seed", "1"])
{
    RedirectStandardOutput = true,
    RedirectStandardError = true,
})!;
var api = new TaskCompletionSource<Uri>();
var exceptionLines = new System.Collections.Concurrent.ConcurrentQueue<string>();
chaos.OutputDataReceived += (_, e) =>
{
    if (e.Data is { } text && (text.Contains("xception", StringComparison.Ordinal) || text.StartsWith("   at ", StringComparison.Ordinal)) && exceptionLines.Count < 40)
    {
        exceptionLines.Enqueue(text);
    }
    if (e.Data?.IndexOf("API listening on ", StringComparison.Ordinal) is >= 0 and var at)
    {
        api.TrySetResult(new Uri(e.Data[(at + 17)..].Split(' ')[0]));
    }
};
chaos.ErrorDataReceived += (_, e) =>
{
    lock (stderr)
    {
        stderr.Enqueue(e.Data ?? "");
        if (stderr.Count > 20)
        {
            stderr.Dequeue();
        }
    }
};
chaos.BeginOutputReadLine();
chaos.BeginErrorReadLine();

using var http = new HttpClient { BaseAddress = await api.Task.WaitAsync(TimeSpan.FromSeconds(60)), Timeout = Timeout.InfiniteTimeSpan };
var proxies = await http.GetFromJsonAsync<Dictionary<string, JsonElement>>("/proxies");
IPEndPoint Listen(string name) => IPEndPoint.Parse(proxies![name].GetProperty("listen").GetString()!);

var tally = new Tally();
var events = new EventTally();
using var stopEvents = new CancellationTokenSource();
var reading = events.ReadAsync(http, stopEvents.Token);
await Task.Delay(1000);
var idle = ProcessStats.Of(chaos.Id);
var idleKinds = ProcessStats.DescriptorKinds(chaos.Id);
Console.WriteLine($"chaos pid {chaos.Id}, before any traffic: {idle}");

using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
var clients = Enumerable.Range(0, workers).Select(_ => Task.Run(() => Clients.WellBehavedAsync(Listen("soak"), tally, stop.Token)))
    .Concat(Enumerable.Range(0, misbehaving).Select(_ => Task.Run(() => Clients.MisbehavingAsync(Listen("soak"), tally, stop.Token))))
    .Concat(Enumerable.Range(0, 16).Select(_ => Task.Run(() => Clients.CrowdAsync(Listen("limited"), stop.Token))))
    .ToList();

// The first third warms up what is paid once (JIT, pools, the API's event history filling to its cap); memory is compared from there.
var watch = Stopwatch.StartNew();
await Task.Delay(TimeSpan.FromMinutes(minutes / 3));
var warm = ProcessStats.Of(chaos.Id);
Console.WriteLine($"after warm-up ({watch.Elapsed.TotalSeconds:F0} s): {warm}");
var peak = warm.ResidentBytes;
while (!stop.IsCancellationRequested)
{
    await Task.Delay(TimeSpan.FromSeconds(10));
    var now = ProcessStats.Of(chaos.Id);
    peak = Math.Max(peak, now.ResidentBytes);
    Console.WriteLine($"  {watch.Elapsed.TotalSeconds,4:F0} s: {now}; verified {tally.Verified}, accepted {events.Accepted}");
}
await Task.WhenAll(clients);
Console.WriteLine($"clients done at {watch.Elapsed.TotalSeconds:F0} s; waiting for open connections to drain and idle threads to retire");

var open = -1L;
using (var poll = new HttpClient { BaseAddress = http.BaseAddress })
{
    for (var i = 0; i < 60 && open != 0; i++)
    {
        await Task.Delay(1000);
        open = OpenConnections(await poll.GetStringAsync("/chaos/metrics"));
    }
}
await Task.Delay(TimeSpan.FromSeconds(30));
var after = ProcessStats.Of(chaos.Id);
var afterKinds = ProcessStats.DescriptorKinds(chaos.Id);
var kindDelta = string.Join(", ", afterKinds.Keys.Union(idleKinds.Keys)
    .Select(kind => (kind, n: afterKinds.GetValueOrDefault(kind) - idleKinds.GetValueOrDefault(kind))).Where(x => x.n != 0).Select(x => $"{x.kind} {x.n:+0;-0}"));
await stopEvents.CancelAsync();
await reading;

var metrics = await http.GetStringAsync("/chaos/metrics");
using (var term = Process.Start("kill", ["-TERM", chaos.Id.ToString(CultureInfo.InvariantCulture)])!)
{
    await term.WaitForExitAsync();
}
await chaos.WaitForExitAsync();
Console.WriteLine($"chaos exit code after SIGTERM: {chaos.ExitCode}");

var problems = events.Inconsistencies();
var memoryGrowth = (after.ResidentBytes - warm.ResidentBytes) * 100.0 / warm.ResidentBytes;
var report = new StringBuilder()
    .AppendLine(CultureInfo.InvariantCulture, $"soak: {minutes} min, {workers} well-behaved and {misbehaving} misbehaving clients, 16 crowding a max_connections proxy")
    .AppendLine(CultureInfo.InvariantCulture, $"connections accepted by chaos: {events.Accepted} (closed events {events.Count("closed")}), turned away at max_connections: {events.Count("rejected")}")
    .AppendLine(CultureInfo.InvariantCulture, $"well-behaved connections verified by SHA-256: {tally.Verified}, bytes verified: {tally.BytesVerified} (each way), corrupt: {tally.Corrupt}, failed: {tally.Failed}")
    .AppendLine(CultureInfo.InvariantCulture, $"misbehaving connections: {string.Join(", ", tally.Misbehaved.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}")
    .AppendLine(CultureInfo.InvariantCulture, $"events: {events.Count("toxic")} toxic actions, {events.Count("timeline")} timeline steps, connection_error {events.Count("connection_error")}, subscriber_detached {events.Count("subscriber_detached")}, dropped on the stream {events.Dropped}")
    .AppendLine(CultureInfo.InvariantCulture, $"event stream consistency (every accepted connection closed exactly once): {(problems.Count == 0 ? "ok" : $"{problems.Count} problems, e.g. {string.Join("; ", problems.Take(5))}")}")
    .AppendLine(CultureInfo.InvariantCulture, $"process before traffic: {idle}")
    .AppendLine(CultureInfo.InvariantCulture, $"process after warm-up:  {warm}")
    .AppendLine(CultureInfo.InvariantCulture, $"process at the end:     {after} (open connections {open})")
    .AppendLine(CultureInfo.InvariantCulture, $"deltas from before traffic: descriptors {after.Descriptors - idle.Descriptors:+0;-0;0} ({(kindDelta.Length == 0 ? "none" : kindDelta)}), threads {after.Threads - idle.Threads:+0;-0;0}")
    .AppendLine(CultureInfo.InvariantCulture, $"resident memory from warm-up to end: {memoryGrowth:+0.0;-0.0}% (peak {peak / 1048576.0:F1} MiB)");
Console.Write(report);
foreach (var failure in tally.Failures.Take(10))
{
    Console.WriteLine($"  {failure}");
}
var eventsDropped = metrics.Split('\n').FirstOrDefault(line => line.StartsWith("chaos_events_dropped_total", StringComparison.Ordinal));
Console.WriteLine(eventsDropped ?? "");
if (!exceptionLines.IsEmpty)
{
    Console.WriteLine("chaos stdout, exception lines:\n  " + string.Join("\n  ", exceptionLines));
}
lock (stderr)
{
    if (stderr.Any(line => line.Length > 0))
    {
        Console.WriteLine("chaos stderr (last lines):\n  " + string.Join("\n  ", stderr));
    }
}

// Regular files the runtime opens once (an assembly or a .pdb mapped to render a stack trace) stay open for good
// and are no leak; sockets, pipes and event descriptors must be back to what they were before any traffic.
static int NotFiles(Dictionary<string, int> kinds) => kinds.Where(pair => !pair.Key.StartsWith('/')).Sum(pair => pair.Value);
var leaked = NotFiles(afterKinds) - NotFiles(idleKinds);
Console.WriteLine($"sockets, pipes and event descriptors from before traffic to the end: {leaked:+0;-0;0}");
var ok = tally.Corrupt == 0 && tally.Failed == 0 && problems.Count == 0 && events.Count("connection_error") == 0
         && leaked <= 0 && open == 0;
Console.WriteLine(ok ? "SOAK PASSED" : "SOAK FAILED");
work.Delete(recursive: true);
return ok ? 0 : 1;

double Option(string name, double fallback) =>
    args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

static long OpenConnections(string metrics) => metrics.Split('\n')
    .Where(line => line.StartsWith("chaos_connections_open{", StringComparison.Ordinal))
    .Sum(line => long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

// Faults select only 127.0.0.2 (the misbehaving clients); the timeline's toxics shape everyone's bytes but drop none.
static string Scenario(IPEndPoint echo, TimeSpan length)
{
    string[] shapes =
    [
        "{ type: latency, attributes: { latency: 5, jitter: 5 } }",
        "{ type: bandwidth, stream: upstream, attributes: { rate: 20000 } }",
        "{ type: slicer, attributes: { average_size: 512, size_variation: 256, delay: 100 } }",
        "{ type: first_byte_delay, stream: upstream, attributes: { delay: 20 } }",
        "{ type: fin_delay, stream: upstream, attributes: { delay: 20 } }",
    ];
    var text = new StringBuilder($$"""
        version: 1
        name: soak
        proxies:
          - name: soak
            listen: 127.0.0.1:0
            upstream: {{echo}}
            idle_timeout: 20s
            toxics:
              - { name: reset-some, type: accept_reset, where: { connections: "every 7", clients: [127.0.0.2/32] } }
              - { name: cut-some, type: reset_peer, stream: upstream, attributes: { timeout: 50 }, where: { connections: "every 5", clients: [127.0.0.2/32] } }
              - { name: hang-some, type: first_byte_hang, stream: upstream, where: { connections: "every 11", clients: [127.0.0.2/32] } }
          - name: limited
            listen: 127.0.0.1:0
            upstream: {{echo}}
            max_connections: 10
            over_limit: refuse
        timeline:

        """);
    for (var (at, i) = (5, 0); at < length.TotalSeconds; at += 10, i++)
    {
        text.Append(CultureInfo.InvariantCulture, $"  - at: {at}s\n    add: {{ proxy: soak, toxic: {shapes[i % shapes.Length].Replace("{ type", $"{{ name: t{i}, type", StringComparison.Ordinal)} }}\n");
        text.Append(CultureInfo.InvariantCulture, $"  - at: {at + 7}s\n    remove: {{ proxy: soak, toxic: t{i} }}\n");
    }
    return text.ToString();
}
