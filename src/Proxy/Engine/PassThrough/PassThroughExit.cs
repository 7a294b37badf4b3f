namespace Chaos.Proxy.Engine.PassThrough;

/// <summary>A chunk the loop read but has not sent: its pooled buffer (the bytes from 0), when it was read and when it may go (timestamps).</summary>
internal readonly record struct HeldChunk(byte[] Buffer, int Count, long ReceivedAt, long Due);

/// <summary>
/// Where one direction stands when a connection leaves the pass-through loop, so the managed pump takes over
/// from there: over (its FIN went on, or the connection ended), whether its first byte was seen, the chunks
/// read but not yet sent (the pump now owns their buffers), and whether the sender's FIN was read behind them.
/// </summary>
internal readonly record struct PumpStart(bool Done, bool SeenData, HeldChunk[]? Held, bool FinRead)
{
    public static PumpStart Fresh => default;
}

/// <summary>How a connection left the loop: each direction's state, and any FIN still being forwarded (a fin toxic added meanwhile holds it).</summary>
internal readonly record struct PassThroughExit(PumpStart Upstream, PumpStart Downstream, Task FinsForwarded)
{
    public static PassThroughExit NotEntered { get; } = new(PumpStart.Fresh, PumpStart.Fresh, Task.CompletedTask);
}
