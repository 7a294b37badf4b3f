namespace Chaos.Proxy.Toxics;

/// <summary><c>limit_data</c> (Toxiproxy): exactly <c>bytes</c> bytes pass in the stream, then the connection is closed with FIN.</summary>
internal sealed class LimitData(long limit) : IDataToxic
{
    public IDataStage CreateStage(Func<Random> random) => new Stage(limit);

    private sealed class Stage(long limit) : IDataStage
    {
        private long _passed;

        public void Transform(ChunkPlan plan)
        {
            var kept = new List<Piece>();
            foreach (var piece in plan.Pieces)
            {
                var room = (int)Math.Min(piece.Length, limit - _passed);
                if (room > 0)
                {
                    kept.Add(piece with { Length = room });
                    _passed += room;
                }
            }
            plan.ReplacePieces(kept);
            if (_passed >= limit)
            {
                plan.End = (DecisionKind.CloseWithFin, kept.Count > 0 ? kept[^1].NotBefore : plan.ReceivedAt);
            }
        }
    }
}

/// <summary>
/// <c>timeout</c> (Toxiproxy): data in the stream is dropped, and the connection is closed with FIN
/// <c>timeout</c> after the first chunk it drops (0 = never). Toxiproxy starts that clock when the toxic
/// attaches; here it starts with the first data, so a direction that never sends is never closed by it.
/// </summary>
internal sealed class DataTimeout(TimeSpan timeout) : IDataToxic
{
    public IDataStage CreateStage(Func<Random> random) => new DropAndEnd(DecisionKind.CloseWithFin, timeout, endWhenZero: false);
}

/// <summary><c>reset_peer</c> (Toxiproxy): the first data in the stream is held, and both sides get RST <c>timeout</c> later.</summary>
internal sealed class ResetPeer(TimeSpan timeout) : IDataToxic
{
    public IDataStage CreateStage(Func<Random> random) => new DropAndEnd(DecisionKind.ResetWithRst, timeout, endWhenZero: true);
}

/// <summary>Drops every chunk; from the first one, ends the connection <c>after</c> later.</summary>
internal sealed class DropAndEnd(DecisionKind end, TimeSpan after, bool endWhenZero) : IDataStage
{
    private bool _scheduled;

    public void Transform(ChunkPlan plan)
    {
        plan.Pieces.Clear();
        if (!_scheduled && (after > TimeSpan.Zero || endWhenZero))
        {
            _scheduled = true;
            plan.End = (end, plan.Later(plan.ReceivedAt, after));
        }
    }
}

/// <summary><c>noop</c>: changes nothing; useful to count and select connections.</summary>
internal sealed class Noop : IDataToxic
{
    public IDataStage CreateStage(Func<Random> random) => new Stage();

    private sealed class Stage : IDataStage
    {
        public void Transform(ChunkPlan plan)
        {
        }
    }
}
