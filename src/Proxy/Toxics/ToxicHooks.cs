namespace Chaos.Proxy.Toxics;

/// <summary>A toxic's behaviour; it implements the hook interface of the lifecycle point where it acts.</summary>
internal interface IToxic;

/// <summary>Acts on the listener itself, for every client of the port.</summary>
internal interface IListenToxic : IToxic
{
    ListenFault Fault { get; }
}

/// <summary>What a listen toxic does to the listener while it is present.</summary>
/// <param name="Refuse">Close the listening socket: new connects get ECONNREFUSED.</param>
/// <param name="ReleaseAfter">For the accept-queue plug: pull it after this long (null: while the toxic is present).</param>
internal sealed record ListenFault(bool Refuse, TimeSpan? ReleaseAfter);

/// <summary>Acts after accept(), before the upstream is dialled.</summary>
internal interface IAcceptToxic : IToxic
{
    Decision OnAccept();
}

/// <summary>Acts around the upstream dial.</summary>
internal interface IConnectToxic : IToxic
{
    Decision OnConnect();
}

/// <summary>Acts on the first chunk in its stream.</summary>
internal interface IFirstByteToxic : IToxic
{
    Decision OnFirstByte();
}

/// <summary>Acts when the FIN travelling in its stream arrives. Close and reset decisions hit the receiver of the FIN.</summary>
internal interface IFinToxic : IToxic
{
    Decision OnFin();
}

/// <summary>Acts when the connection ends, whichever side starts the teardown.</summary>
internal interface ICloseToxic : IToxic
{
    Decision OnClose();
}

/// <summary>Acts on every chunk in its stream, with state kept per connection and direction.</summary>
internal interface IDataToxic : IToxic
{
    /// <summary>
    /// A stage for one connection's direction. <paramref name="random"/> makes a generator seeded per connection,
    /// for reproducible jitter and slices; a stage that draws nothing does not make one (about 300 bytes each).
    /// </summary>
    IDataStage CreateStage(Func<Random> random);
}

/// <summary>One data toxic's state on one direction of one connection.</summary>
internal interface IDataStage
{
    /// <summary>Reshapes the pieces of one chunk: delay, split, truncate or drop them, or end the connection after them.</summary>
    void Transform(ChunkPlan plan);
}

/// <summary>
/// A data toxic that only delays whole chunks (latency). Its stages are <see cref="IDelayStage"/>s, so the
/// pass-through loop can carry it out itself instead of handing the connection to the managed relay.
/// </summary>
internal interface IDelayToxic : IDataToxic;

/// <summary>The stage of an <see cref="IDelayToxic"/>.</summary>
internal interface IDelayStage : IDataStage
{
    /// <summary>The delay of the next chunk (never negative); each call stands for one chunk, as each <see cref="IDataStage.Transform"/> does.</summary>
    TimeSpan NextDelay();
}
