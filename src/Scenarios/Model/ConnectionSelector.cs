using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Chaos.Scenarios;

/// <summary>
/// A <c>where.connections</c> selector over 1-based connection ordinals on one proxy:
/// <c>"2"</c>, <c>"1-3"</c>, <c>"2,4,6"</c> (items may be ranges: <c>"1-3,7"</c>), <c>"every 3"</c> (3rd, 6th, ...),
/// <c>"after 5"</c> (6th onwards).
/// </summary>
public sealed class ConnectionSelector
{
    private readonly ImmutableArray<(int From, int To)> _ranges;
    private readonly int _every;
    private readonly int _after;

    private ConnectionSelector(string text, ImmutableArray<(int From, int To)> ranges, int every, int after)
    {
        Text = text;
        _ranges = ranges;
        _every = every;
        _after = after;
    }

    /// <summary>The selector in its canonical text form.</summary>
    public string Text { get; }

    /// <summary>True when the connection with 1-based <paramref name="ordinal"/> is selected.</summary>
    public bool Matches(int ordinal)
    {
        if (_every > 0)
        {
            return ordinal > 0 && ordinal % _every == 0;
        }

        if (_after > 0)
        {
            return ordinal > _after;
        }

        return _ranges.Any(range => ordinal >= range.From && ordinal <= range.To);
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    /// <summary>Parses the selector grammar.</summary>
    /// <param name="text">The selector text.</param>
    /// <param name="selector">The parsed selector.</param>
    /// <returns>True when <paramref name="text"/> follows the grammar.</returns>
    public static bool TryParse(string text, [NotNullWhen(true)] out ConnectionSelector? selector) => TryParse(text, out selector, out _);

    internal static bool TryParse(string text, [NotNullWhen(true)] out ConnectionSelector? selector, [NotNullWhen(false)] out string? error)
    {
        selector = null;
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 2 && words[0] is "every" or "after")
        {
            if (!TryOrdinal(words[1], out var n, out error))
            {
                return false;
            }

            selector = words[0] == "every"
                ? new ConnectionSelector($"every {n}", [], n, 0)
                : new ConnectionSelector($"after {n}", [], 0, n);
            return true;
        }

        error = null;
        var ranges = ImmutableArray.CreateBuilder<(int, int)>();
        foreach (var item in text.Split(','))
        {
            var bounds = item.Trim().Split('-');
            if (bounds.Length > 2 || !TryOrdinal(bounds[0], out var from, out error))
            {
                error ??= $"'{item.Trim()}' is not an ordinal or a range";
                return false;
            }

            var to = from;
            if (bounds.Length == 2 && !TryOrdinal(bounds[1], out to, out error))
            {
                return false;
            }

            if (to < from)
            {
                error = $"the range '{item.Trim()}' is backwards";
                return false;
            }

            ranges.Add((from, to));
        }

        var canonical = string.Join(',', ranges.Select(r => r.Item1 == r.Item2
            ? r.Item1.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{r.Item1}-{r.Item2}")));
        selector = new ConnectionSelector(canonical, ranges.ToImmutable(), 0, 0);
        return true;
    }

    private static bool TryOrdinal(string text, out int value, [NotNullWhen(false)] out string? error)
    {
        var trimmed = text.Trim();
        if (int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1)
        {
            error = null;
            return true;
        }

        error = $"'{trimmed}' is not a connection ordinal (a whole number from 1)";
        return false;
    }
}
