using System.Net;
using System.Net.Sockets;

namespace Chaos.Proxy.Observation;

/// <summary>Which peer of a relayed connection: the client that connected to the proxy, or the upstream server.</summary>
public enum Side { Client, Server }

/// <summary>Toxiproxy's naming: upstream is client→server, downstream is server→client.</summary>
public enum Direction { Upstream, Downstream }

/// <summary>Why a relayed connection ended; the first reason recorded wins.</summary>
public enum CloseReason
{
    /// <summary>Both directions ended with a FIN.</summary>
    Completed,
    ClientReset,
    ServerReset,
    UpstreamRefused,
    UpstreamTimeout,
    UpstreamUnreachable,
    ProxyStopped,

    /// <summary>A toxic ended the connection with FIN.</summary>
    ToxicClosed,

    /// <summary>A toxic ended the connection with RST.</summary>
    ToxicReset,
    Error,

    /// <summary>No byte moved either way for the proxy's <c>idle_timeout</c>; both sides got a FIN.</summary>
    IdleTimeout,
}

/// <summary>A timestamped fact about one proxy or one of its connections. Connection 0 means the proxy itself.</summary>
public abstract record ChaosEvent(DateTimeOffset Time, string Proxy, long Connection);

public sealed record ProxyStarted(DateTimeOffset Time, string Proxy, EndPoint Listen, string Upstream)
    : ChaosEvent(Time, Proxy, 0);

public sealed record ProxyStopped(DateTimeOffset Time, string Proxy) : ChaosEvent(Time, Proxy, 0);

public sealed record ConnectionAccepted(DateTimeOffset Time, string Proxy, long Connection, EndPoint Client)
    : ChaosEvent(Time, Proxy, Connection);

public sealed record UpstreamConnecting(DateTimeOffset Time, string Proxy, long Connection, string Target)
    : ChaosEvent(Time, Proxy, Connection);

public sealed record UpstreamConnected(DateTimeOffset Time, string Proxy, long Connection, EndPoint Local, TimeSpan Took)
    : ChaosEvent(Time, Proxy, Connection);

public sealed record UpstreamFailed(DateTimeOffset Time, string Proxy, long Connection, CloseReason Reason, SocketError Error, TimeSpan Took)
    : ChaosEvent(Time, Proxy, Connection);

public sealed record FirstByte(DateTimeOffset Time, string Proxy, long Connection, Direction Direction)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>A side half-closed (its FIN arrived as a 0-byte read).</summary>
public sealed record FinReceived(DateTimeOffset Time, string Proxy, long Connection, Side From)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>The proxy sent a FIN to a side (Shutdown(Send)).</summary>
public sealed record FinSent(DateTimeOffset Time, string Proxy, long Connection, Side To)
    : ChaosEvent(Time, Proxy, Connection);

public sealed record ResetReceived(DateTimeOffset Time, string Proxy, long Connection, Side From)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>The proxy sent an RST to a side (abortive close with linger 0).</summary>
public sealed record ResetSent(DateTimeOffset Time, string Proxy, long Connection, Side To)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>
/// A toxic acted: which one, at which lifecycle point, on which connection (0 for the listener), in which
/// direction, and what it decided. Data toxics report once per connection and direction, not per chunk.
/// </summary>
public sealed record ToxicActed(
    DateTimeOffset Time, string Proxy, long Connection, string Toxic, string Type, Chaos.Scenarios.LifecyclePoint Point,
    Direction? Stream, string Decision)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>A toxic was removed while it held something (a hang, a delay, a FIN, data), which now goes on.</summary>
public sealed record ToxicReleased(DateTimeOffset Time, string Proxy, long Connection, string Toxic)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>A timeline step ran at its offset; <paramref name="Error"/> says why it could not be applied, if it could not.</summary>
public sealed record TimelineStepApplied(DateTimeOffset Time, string Proxy, TimeSpan At, string Step, string? Error)
    : ChaosEvent(Time, Proxy, 0);

/// <summary>A side kept sending after the proxy had passed it the other side's FIN (reported once per connection and side).</summary>
public sealed record WroteAfterFin(DateTimeOffset Time, string Proxy, long Connection, Side Side)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>
/// The kernel's view of one leg (Linux TCP_INFO) at a key moment: the proxy's socket toward <paramref name="Side"/>.
/// <paramref name="Moment"/> says when: accept, first_byte, fin, fault, close.
/// </summary>
public sealed record TcpStateSampled(
    DateTimeOffset Time, string Proxy, long Connection, Side Side, string Moment, string State, int Retransmits,
    TimeSpan Rtt, int Unacked)
    : ChaosEvent(Time, Proxy, Connection);

public sealed record ConnectionClosed(
    DateTimeOffset Time, string Proxy, long Connection, CloseReason Reason, TimeSpan Duration,
    long BytesUpstream, long BytesDownstream)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>An event subscriber (a sink: the events file, the console) threw; it gets no more events.</summary>
public sealed record SubscriberDetached(DateTimeOffset Time, string Subscriber, string Error) : ChaosEvent(Time, "", 0);

/// <summary>A connection failed inside Chaos (a bug, or a toxic that threw); it alone was closed with RST.</summary>
public sealed record ConnectionFaulted(DateTimeOffset Time, string Proxy, long Connection, string Error)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>
/// The proxy was at its <c>max_connections</c> and turned a new client away: with RST (<c>over_limit: reset</c>)
/// or with FIN before any byte (<c>refuse</c>). The client never becomes a connection, so it has no number.
/// </summary>
public sealed record ConnectionRejected(DateTimeOffset Time, string Proxy, EndPoint Client, int Limit, string Action)
    : ChaosEvent(Time, Proxy, 0);

/// <summary>A watched scenario file changed and its proxies were applied; <paramref name="Problems"/> lists proxies that could not be changed.</summary>
public sealed record ScenarioReloaded(DateTimeOffset Time, string Source, IReadOnlyList<string> Problems) : ChaosEvent(Time, "", 0);

/// <summary>A watched scenario file changed but is invalid; the last good scenario stays.</summary>
public sealed record ScenarioReloadRejected(DateTimeOffset Time, string Source, IReadOnlyList<string> Problems) : ChaosEvent(Time, "", 0);
