using System.Net;
using System.Net.Sockets;

namespace Chaos.Proxy.Observation;

/// <summary>Which peer of a relayed connection: the client that connected to the proxy, or the upstream server.</summary>
public enum Side
{
    /// <summary>The peer that connected to the proxy.</summary>
    Client,

    /// <summary>The upstream server the proxy dialled.</summary>
    Server,
}

/// <summary>Toxiproxy's naming: upstream is client→server, downstream is server→client.</summary>
public enum Direction
{
    /// <summary>Client to server.</summary>
    Upstream,

    /// <summary>Server to client.</summary>
    Downstream,
}

/// <summary>Why a relayed connection ended; the first reason recorded wins.</summary>
public enum CloseReason
{
    /// <summary>Both directions ended with a FIN.</summary>
    Completed,

    /// <summary>The client sent RST.</summary>
    ClientReset,

    /// <summary>The server sent RST.</summary>
    ServerReset,

    /// <summary>The upstream dial was refused (RST to the SYN).</summary>
    UpstreamRefused,

    /// <summary>The upstream dial did not complete within the connect timeout.</summary>
    UpstreamTimeout,

    /// <summary>The upstream could not be reached (no route, or the name did not resolve).</summary>
    UpstreamUnreachable,

    /// <summary>The proxy was stopped or disabled while the connection was open.</summary>
    ProxyStopped,

    /// <summary>A toxic ended the connection with FIN.</summary>
    ToxicClosed,

    /// <summary>A toxic ended the connection with RST.</summary>
    ToxicReset,

    /// <summary>An unexpected error in the proxy ended the connection.</summary>
    Error,

    /// <summary>No byte moved either way for the proxy's <c>idle_timeout</c>; both sides got a FIN.</summary>
    IdleTimeout,
}

/// <summary>A timestamped fact about one proxy or one of its connections. Connection 0 means the proxy itself.</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name ("" for events of the whole run).</param>
/// <param name="Connection">The connection's ordinal on its proxy (1-based), or 0 for the proxy itself.</param>
public abstract record ChaosEvent(DateTimeOffset Time, string Proxy, long Connection);

/// <summary>A proxy is listening.</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Listen">The bound address (port 0 resolved).</param>
/// <param name="Upstream">Where it relays to, as written.</param>
public sealed record ProxyStarted(DateTimeOffset Time, string Proxy, EndPoint Listen, string Upstream)
    : ChaosEvent(Time, Proxy, 0);

/// <summary>A proxy stopped listening (stopped, disabled or replaced).</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
public sealed record ProxyStopped(DateTimeOffset Time, string Proxy) : ChaosEvent(Time, Proxy, 0);

/// <summary>The proxy accepted a connection (the kernel had already completed the three-way handshake).</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Connection">The connection's ordinal on its proxy (1-based).</param>
/// <param name="Client">The client's address.</param>
public sealed record ConnectionAccepted(DateTimeOffset Time, string Proxy, long Connection, EndPoint Client)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>The proxy started dialling the upstream for a connection.</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Connection">The connection's ordinal on its proxy (1-based).</param>
/// <param name="Target">The upstream address dialled.</param>
public sealed record UpstreamConnecting(DateTimeOffset Time, string Proxy, long Connection, string Target)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>The upstream dial succeeded.</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Connection">The connection's ordinal on its proxy (1-based).</param>
/// <param name="Local">The proxy's local address on the upstream leg.</param>
/// <param name="Took">How long the dial took.</param>
public sealed record UpstreamConnected(DateTimeOffset Time, string Proxy, long Connection, EndPoint Local, TimeSpan Took)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>The upstream dial failed; the client gets an RST.</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Connection">The connection's ordinal on its proxy (1-based).</param>
/// <param name="Reason">Refused, timed out or unreachable.</param>
/// <param name="Error">The socket error the dial ended with.</param>
/// <param name="Took">How long the dial took until it failed.</param>
public sealed record UpstreamFailed(DateTimeOffset Time, string Proxy, long Connection, CloseReason Reason, SocketError Error, TimeSpan Took)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>The first bytes of a connection arrived in one direction.</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Connection">The connection's ordinal on its proxy (1-based).</param>
/// <param name="Direction">Which direction.</param>
public sealed record FirstByte(DateTimeOffset Time, string Proxy, long Connection, Direction Direction)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>A side half-closed (its FIN arrived as a 0-byte read).</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Connection">The connection's ordinal on its proxy (1-based).</param>
/// <param name="From">The side that sent the FIN.</param>
public sealed record FinReceived(DateTimeOffset Time, string Proxy, long Connection, Side From)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>The proxy sent a FIN to a side (Shutdown(Send)).</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Connection">The connection's ordinal on its proxy (1-based).</param>
/// <param name="To">The side the FIN went to.</param>
public sealed record FinSent(DateTimeOffset Time, string Proxy, long Connection, Side To)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>A side reset its leg (RST arrived).</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Connection">The connection's ordinal on its proxy (1-based).</param>
/// <param name="From">The side that sent the RST.</param>
public sealed record ResetReceived(DateTimeOffset Time, string Proxy, long Connection, Side From)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>The proxy sent an RST to a side (abortive close with linger 0).</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Connection">The connection's ordinal on its proxy (1-based).</param>
/// <param name="To">The side the RST went to.</param>
public sealed record ResetSent(DateTimeOffset Time, string Proxy, long Connection, Side To)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>
/// A toxic acted: which one, at which lifecycle point, on which connection (0 for the listener), in which
/// direction, and what it decided. Data toxics report once per connection and direction, not per chunk.
/// </summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Connection">The connection's ordinal on its proxy, or 0 for a listen toxic.</param>
/// <param name="Toxic">The toxic's name.</param>
/// <param name="Type">The toxic's type.</param>
/// <param name="Point">The lifecycle point it acted at.</param>
/// <param name="Stream">The direction for first_byte, data and fin toxics; null for the others.</param>
/// <param name="Decision">What it did, e.g. "reset", "delay 400 ms".</param>
public sealed record ToxicActed(
    DateTimeOffset Time, string Proxy, long Connection, string Toxic, string Type, Chaos.Scenarios.LifecyclePoint Point,
    Direction? Stream, string Decision)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>A toxic was removed while it held something (a hang, a delay, a FIN, data), which now goes on.</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Connection">The connection's ordinal on its proxy (1-based).</param>
