namespace Chaos.Scenarios;

/// <summary>"Did you mean" hints for misspelt names.</summary>
internal static class Suggestions
{
    /// <summary>A hint naming the closest candidate, or listing them all when none is close.</summary>
    public static string Hint(string input, IReadOnlyCollection<string> candidates, string listName)
    {
        var closest = Closest(input, candidates);
        return closest is not null
            ? $"did you mean '{closest}'?"
            : $"{listName}: {string.Join(", ", candidates)}";
    }

    public static string? Closest(string input, IEnumerable<string> candidates)
    {
        if (input.Length > 64)
        {
            return null;
        }

        var lowered = input.ToLowerInvariant();
        var best = candidates
            .Select(candidate => (candidate, distance: Distance(lowered, candidate.ToLowerInvariant())))
            .OrderBy(pair => pair.distance)
            .FirstOrDefault();
        return best.candidate is not null && best.distance <= Math.Max(1, Math.Min(input.Length, best.candidate.Length) / 3)
            ? best.candidate
            : null;
    }

    /// <summary>Optimal string alignment distance: edits, with a swap of neighbours counting as one.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
