namespace Chaos.Proxy.Observation;

/// <summary>
/// What the client or server program itself did or saw, with its own socket's kernel state (TCP_INFO) when it
/// has one. Only lesson runs (<c>chaos lesson</c>) make these: there both programs run inside Chaos; they never go through the bus.
/// </summary>
internal sealed record PeerObserved(DateTimeOffset Time, string Proxy, long Connection, Side Side, string What, string? State)
    : ChaosEvent(Time, Proxy, Connection);
