using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Chaos.Scenarios.Tests.Properties;

/// <summary>
/// Properties of the small grammars scenarios are written in (durations, connection selectors, expectations):
/// what they accept means what it says, the canonical form reads back the same, and no text makes them throw.
/// The coverage-guided fuzzer (fuzz/run.sh) hammers the same parsers with mutated bytes.
/// </summary>
public sealed class GrammarPropertyTests
{
    private static readonly Arbitrary<string> AnyText = ArbMap.Default.ArbFor<string>();

    private static readonly Gen<TimeSpan> Durations_ = Gen.OneOf(
        Gen.Choose(0, (int)Durations.Max.TotalMilliseconds).Select(ms => TimeSpan.FromMilliseconds(ms)),
        Gen.Choose(0, int.MaxValue).Select(us => TimeSpan.FromMicroseconds(us)),
        Gen.Choose(0, (int)Durations.Max.TotalSeconds).Select(s => TimeSpan.FromSeconds(s)));

    [Property(MaxTest = 2000)]
    public Property Duration_Formatted_ParsesBackToItself() =>
        Prop.ForAll(Durations_.ToArbitrary(), value => Durations.TryParse(Durations.Format(value), out var back) && back == value);

    [Property(MaxTest = 2000)]
    public Property Duration_WholeNumber_IsMilliseconds() =>
        Prop.ForAll(Gen.Choose(0, (int)Durations.Max.TotalMilliseconds).ToArbitrary(), ms =>
            Durations.TryParse(ms.ToString(CultureInfo.InvariantCulture), out var value) && value == TimeSpan.FromMilliseconds(ms));

    [Property(MaxTest = 2000)]
    public Property Duration_Parts_AddUp() =>
        Prop.ForAll(Gen.Choose(0, 1000).Two().ToArbitrary(), pair =>
            Durations.TryParse($"{pair.Item1}m{pair.Item2}s", out var value)
            && value == TimeSpan.FromMinutes(pair.Item1) + TimeSpan.FromSeconds(pair.Item2));

    [Property(MaxTest = 5000)]
    public Property Duration_AnyText_NeverThrowsAndStaysInRange() =>
        Prop.ForAll(AnyText, text => text is null
            || !Durations.TryParse(text, out var value) || (value >= TimeSpan.Zero && value <= Durations.Max));

    [Property(MaxTest = 2000)]
    public Property Selector_Range_MatchesExactlyItsOrdinals() =>
        Prop.ForAll(
            (from start in Gen.Choose(1, 1000)
             from length in Gen.Choose(0, 1000)
             from probe in Gen.Choose(1, 3000)
             select (From: start, To: start + length, Probe: probe)).ToArbitrary(),
            c => ConnectionSelector.TryParse($"{c.From}-{c.To}", out var selector)
                 && selector.Matches(c.Probe) == (c.Probe >= c.From && c.Probe <= c.To));

    [Property(MaxTest = 2000)]
    public Property Selector_Every_MatchesMultiplesOnly() =>
        Prop.ForAll(Gen.Choose(1, 100).Two().Select(p => (Every: p.Item1, Probe: p.Item2 * 7)).ToArbitrary(),
            c => ConnectionSelector.TryParse($"every {c.Every}", out var selector) && selector.Matches(c.Probe) == (c.Probe % c.Every == 0));

    [Property(MaxTest = 2000)]
    public Property Selector_After_MatchesLaterOrdinalsOnly() =>
        Prop.ForAll(Gen.Choose(1, 5000).Two().ToArbitrary(),
            p => ConnectionSelector.TryParse($"after {p.Item1}", out var selector) && selector.Matches(p.Item2) == (p.Item2 > p.Item1));

    [Property(MaxTest = 1000)]
    public Property Selector_List_CanonicalTextSelectsTheSame() =>
        Prop.ForAll(Gen.Choose(1, 60).NonEmptyListOf().ToArbitrary(), ordinals =>
        {
            var text = string.Join(" , ", ordinals.Select(o => o.ToString(CultureInfo.InvariantCulture)));
            return ConnectionSelector.TryParse(text, out var first)
                   && ConnectionSelector.TryParse(first.Text, out var again)
                   && Enumerable.Range(1, 64).All(k => first.Matches(k) == ordinals.Contains(k) && again.Matches(k) == first.Matches(k));
        });

    [Property(MaxTest = 5000)]
    public Property Selector_AnyText_NeverThrows() =>
        Prop.ForAll(AnyText, text => text is null || !ConnectionSelector.TryParse(text, out var selector) || selector.Text.Length > 0);

    [Property(MaxTest = 2000)]
    public Property Expectation_Generated_ReadsBackAsWritten() =>
        Prop.ForAll(
            (from metric in Gen.Elements(ExpectationMetrics.All.ToArray())
             from op in Gen.Elements("==", "!=", "<", "<=", ">", ">=")
             from number in Gen.Choose(0, 1_000_000)
             from proxy in Gen.Elements<string?>(null, "web", "db")
             select (Metric: metric, Op: op, Number: number, Proxy: proxy)).ToArbitrary(),
            c =>
            {
                var value = c.Metric.Kind == MetricKind.Duration ? $"{c.Number}ms" : c.Number.ToString(CultureInfo.InvariantCulture);
                var text = $"{(c.Proxy is null ? "" : c.Proxy + ".")}{c.Metric.Name} {c.Op} {value}";
                return Expectation.TryParse(text, out var parsed, out _)
                       && parsed.Metric == c.Metric && parsed.Proxy == c.Proxy && parsed.Value.Number == c.Number
                       && Expectation.TryParse(parsed.ToString(), out var again, out _) && again == parsed;
            });

    [Property(MaxTest = 5000)]
    public Property Expectation_AnyText_NeverThrows() =>
        Prop.ForAll(AnyText, text => text is null || Expectation.TryParse(text, out _, out var error) || error is not null);

    [Property(MaxTest = 2000)]
    public Property ClientNetwork_AddressWithPrefix_ContainsTheAddress() =>
        Prop.ForAll(
            (from bytes in Gen.Choose(0, 255).ArrayOf(4)
             from prefix in Gen.Choose(0, 32)
             select (Address: string.Join('.', bytes), Prefix: prefix)).ToArbitrary(),
            c => ClientSelector.TryParseNetwork($"{c.Address}/{c.Prefix}", out var network)
                 && network.Contains(System.Net.IPAddress.Parse(c.Address)));
}
