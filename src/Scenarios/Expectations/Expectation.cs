using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Chaos.Scenarios;

/// <summary>A comparison operator of an expectation.</summary>
public enum ComparisonOperator
{
    /// <summary><c>==</c></summary>
    Equal,

    /// <summary><c>!=</c></summary>
    NotEqual,

    /// <summary><c>&lt;</c></summary>
    Less,

    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,

    /// <summary><c>&gt;</c></summary>
    Greater,

    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,
}

/// <summary>The right-hand side of an expectation: a plain number, or a duration.</summary>
/// <param name="Number">The number; for a duration, its length in milliseconds.</param>
/// <param name="Duration">The duration as written, or null for a plain number.</param>
public readonly record struct ExpectationValue(double Number, TimeSpan? Duration)
{
    /// <inheritdoc/>
    public override string ToString() =>
        Duration is { } duration ? Durations.Format(duration) : Number.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// A parsed <c>expect:</c> line, <c>[proxy.]metric op value</c>, checked at the end of a run.
/// </summary>
/// <param name="Proxy">The proxy the metric is read from, or null for the sum over all proxies.</param>
/// <param name="Metric">The metric.</param>
/// <param name="Operator">The comparison.</param>
/// <param name="Value">The value compared with.</param>
public sealed record Expectation(string? Proxy, ExpectationMetric Metric, ComparisonOperator Operator, ExpectationValue Value)
{
    /// <summary>
    /// True when <paramref name="actual"/> satisfies the comparison. Give durations in milliseconds,
    /// counts and bytes as they are.
    /// </summary>
    public bool IsSatisfiedBy(double actual) => Operator switch
    {
        ComparisonOperator.Equal => actual == Value.Number,
        ComparisonOperator.NotEqual => actual != Value.Number,
        ComparisonOperator.Less => actual < Value.Number,
        ComparisonOperator.LessOrEqual => actual <= Value.Number,
        ComparisonOperator.Greater => actual > Value.Number,
        _ => actual >= Value.Number,
    };

    /// <summary>Parses <c>[proxy.]metric op value</c>; any proxy prefix is accepted (the loader checks it against the scenario's proxies).</summary>
    /// <param name="text">e.g. <c>web.client.retries &gt;= 1</c> or <c>client.gave_up_after &lt; 10s</c>.</param>
    /// <param name="expectation">The parsed expectation.</param>
    /// <param name="error">What is wrong, when parsing fails.</param>
    /// <returns>True when <paramref name="text"/> is a valid expectation.</returns>
    public static bool TryParse(string text, [NotNullWhen(true)] out Expectation? expectation, [NotNullWhen(false)] out string? error)
    {
        var ok = ExpectationParser.TryParse(text, null, out expectation, out var problem);
        error = problem?.Message;
        return ok;
    }

    /// <summary>Formats as written in a scenario, e.g. <c>web.client.retries &gt;= 1</c>.</summary>
    public override string ToString() =>
        $"{(Proxy is null ? string.Empty : Proxy + ".")}{Metric.Name} {ExpectationParser.Symbol(Operator)} {Value}";
}
