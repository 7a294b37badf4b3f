using System.Collections.Concurrent;

namespace Chaos.Bench;

/// <summary>Counts what the process throws (first chance, by type) and any unobserved task exception, per section.</summary>
internal static class ProcessProbe
{
    private static readonly ConcurrentDictionary<string, long> s_firstChance = new();
    private static readonly ConcurrentQueue<string> s_unobserved = new();
    private static readonly ConcurrentQueue<string> s_samples = new();

    /// <summary>The first two first-chance exceptions of each type (cancellations aside), with stacks.</summary>
    public static IEnumerable<string> Samples => s_samples;

    public static void Install()
    {
        AppDomain.CurrentDomain.FirstChanceException += (_, e) =>
        {
            var name = e.Exception.GetType().Name;
            if (s_firstChance.AddOrUpdate(name, 1, (_, n) => n + 1) <= 2 && e.Exception is not OperationCanceledException)
            {
                // The first two of each type, with where it was thrown from (the exception's own trace is one frame here).
                s_samples.Enqueue($"{name}: {e.Exception.Message}\n{new System.Diagnostics.StackTrace(1, false)}");
            }
        };
        TaskScheduler.UnobservedTaskException += (_, e) =>
        {
            s_unobserved.Enqueue(e.Exception.ToString());
            e.SetObserved();
        };
    }

    public static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Trim();
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    public static (Dictionary<string, long> FirstChance, int Unobserved, int Gen0, int Gen2, TimeSpan Paused) Snapshot() =>
        (new Dictionary<string, long>(s_firstChance), s_unobserved.Count, GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration());

    public static string Describe(
        (Dictionary<string, long> FirstChance, int Unobserved, int Gen0, int Gen2, TimeSpan Paused) before,
        (Dictionary<string, long> FirstChance, int Unobserved, int Gen0, int Gen2, TimeSpan Paused) after)
    {
        var thrown = after.FirstChance
            .Select(kv => (kv.Key, Count: kv.Value - before.FirstChance.GetValueOrDefault(kv.Key)))
            .Where(x => x.Count > 0)
            .OrderByDescending(x => x.Count)
            .Select(x => $"{x.Key} x{x.Count}");
        var text = $"GCs (all gens) {after.Gen0 - before.Gen0}, of which gen2 {after.Gen2 - before.Gen2}, paused {(after.Paused - before.Paused).TotalMilliseconds:F0} ms; first-chance exceptions: {string.Join(", ", thrown.DefaultIfEmpty("none"))}";
        if (after.Unobserved > before.Unobserved)
        {
            text += $"; UNOBSERVED TASK EXCEPTIONS: {after.Unobserved - before.Unobserved}: " +
                string.Join(" || ", s_unobserved.Skip(before.Unobserved).Take(3));
        }
        return text;
    }
}