/// <param name="Toxic">The toxic's name.</param>
public sealed record ToxicReleased(DateTimeOffset Time, string Proxy, long Connection, string Toxic)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>A timeline step ran at its offset; <paramref name="Error"/> says why it could not be applied, if it could not.</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="At">The step's offset from the start of the run.</param>
/// <param name="Step">What the step does, e.g. "add slow".</param>
/// <param name="Error">Why it could not be applied, or null.</param>
public sealed record TimelineStepApplied(DateTimeOffset Time, string Proxy, TimeSpan At, string Step, string? Error)
    : ChaosEvent(Time, Proxy, 0);

/// <summary>A side kept sending after the proxy had passed it the other side's FIN (reported once per connection and side).</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Connection">The connection's ordinal on its proxy (1-based).</param>
/// <param name="Side">The side that kept sending.</param>
public sealed record WroteAfterFin(DateTimeOffset Time, string Proxy, long Connection, Side Side)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>
/// The kernel's view of one leg (Linux TCP_INFO) at a key moment: the proxy's socket toward <paramref name="Side"/>.
/// <paramref name="Moment"/> says when: accept, first_byte, fin, fault, close.
/// </summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Connection">The connection's ordinal on its proxy (1-based).</param>
/// <param name="Side">The leg: the proxy's socket toward this side.</param>
/// <param name="Moment">When it was sampled.</param>
/// <param name="State">The kernel's TCP state, e.g. ESTABLISHED, CLOSE_WAIT, FIN_WAIT2.</param>
/// <param name="Retransmits">Retransmitted segments not yet acknowledged.</param>
/// <param name="Rtt">The smoothed round-trip time.</param>
/// <param name="Unacked">Segments sent and not yet acknowledged.</param>
public sealed record TcpStateSampled(
    DateTimeOffset Time, string Proxy, long Connection, Side Side, string Moment, string State, int Retransmits,
    TimeSpan Rtt, int Unacked)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>A relayed connection ended; both legs are closed.</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Connection">The connection's ordinal on its proxy (1-based).</param>
/// <param name="Reason">Why it ended (the first reason recorded).</param>
/// <param name="Duration">From accept to close.</param>
/// <param name="BytesUpstream">Bytes relayed client to server.</param>
/// <param name="BytesDownstream">Bytes relayed server to client.</param>
public sealed record ConnectionClosed(
    DateTimeOffset Time, string Proxy, long Connection, CloseReason Reason, TimeSpan Duration,
    long BytesUpstream, long BytesDownstream)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>An event subscriber (a sink: the events file, the console) threw; it gets no more events.</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Subscriber">Which subscriber.</param>
/// <param name="Error">What it threw.</param>
public sealed record SubscriberDetached(DateTimeOffset Time, string Subscriber, string Error) : ChaosEvent(Time, "", 0);

/// <summary>A connection failed inside Chaos (a bug, or a toxic that threw); it alone was closed with RST.</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Connection">The connection's ordinal on its proxy (1-based).</param>
/// <param name="Error">The exception, in one line.</param>
public sealed record ConnectionFaulted(DateTimeOffset Time, string Proxy, long Connection, string Error)
    : ChaosEvent(Time, Proxy, Connection);

/// <summary>
/// The proxy was at its <c>max_connections</c> and turned a new client away: with RST (<c>over_limit: reset</c>)
/// or with FIN before any byte (<c>refuse</c>). The client never becomes a connection, so it has no number.
/// </summary>
/// <param name="Time">When it happened.</param>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Client">The client's address.</param>
/// <param name="Limit">The proxy's <c>max_connections</c>.</param>
/// <param name="Action">What the client got: <c>reset</c> or <c>refuse</c>.</param>
public sealed record ConnectionRejected(DateTimeOffset Time, string Proxy, EndPoint Client, int Limit, string Action)
    : ChaosEvent(Time, Proxy, 0);

/// <summary>A watched scenario file changed and its proxies were applied; <paramref name="Problems"/> lists proxies that could not be changed.</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Source">The scenario file.</param>
/// <param name="Problems">Proxies that could not be changed, with why.</param>
public sealed record ScenarioReloaded(DateTimeOffset Time, string Source, IReadOnlyList<string> Problems) : ChaosEvent(Time, "", 0);

/// <summary>A watched scenario file changed but is invalid; the last good scenario stays.</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Source">The scenario file.</param>
/// <param name="Problems">The validation errors, one per line.</param>
public sealed record ScenarioReloadRejected(DateTimeOffset Time, string Source, IReadOnlyList<string> Problems) : ChaosEvent(Time, "", 0);
