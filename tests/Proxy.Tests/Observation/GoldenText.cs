using System.Text;

namespace Chaos.Proxy.Tests.Observation;

/// <summary>Compares rendered text with a golden copy and, when they differ, fails with a line diff and the new text.</summary>
internal static class GoldenText
{
    public static void AssertMatches(string golden, string actual)
    {
        var expectedLines = golden.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        var actualLines = actual.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        if (expectedLines.SequenceEqual(actualLines))
        {
            return;
        }
        var message = new StringBuilder("The output differs from the golden text (- golden, + actual):\n");
        foreach (var line in Diff(expectedLines, actualLines))
        {
            message.Append(line).Append('\n');
        }
        message.Append("\nThe whole output, to paste as the new golden text if the change is right:\n").Append(actual);
        Assert.Fail(message.ToString());
    }

    /// <summary>A line diff from the longest common subsequence; enough for texts of a few hundred lines.</summary>
    private static IEnumerable<string> Diff(string[] a, string[] b)
    {
        var common = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                yield return "  " + a[x++];
                y++;
            }
            else if (x < a.Length && (y == b.Length || common[x + 1, y] >= common[x, y + 1]))
            {
                yield return "- " + a[x++];
            }
            else
            {
                yield return "+ " + b[y++];
            }
        }
    }
}
