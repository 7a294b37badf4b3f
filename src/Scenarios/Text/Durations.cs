using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Chaos.Scenarios;

/// <summary>
/// Durations as scenarios write them: a whole number of milliseconds (<c>250</c>), or one or more
/// number-and-unit parts (<c>250ms</c>, <c>1.5s</c>, <c>2m</c>, <c>1m30s</c>; units <c>us µs ms s m h</c>).
/// Negative, empty and malformed durations are rejected, as are durations over <see cref="Max"/>.
/// </summary>
public static class Durations
{
    /// <summary>The longest duration accepted anywhere in a scenario.</summary>
    public static TimeSpan Max { get; } = TimeSpan.FromDays(7);

    private static readonly (string Unit, decimal Ticks)[] Units =
    [
        ("us", TimeSpan.TicksPerMicrosecond),
        ("µs", TimeSpan.TicksPerMicrosecond),
        ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour),
    ];

    /// <summary>Parses a duration.</summary>
    /// <param name="text">The text, e.g. <c>250</c> (ms), <c>250ms</c>, <c>1.5s</c>.</param>
    /// <param name="value">The duration.</param>
    /// <returns>True when <paramref name="text"/> is a valid duration.</returns>
    public static bool TryParse(string text, out TimeSpan value) => TryParse(text, out value, out _);

    internal static bool TryParse(string text, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        value = TimeSpan.Zero;
        var trimmed = text.Trim();
        if (trimmed.StartsWith('-'))
        {
            error = $"'{trimmed}' is negative";
            return false;
        }

        if (long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return Check(trimmed, milliseconds * (decimal)TimeSpan.TicksPerMillisecond, out value, out error);
        }

        decimal ticks = 0;
        var rest = trimmed.AsSpan();
        if (rest.IsEmpty)
        {
            error = "a duration is empty";
            return false;
        }

        while (!rest.IsEmpty)
        {
            var digits = 0;
            while (digits < rest.Length && (char.IsAsciiDigit(rest[digits]) || rest[digits] == '.'))
            {
                digits++;
            }

            var unitLength = 0;
            while (digits + unitLength < rest.Length && char.IsLetter(rest[digits + unitLength]))
            {
                unitLength++;
            }

            var unit = rest.Slice(digits, unitLength).ToString();
            var factor = Array.Find(Units, u => u.Unit == unit).Ticks;
            if (digits == 0 || factor == 0
                || !decimal.TryParse(rest[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
                || amount > (decimal)Max.Ticks)
            {
                error = $"'{trimmed}' is not a duration";
                return false;
            }

            ticks += amount * factor;
            rest = rest[(digits + unitLength)..];
        }

        return Check(trimmed, ticks, out value, out error);
    }

    /// <summary>Formats a duration the way scenarios write it: <c>250ms</c>, <c>1.5s</c>, <c>2m</c>.</summary>
    public static string Format(TimeSpan value)
    {
        var builder = new StringBuilder();
        if (value.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            return builder.Append(CultureInfo.InvariantCulture, $"{value.Ticks / (decimal)TimeSpan.TicksPerMicrosecond}us").ToString();
        }

        if (value.Ticks % TimeSpan.TicksPerSecond != 0 || value == TimeSpan.Zero)
        {
            return value.TotalMilliseconds < 1000
                ? builder.Append(CultureInfo.InvariantCulture, $"{(long)value.TotalMilliseconds}ms").ToString()
                : builder.Append(CultureInfo.InvariantCulture, $"{value.Ticks / (decimal)TimeSpan.TicksPerSecond}s").ToString();
        }

        return value.Ticks % TimeSpan.TicksPerMinute == 0
            ? builder.Append(CultureInfo.InvariantCulture, $"{value.Ticks / TimeSpan.TicksPerMinute}m").ToString()
            : builder.Append(CultureInfo.InvariantCulture, $"{value.Ticks / TimeSpan.TicksPerSecond}s").ToString();
    }

    private static bool Check(string text, decimal ticks, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        if (ticks > Max.Ticks)
        {
            value = TimeSpan.Zero;
            error = $"'{text}' is longer than {Format(Max)}";
            return false;
        }

        value = TimeSpan.FromTicks((long)ticks);
        error = null;
        return true;
    }
}
