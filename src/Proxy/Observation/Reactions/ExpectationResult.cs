using System.Globalization;
using Chaos.Scenarios;

namespace Chaos.Proxy.Observation.Reactions;

/// <summary>An expectation checked against a run: what was observed, and whether it held. No value (e.g. no retries at all) fails it.</summary>
/// <param name="Expectation">The expectation checked.</param>
/// <param name="Observed">The value the run gave its metric (durations in ms), or null when it gave none.</param>
public sealed record ExpectationResult(Expectation Expectation, double? Observed)
{
    /// <summary>Whether the observed value satisfies the expectation.</summary>
    public bool Passed => Observed is { } observed && Expectation.IsSatisfiedBy(observed);

    /// <summary>The observed value in the expectation's unit, e.g. "3", "412.5 ms", "no value".</summary>
    public string ObservedText => Observed switch
    {
        null => "no value",
        { } value when Expectation.Metric.Kind == MetricKind.Duration => $"{value.ToString("0.#", CultureInfo.InvariantCulture)} ms",
        { } value => value.ToString("0.###", CultureInfo.InvariantCulture),
    };

    /// <summary>Checks each expectation against a report, in order.</summary>
    public static IReadOnlyList<ExpectationResult> Evaluate(IEnumerable<Expectation> expectations, ReactionReport report) =>
        [.. expectations.Select(expectation => new ExpectationResult(expectation, report.Observe(expectation)))];

    /// <summary>One line, e.g. "FAIL  client.retries &gt;= 2  (observed 1)".</summary>
    public override string ToString() => $"{(Passed ? "pass" : "FAIL")}  {Expectation}  (observed {ObservedText})";
}
