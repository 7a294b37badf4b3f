using System.Globalization;
using Chaos.Scenarios;

namespace Chaos.Proxy.Observation.Reactions;

/// <summary>An expectation checked against a run: what was observed, and whether it held. No value (e.g. no retries at all) fails it.</summary>
public sealed record ExpectationResult(Expectation Expectation, double? Observed)
{
    public bool Passed => Observed is { } observed && Expectation.IsSatisfiedBy(observed);

    /// <summary>The observed value in the expectation's unit, e.g. "3", "412.5 ms", "no value".</summary>
    public string ObservedText => Observed switch
    {
        null => "no value",
        { } value when Expectation.Metric.Kind == MetricKind.Duration => $"{value.ToString("0.#", CultureInfo.InvariantCulture)} ms",
        { } value => value.ToString("0.###", CultureInfo.InvariantCulture),
    };

    public static IReadOnlyList<ExpectationResult> Evaluate(IEnumerable<Expectation> expectations, ReactionReport report) =>
        [.. expectations.Select(expectation => new ExpectationResult(expectation, report.Observe(expectation)))];

    public override string ToString() => $"{(Passed ? "pass" : "FAIL")}  {Expectation}  (observed {ObservedText})";
}
