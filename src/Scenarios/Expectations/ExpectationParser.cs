using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Chaos.Scenarios;

/// <summary>A problem in an expectation line, with the 0-based offset of the offending part.</summary>
internal sealed record ExpectationProblem(string Code, string Message, string? Hint, int Offset);

/// <summary>Parses <c>[proxy.]metric op value</c>.</summary>
internal static partial class ExpectationParser
{
    private const string Grammar = "write '[proxy.]metric op value', e.g. 'web.client.retries >= 1' or 'client.gave_up_after < 10s'; op is one of == != < <= > >=";

    private static readonly (string Symbol, ComparisonOperator Operator)[] Operators =
    [
        ("==", ComparisonOperator.Equal),
        ("!=", ComparisonOperator.NotEqual),
        ("<=", ComparisonOperator.LessOrEqual),
        (">=", ComparisonOperator.GreaterOrEqual),
        ("<", ComparisonOperator.Less),
        (">", ComparisonOperator.Greater),
    ];

    public static string Symbol(ComparisonOperator op) => Array.Find(Operators, pair => pair.Operator == op).Symbol;

    /// <param name="text">The expectation.</param>
    /// <param name="proxies">The known proxy names, or null to accept any prefix.</param>
    /// <param name="expectation">The parsed expectation.</param>
    /// <param name="problem">What is wrong, when parsing fails.</param>
    public static bool TryParse(string text, IReadOnlySet<string>? proxies,
        [NotNullWhen(true)] out Expectation? expectation, [NotNullWhen(false)] out ExpectationProblem? problem)
    {
        expectation = null;
        var match = Shape().Match(text);
        if (!match.Success)
        {
            problem = new(DiagnosticCodes.MalformedExpectation, $"'{text}' is not an expectation", Grammar, 0);
            return false;
        }

        var left = match.Groups["left"];
        var valueGroup = match.Groups["value"];
        if (!TryMetric(left.Value, proxies, out var proxy, out var metric, out problem))
        {
            problem = problem with { Offset = left.Index + problem.Offset };
            return false;
        }

        if (!TryValue(valueGroup.Value, metric, out var value, out var valueProblem))
        {
            problem = valueProblem with { Offset = valueGroup.Index };
            return false;
        }

        var op = Array.Find(Operators, pair => pair.Symbol == match.Groups["op"].Value).Operator;
        expectation = new Expectation(proxy, metric, op, value);
        return true;
    }

    private static bool TryMetric(string left, IReadOnlySet<string>? proxies, out string? proxy,
        [NotNullWhen(true)] out ExpectationMetric? metric, [NotNullWhen(false)] out ExpectationProblem? problem)
    {
        problem = null;
        proxy = null;
        metric = ExpectationMetrics.All.FirstOrDefault(candidate => left == candidate.Name || left.EndsWith("." + candidate.Name, StringComparison.Ordinal));
        if (metric is null)
        {
            var dot = left.IndexOf('.', StringComparison.Ordinal);
            var prefixed = dot > 0 && proxies?.Contains(left[..dot]) == true;
            var name = prefixed ? left[(dot + 1)..] : left;
            problem = new(DiagnosticCodes.UnknownMetric, $"'{name}' is not a metric",
                Suggestions.Hint(name, ExpectationMetrics.Names, "known metrics"), prefixed ? dot + 1 : 0);
            return false;
        }

        if (left.Length > metric.Name.Length)
        {
            proxy = left[..(left.Length - metric.Name.Length - 1)];
            if (proxies is not null && !proxies.Contains(proxy))
            {
                problem = new(DiagnosticCodes.UnknownProxy, $"there is no proxy named '{proxy}'",
                    proxies.Count == 0 ? "the scenario has no proxies" : Suggestions.Hint(proxy, [.. proxies.Order(StringComparer.Ordinal)], "proxies"), 0);
                return false;
            }
        }

        return true;
    }

    private static bool TryValue(string text, ExpectationMetric metric, out ExpectationValue value, [NotNullWhen(false)] out ExpectationProblem? problem)
    {
        problem = null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            value = new ExpectationValue(number, null);
            return true;
        }

        value = default;
        if (!Durations.TryParse(text, out var duration, out var error))
        {
            problem = new(DiagnosticCodes.MalformedExpectation, $"'{text}' is neither a number nor a duration ({error})", NodeBinder.DurationHint, 0);
            return false;
        }

        if (metric.Kind != MetricKind.Duration)
        {
            problem = new(DiagnosticCodes.ExpectationUnitMismatch, $"{metric.Name} is a {metric.Kind.ToString().ToLowerInvariant()} metric, so it cannot be compared with the duration '{text}'",
                "compare it with a plain number", 0);
            return false;
        }

        value = new ExpectationValue(duration.TotalMilliseconds, duration);
        return true;
    }

    [GeneratedRegex(@"^\s*(?<left>[A-Za-z0-9_][A-Za-z0-9_.\-]*)\s*(?<op>==|!=|<=|>=|<|>)\s*(?<value>[^\s<>=!]+)\s*$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Shape();
}
