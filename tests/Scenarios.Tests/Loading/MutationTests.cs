using System.Diagnostics;

namespace Chaos.Scenarios.Tests.Loading;

/// <summary>Seeded random edits of the examples: whatever the damage, the loader answers with diagnostics, never an exception, quickly.</summary>
public sealed class MutationTests
{
    private const string Alphabet = "{}[]:,-&*!|>'\"#\t\n ?%@`0123456789.abcxyz\\\0";

    [Theory]
    [InlineData("scenarios/examples/reset-before-server.yaml", 1)]
    [InlineData("scenarios/examples/toxiproxy-compat.json", 2)]
    public void LoadText_RandomEdits_NeverThrowAndStayFast(string example, int seed)
    {
        var original = File.ReadAllText(RepoPaths.Find(example));
        var random = new Random(seed);
        var slowest = TimeSpan.Zero;

        for (var i = 0; i < 3000; i++)
        {
            var text = Mutate(original, random);
            var watch = Stopwatch.StartNew();
            var result = ScenarioLoader.LoadText(text, "mutant.yaml");
            slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;

            Assert.True(result.IsValid || result.Diagnostics.Count > 0, text);
        }

        Assert.True(slowest < TimeSpan.FromSeconds(1), $"slowest: {slowest}");
    }

    private static string Mutate(string text, Random random)
    {
        var chars = text.ToList();
        for (var edits = random.Next(1, 6); edits > 0 && chars.Count > 0; edits--)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(3))
            {
                case 0:
                    chars[at] = Alphabet[random.Next(Alphabet.Length)];
                    break;
                case 1:
                    chars.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                    break;
                default:
                    chars.RemoveAt(at);
                    break;
            }
        }

        return new string([.. chars]);
    }
}
