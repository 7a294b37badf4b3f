using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Engine;
using Chaos.Proxy.Observation;
using Chaos.Scenarios;

namespace Chaos.Proxy.Lessons;

/// <summary>What one lesson run produced: every event (the proxy's and the programs' own notes), what each side saw, and what went not as described.</summary>
internal sealed record LessonOutcome(
    IReadOnlyList<ChaosEvent> Events, IReadOnlyList<(Side Side, string English, string Chinese)> Saw, IReadOnlyList<string> Problems, TimeSpan Took);

/// <summary>
/// Runs a lesson end to end: its scripted server on a loopback port (in place of the scenario's upstream), the
/// scenario's proxy with its toxics, and its scripted client; then merges the programs' notes into the event stream.
/// </summary>
internal static class LessonRun
{
    /// <summary>A connection attempt the proxy never accepted (refused, SYN unanswered) is drawn under this number.</summary>
    public const long NeverAccepted = -1;

    private static readonly TimeSpan ScriptLimit = TimeSpan.FromSeconds(20);

    public static async Task<LessonOutcome> RunAsync(Lesson lesson)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var serverListener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        serverListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        serverListener.Listen();
        var server = (IPEndPoint)serverListener.LocalEndPoint!;
        var scenario = lesson.Scenario with
        {
            Proxies = [.. lesson.Scenario.Proxies.Select(proxy => proxy with { Upstream = UpstreamSpec.At(new HostPort(server.Address.ToString(), server.Port)) })],
        };

        LessonStage stage;
        var runtime = await ChaosRuntime.StartAsync(scenario, [], new RelayOptions(), TimeProvider.System);
        await using (runtime)
        {
            var proxy = (IPEndPoint)runtime.Registry.Proxies.First().ListenEndPoint!;
            stage = new LessonStage(proxy, serverListener, TimeProvider.System);
            if (scenario.Proxies.Any(p => p.Toxics.Any(t => ToxicCatalogue.TryGet(t.Type, out var type) && type.Point == LifecyclePoint.Listen)))
            {
                // The listener changes on its own task; the client must meet the fault, not the moment before it.
                await WaitForAsync(runtime, e => e is ToxicActed { Connection: 0 }, TimeSpan.FromSeconds(3));
            }
            var script = LessonScripts.For(lesson.Number)(stage);
            if (await Task.WhenAny(script, Task.Delay(ScriptLimit)) != script)
            {
                stage.Expect(false, $"the lesson's programs did not finish within {ScriptLimit.TotalSeconds} s");
            }
            else if (script.Exception?.InnerException is { } failure)
            {
                // A socket call the lesson did not expect to fail: the run went otherwise than described, not a crash.
                stage.Expect(false, $"a lesson program failed: {failure.Message}");
            }
            await WaitForAsync(runtime, e => e is ConnectionClosed, TimeSpan.FromSeconds(1));
        }
        var events = runtime.Observers.History.Snapshot(); // after the stop: a connection a fault left open is closed now
        return new LessonOutcome(Merge(events, stage.Notes), stage.SawLines, stage.Problems, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    private static async Task WaitForAsync(ChaosRuntime runtime, Func<ChaosEvent, bool> wanted, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!runtime.Observers.History.Snapshot().Any(wanted) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }

    /// <summary>Chaos's own samples of each leg, only where the state changed: a class reads the change, not the repeats.</summary>
    private static IEnumerable<TcpStateSampled> StateChanges(IEnumerable<TcpStateSampled> samples)
    {
        var last = new Dictionary<(long, Side), string>();
        foreach (var sample in samples.OrderBy(s => s.Time))
        {
            if (!last.TryGetValue((sample.Connection, sample.Side), out var previous) || previous != sample.State)
            {
                last[(sample.Connection, sample.Side)] = sample.State;
                yield return sample;
            }
        }
    }

    /// <summary>Each program's note joins the connection its socket belongs to (by address); listen faults join the attempts they stopped.</summary>
    private static List<ChaosEvent> Merge(IReadOnlyList<ChaosEvent> events, IReadOnlyList<ProgramNote> notes)
    {
        var byAddress = new Dictionary<string, long>();
        foreach (var e in events)
        {
            switch (e)
            {
                case ConnectionAccepted a:
                    byAddress[a.Client.ToString()!] = a.Connection;
                    break;
                case UpstreamConnected u:
                    byAddress[u.Local.ToString()!] = u.Connection;
                    break;
            }
        }
        var proxy = events.FirstOrDefault(e => e is ProxyStarted)?.Proxy ?? "lesson";
        var merged = new List<ChaosEvent>(events.Where(e => e.Connection != 0 && e is not TcpStateSampled));
        merged.AddRange(StateChanges(events.OfType<TcpStateSampled>()));
        var unmatched = notes.Where(n => n.EndPoint is null || !byAddress.ContainsKey(n.EndPoint)).ToList();
        merged.AddRange(notes.Select(n => new PeerObserved(n.Time, proxy, n.EndPoint is { } key && byAddress.TryGetValue(key, out var id) ? id : NeverAccepted, n.Side, n.What, n.State)));
        if (unmatched.Count > 0)
        {
            merged.AddRange(events.OfType<ToxicActed>().Where(t => t.Connection == 0).Select(t => t with { Connection = NeverAccepted }));
        }
        return [.. merged.OrderBy(e => e.Time)];
    }
}
