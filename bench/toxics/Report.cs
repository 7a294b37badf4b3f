namespace Chaos.Bench;

internal enum Verdict { Info, Pass, Fail }

/// <summary>The result table: one row per figure, with its target and verdict.</summary>
internal sealed class Report
{
    private readonly List<(string Section, string Figure, string Value, string Target, Verdict Verdict)> _rows = [];

    public void Add(string section, string figure, string value, string target, Verdict verdict)
    {
        _rows.Add((section, figure, value, target, verdict));
        var mark = verdict == Verdict.Info ? "" : $"  [{verdict.ToString().ToUpperInvariant()} target {target}]";
        Console.WriteLine($"   {figure}: {value}{mark}");
    }

    public void Info(string section, string figure, string value) => Add(section, figure, value, "", Verdict.Info);

    public static Verdict Check(bool ok) => ok ? Verdict.Pass : Verdict.Fail;

    public void Print()
    {
        string[] header = ["section", "figure", "value", "target", "verdict"];
        var cells = _rows.Select(r => new[] { r.Section, r.Figure, r.Value, r.Target, r.Verdict == Verdict.Info ? "" : r.Verdict.ToString().ToUpperInvariant() }).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(i => cells.Select(c => c[i].Length).Append(header[i].Length).Max()).ToArray();
        string Line(string[] c) => "| " + string.Join(" | ", c.Select((text, i) => text.PadRight(widths[i]))) + " |";
        Console.WriteLine(Line(header));
        Console.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var c in cells)
        {
            Console.WriteLine(Line(c));
        }
        var checks = _rows.Where(r => r.Verdict != Verdict.Info).ToList();
        var failed = checks.Count(r => r.Verdict == Verdict.Fail);
        Console.WriteLine();
        Console.WriteLine(failed == 0
            ? $"verdict: PASS ({checks.Count} targets met)"
            : $"verdict: FAIL ({failed} of {checks.Count} targets missed: {string.Join("; ", checks.Where(r => r.Verdict == Verdict.Fail).Select(r => r.Figure))})");
    }
}

internal static class Stats
{
    /// <summary>Nearest-rank percentile of <paramref name="values"/> (need not be sorted).</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double percent)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IReadOnlyCollection<double> values) => Percentile(values, 50);
}
