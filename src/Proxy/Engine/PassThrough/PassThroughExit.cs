namespace Chaos.Proxy.Engine.PassThrough;

/// <summary>
/// Where one direction stands when a connection leaves the pass-through loop, so the managed pump takes over
/// from there: over (its FIN went on, or the connection ended), whether its first byte was seen, and bytes
/// read but not yet sent (a pooled buffer from offset 0, which the pump now owns).
/// </summary>
internal readonly record struct PumpStart(bool Done, bool SeenData, byte[]? Pending, int PendingCount)
{
    public static PumpStart Fresh => default;
}

/// <summary>How a connection left the loop: each direction's state, and any FIN still being forwarded (a fin toxic added meanwhile holds it).</summary>
internal sealed record PassThroughExit(PumpStart Upstream, PumpStart Downstream, Task FinsForwarded)
{
    public static PassThroughExit NotEntered { get; } = new(PumpStart.Fresh, PumpStart.Fresh, Task.CompletedTask);
}
