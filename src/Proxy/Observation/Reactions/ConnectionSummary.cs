using System.Net;

namespace Chaos.Proxy.Observation.Reactions;

/// <summary>
/// What one connection's events say about it, folded into the facts the reaction metrics count. A value, kept in
/// arrays (<see cref="ProxySummaries"/>): a run keeps one per connection until it ends, and as objects of their own
/// they were what every collection had to copy (pauses of 40-50 ms on a new-connection load; 12-13 ms as values).
/// </summary>
internal struct ConnectionSummary(string proxy, long id)
{
    private static readonly HashSet<CloseReason> Failures =
    [
        CloseReason.ServerReset, CloseReason.UpstreamRefused, CloseReason.UpstreamTimeout, CloseReason.UpstreamUnreachable,
        CloseReason.ToxicClosed, CloseReason.ToxicReset, CloseReason.Error,
    ];

    /// <summary>The last client address named, reused while connections come from one client, as they usually do.</summary>
    private static NamedClient? s_lastClient;

    public string Proxy { get; } = proxy;

    /// <summary>The connection's number; 0 in an empty slot.</summary>
    public long Id { get; } = id;

    public string Client { get; private set; } = "";

    public DateTimeOffset Accepted { get; private set; }

    public DateTimeOffset? Closed { get; private set; }

    /// <summary>When a toxic first acted on it, or its upstream failed: the trouble a client may react to.</summary>
    public DateTimeOffset? TroubleAt { get; private set; }

    public bool Faulted { get; private set; }

    public CloseReason? Reason { get; private set; }

    public bool ClientFin { get; private set; }

    public bool ClientReset { get; private set; }

    public bool ServerFin { get; private set; }

    public bool ServerReset { get; private set; }

    public bool ClientWroteAfterFin { get; private set; }

    public bool ServerWroteAfterFin { get; private set; }

    public long BytesUpstream { get; private set; }

    public long BytesDownstream { get; private set; }

    public bool Troubled => TroubleAt is not null || (Reason is { } reason && Failures.Contains(reason));

    /// <summary>The end of the connection, or its start while it is still open.</summary>
    public DateTimeOffset EndOrStart => Closed ?? Accepted;

    /// <summary>The kinds of event <see cref="Add"/> folds in (keep the two together); compared, not looked up, as the relay asks often.</summary>
    public static bool Reads(Type kind) =>
        kind == typeof(ConnectionAccepted) || kind == typeof(ToxicActed) || kind == typeof(UpstreamFailed) || kind == typeof(FinReceived) ||
        kind == typeof(ResetReceived) || kind == typeof(WroteAfterFin) || kind == typeof(ConnectionClosed);

    public void Add(ChaosEvent chaosEvent)
    {
        switch (chaosEvent)
        {
            case ConnectionAccepted accepted:
                Accepted = accepted.Time;
                Client = NameOf(accepted.Client);
                break;
            case ToxicActed acted:
                Faulted = true;
                TroubleAt ??= acted.Time;
                break;
            case UpstreamFailed failed:
                TroubleAt ??= failed.Time;
                break;
            case FinReceived fin:
                (ClientFin, ServerFin) = fin.From == Side.Client ? (true, ServerFin) : (ClientFin, true);
                break;
            case ResetReceived reset:
                (ClientReset, ServerReset) = reset.From == Side.Client ? (true, ServerReset) : (ClientReset, true);
                break;
            case WroteAfterFin wrote:
                (ClientWroteAfterFin, ServerWroteAfterFin) = wrote.Side == Side.Client ? (true, ServerWroteAfterFin) : (ClientWroteAfterFin, true);
                break;
            case ConnectionClosed closed:
                (Closed, Reason, BytesUpstream, BytesDownstream) = (closed.Time, closed.Reason, closed.BytesUpstream, closed.BytesDownstream);
                break;
        }
    }

    private static string NameOf(EndPoint client)
    {
        if (client is not IPEndPoint ip)
        {
            return client.ToString() ?? "";
        }
        if (s_lastClient is { } last && last.Address.Equals(ip.Address))
        {
            return last.Name;
        }
        var named = new NamedClient(ip.Address, ip.Address.ToString());
        s_lastClient = named;
        return named.Name;
    }

    private sealed record NamedClient(IPAddress Address, string Name);
}
