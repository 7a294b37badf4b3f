using System.Collections.Immutable;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Toxics;
using Chaos.Scenarios;

namespace Chaos.Proxy.Engine;

/// <summary>A toxic as a proxy runs it. <paramref name="Id"/> names this instance, so a changed attribute keeps its per-connection rolls and a re-added toxic rolls anew.</summary>
internal sealed record ActiveToxic(long Id, ToxicSpec Spec, LifecyclePoint Point, IToxic Behaviour)
{
    public string Name => Spec.Name;

    /// <summary>The direction it acts on: its stream at first_byte, data and fin; none elsewhere.</summary>
    public Direction? Direction => Point is LifecyclePoint.FirstByte or LifecyclePoint.Data or LifecyclePoint.Fin
        ? Spec.Stream == ToxicStream.Upstream ? Observation.Direction.Upstream : Observation.Direction.Downstream
        : null;
}

/// <summary>An immutable set of a proxy's toxics, in order. <see cref="Replaced"/> fires when a newer snapshot is published.</summary>
internal sealed class ToxicSnapshot(ImmutableArray<ActiveToxic> toxics, CancellationToken replaced)
{
    private readonly ImmutableArray<ActiveToxic> _upstreamData = [.. toxics.Where(t => t.Point == LifecyclePoint.Data && t.Direction == Direction.Upstream)];
    private readonly ImmutableArray<ActiveToxic> _downstreamData = [.. toxics.Where(t => t.Point == LifecyclePoint.Data && t.Direction == Direction.Downstream)];

    public ImmutableArray<ActiveToxic> Toxics { get; } = toxics;

    public CancellationToken Replaced { get; } = replaced;

    /// <summary>No toxic here does more than delay chunks: the pass-through loop can carry them all out (true when empty).</summary>
    public bool OnlyDelays { get; } = toxics.All(toxic => toxic.Behaviour is IDelayToxic);

    public bool Contains(long id) => Toxics.Any(toxic => toxic.Id == id);

    public ActiveToxic? Find(string name) => Toxics.FirstOrDefault(toxic => toxic.Name == name);

    /// <summary>The toxics acting at a point (and, where it matters, in a direction), in order.</summary>
    public IEnumerable<(ActiveToxic Toxic, T Behaviour)> At<T>(Direction? direction = null) where T : IToxic =>
        Toxics.Where(toxic => toxic.Behaviour is T && (direction is null || toxic.Direction == direction))
            .Select(toxic => (toxic, (T)toxic.Behaviour));

    public ImmutableArray<ActiveToxic> Data(Direction direction) => direction == Direction.Upstream ? _upstreamData : _downstreamData;
}

/// <summary>
/// A proxy's current toxics. Publishing swaps in a new snapshot in one assignment; live connections read it at
/// their next hook. The old snapshot's token is cancelled asynchronously, so a publish never runs (or waits
/// for) connection code: holds wake up on the thread pool and find out whether their toxic is gone.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001",
    Justification = "Each replaced token source is cancelled asynchronously and dropped; it has no timer to release.")]
internal sealed class ToxicBoard
{
    private static long s_nextId;
    private readonly Lock _publishing = new();
    private CancellationTokenSource _replaced = new();
    private ToxicSnapshot _current;

    public ToxicBoard() => _current = new ToxicSnapshot([], _replaced.Token);

    public ToxicSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Replaces the toxics with <paramref name="specs"/>. A toxic whose name and type stay keeps its identity (no re-roll).</summary>
    public ToxicSnapshot Publish(IEnumerable<ToxicSpec> specs)
    {
        lock (_publishing)
        {
            var previous = _current;
            return Publish(specs.Select(spec => Activate(spec, previous.Find(spec.Name))).ToImmutableArray());
        }
    }

    /// <summary>Replaces the toxics with ones already built (tests use it to plant a behaviour that fails).</summary>
    internal ToxicSnapshot Publish(ImmutableArray<ActiveToxic> toxics)
    {
        lock (_publishing)
        {
            var replaced = _replaced;
            _replaced = new CancellationTokenSource();
            Volatile.Write(ref _current, new ToxicSnapshot(toxics, _replaced.Token));
            _ = replaced.CancelAsync();
            return _current;
        }
    }

    private static ActiveToxic Activate(ToxicSpec spec, ActiveToxic? previous)
    {
        var point = ToxicCatalogue.TryGet(spec.Type, out var type)
            ? type.Point
            : throw new ArgumentException($"unknown toxic type '{spec.Type}'", nameof(spec));
        var id = previous is not null && previous.Spec.Type == spec.Type ? previous.Id : Interlocked.Increment(ref s_nextId);
        return new ActiveToxic(id, spec, point, ToxicFactory.Create(spec));
    }
}
