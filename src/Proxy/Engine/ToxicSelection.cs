using System.Net;
using System.Text;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine;

/// <summary>
/// Which toxics act on one connection. Each toxic's toxicity is rolled once per connection, and the roll is a
/// hash of (run seed, proxy, toxic, connection ordinal) rather than a draw from a shared generator: the same
/// seed then picks the same connections however concurrent connections interleave, and other toxics coming
/// and going never re-roll it (both are Toxiproxy bugs).
/// </summary>
internal sealed class ToxicSelection(long seed, string proxy, long ordinal, IPAddress client)
{
    // Each toxic's decision, in the order they were first asked about. A connection meets a handful of toxics at
    // most, and an idle one should hold no more than it needs: a ConcurrentDictionary took about 500 bytes for two.
    private (long Toxic, bool Selected)[] _decided = [];

    public bool IsSelected(ActiveToxic toxic)
    {
        while (true)
        {
            var decided = Volatile.Read(ref _decided);
            foreach (var (id, selected) in decided)
            {
                if (id == toxic.Id)
                {
                    return selected;
                }
            }
            (long, bool)[] more = [.. decided, (toxic.Id, Decide(toxic))];
            // Two threads deciding at once: one decision is kept, and both go by it.
            Interlocked.CompareExchange(ref _decided, more, decided);
        }
    }

    private bool Decide(ActiveToxic toxic) =>
        toxic.Spec.Where.Matches((int)Math.Min(ordinal, int.MaxValue), client) && Roll(toxic.Name) < toxic.Spec.Toxicity;

    /// <summary>A generator for one toxic's jitter or slice sizes on one direction of this connection.</summary>
    public Random RandomFor(ActiveToxic toxic, Direction direction) =>
        new((int)Mix(seed, $"{proxy}\0{toxic.Name}\0{ordinal}\0{direction}"));

    private double Roll(string toxic) => (Mix(seed, $"{proxy}\0{toxic}\0{ordinal}") >> 11) * (1.0 / (1UL << 53));

    /// <summary>FNV-1a over the text, then SplitMix64's finaliser with the seed: stable across processes and platforms.</summary>
    private static ulong Mix(long seed, string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        var z = hash ^ (ulong)seed;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
