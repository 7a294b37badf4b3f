namespace Chaos.Proxy.Observation.Reactions;

/// <summary>How a client spaced its retries.</summary>
public enum Backoff
{
    /// <summary>The same pause every time.</summary>
    Constant,

    /// <summary>Pauses growing by a steady step.</summary>
    Linear,

    /// <summary>Pauses growing by a steady ratio.</summary>
    Exponential,

    /// <summary>No steady shape: randomised pauses.</summary>
    Jittered,
}

/// <summary>
/// Names the shape of a series of retry intervals: constant (all within 25% of each other), linear (steady
/// steps), exponential (steady ratios of at least 1.3), else jittered. "Steady" allows a spread of 1.6,
/// because real clients' sleeps overshoot on a busy machine (a 100 ms pause measured 140 ms). Linear and
/// exponential are told apart by which of steps or ratios varies less: 100/200/300 has ratios 2 and 1.5 but
/// equal steps.
/// </summary>
internal static class BackoffClassifier
{
    private const double ConstantSpread = 1.25;
    private const double ShapeSpread = 1.6;
    private const double MinimumGrowth = 1.3;

    /// <summary>Null for fewer than three intervals: too few to call a shape.</summary>
    public static Backoff? Classify(IReadOnlyList<TimeSpan> intervals)
    {
        if (intervals.Count < 3)
        {
            return null;
        }
        var ms = intervals.Select(interval => Math.Max(interval.TotalMilliseconds, 0.001)).ToList();
        if (ms.Max() / ms.Min() <= ConstantSpread)
        {
            return Backoff.Constant;
        }
        var steps = ms.Zip(ms.Skip(1), (a, b) => b - a).ToList();
        var ratios = ms.Zip(ms.Skip(1), (a, b) => b / a).ToList();
        var stepSpread = steps.TrueForAll(step => step > 0) ? steps.Max() / steps.Min() : double.PositiveInfinity;
        var ratioSpread = ratios.TrueForAll(ratio => ratio >= MinimumGrowth) ? ratios.Max() / ratios.Min() : double.PositiveInfinity;
        if (Math.Min(stepSpread, ratioSpread) > ShapeSpread)
        {
            return Backoff.Jittered;
        }
        return stepSpread <= ratioSpread ? Backoff.Linear : Backoff.Exponential;
    }
}
