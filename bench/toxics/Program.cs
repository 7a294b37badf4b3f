using System.Diagnostics;

namespace Chaos.Bench;

/// <summary>
/// Measures the fault engine in-process: latency accuracy, the cost of a data toxic on throughput, and
/// toxic changes under load. Prints figures and PASS/FAIL per target; always exits 0 (it is a benchmark).
/// </summary>
internal static class Program
{
    private static readonly string[] AllSections = ["latency", "throughput", "churn"];

    public static async Task<int> Main(string[] args)
    {
        var sections = args.Length == 0 ? AllSections : args.Select(a => a.ToLowerInvariant()).ToArray();
        var unknown = sections.Except(AllSections).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"unknown section(s): {string.Join(", ", unknown)}; known: {string.Join(", ", AllSections)}");
            return 2;
        }

        ProcessProbe.Install();
        var report = new Report();
        var total = Stopwatch.StartNew();
        Console.WriteLine($"Chaos fault-engine benchmark: {Environment.ProcessorCount} CPUs, .NET {Environment.Version}, loopback 127.0.0.1");
        Console.WriteLine($"load average at start: {ProcessProbe.LoadAverage()}");

        foreach (var section in sections)
        {
            var started = Stopwatch.StartNew();
            var before = ProcessProbe.Snapshot();
            Console.WriteLine();
            Console.WriteLine($"== {section} (load average {ProcessProbe.LoadAverage()})");
            try
            {
                await (section switch
                {
                    "latency" => LatencyBench.RunAsync(report),
                    "throughput" => ThroughputBench.RunAsync(report),
                    _ => ChurnBench.RunAsync(report),
                });
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                report.Add(section, "section aborted", ex.GetType().Name + ": " + ex.Message, "completes", Verdict.Fail);
                Console.WriteLine($"!! {section} aborted: {ex}");
            }
            Console.WriteLine($"   {section} took {started.Elapsed.TotalSeconds:F1} s; {ProcessProbe.Describe(before, ProcessProbe.Snapshot())}");
        }

        var samples = ProcessProbe.Samples.ToList();
        if (samples.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("first-chance exceptions other than cancellations (first two of each type, where thrown; teardown ones are expected):");
            foreach (var sample in samples)
            {
                Console.WriteLine("  " + string.Join("\n  ", sample.Split('\n').Take(8)));
            }
        }

        Console.WriteLine();
        report.Print();
        Console.WriteLine();
        Console.WriteLine($"total {total.Elapsed.TotalSeconds:F1} s; load average at end: {ProcessProbe.LoadAverage()}");
        return 0;
    }
}
