using System.Collections.Immutable;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Toxics;
using Chaos.Scenarios;

namespace Chaos.Proxy.Engine;

/// <summary>
/// One direction's data-toxic stages on one connection. The managed pipe and the pass-through loop share them,
/// so a toxic keeps its state (and its per-connection rolls) whichever of the two relays a chunk.
/// </summary>
internal sealed class DataStages(RelayConnection connection, Direction direction)
{
    // One entry per data toxic met, looked up by a scan: a connection has a handful at most, and an idle one should
    // hold no more than it needs (a Dictionary took about 240 bytes for one toxic).
    private (long Id, ToxicSpec Spec, IDataStage Stage)[] _stages = [];

    /// <summary>
    /// This connection's state for a data toxic. An update that changes what the toxic does (its attributes)
    /// starts a fresh stage, so open connections follow it; the toxic's identity, and so its roll, stays.
    /// </summary>
    public IDataStage For(ActiveToxic toxic)
    {
        var index = IndexOf(toxic.Id);
        if (index >= 0 && SameBehaviour(_stages[index].Spec, toxic.Spec))
        {
            return _stages[index].Stage;
        }
        var stage = toxic.Behaviour is IDataToxic data
            ? data.CreateStage(() => connection.Selection.RandomFor(toxic, direction))
            : throw new InvalidOperationException($"{toxic.Name} is not a data toxic");
        if (index >= 0)
        {
            _stages[index] = (toxic.Id, toxic.Spec, stage);
        }
        else
        {
            _stages = [.. _stages, (toxic.Id, toxic.Spec, stage)];
        }
        connection.Publish(new ToxicActed(DateTimeOffset.UtcNow, connection.ProxyName, connection.Id, toxic.Name, toxic.Spec.Type,
            toxic.Point, direction, $"shapes data {toxic.Spec.Attributes}"));
        return stage;
    }

    /// <summary>
    /// The delay, in timestamp ticks, that the delay toxics of <paramref name="toxics"/> acting on this connection
    /// give one chunk: the sum of theirs, as chained latency toxics add up. Other toxics are not for the loop and
    /// are left out: one published while the loop relays has already asked it to hand the connection back.
    /// </summary>
    public long DelayOf(ImmutableArray<ActiveToxic> toxics, long ticksPerSecond)
    {
        var delay = TimeSpan.Zero;
        foreach (var toxic in toxics)
        {
            if (toxic.Behaviour is IDelayToxic && connection.Selection.IsSelected(toxic))
            {
                delay += ((IDelayStage)For(toxic)).NextDelay();
            }
        }
        return (long)(delay.TotalSeconds * ticksPerSecond);
    }

    private int IndexOf(long id)
    {
        for (var i = 0; i < _stages.Length; i++)
        {
            if (_stages[i].Id == id)
            {
                return i;
            }
        }
        return -1;
    }

    private static bool SameBehaviour(ToxicSpec known, ToxicSpec now) =>
        ReferenceEquals(known, now) || (known.Type == now.Type && known.Attributes.SequenceEqual(now.Attributes));
}
