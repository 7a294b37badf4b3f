using System.Net;

namespace Chaos.Proxy.Observation.Reactions;

/// <summary>What one connection's events say about it, folded into the facts the reaction metrics count.</summary>
internal sealed class ConnectionSummary(string proxy, long id)
{
    private static readonly HashSet<CloseReason> Failures =
    [
        CloseReason.ServerReset, CloseReason.UpstreamRefused, CloseReason.UpstreamTimeout, CloseReason.UpstreamUnreachable,
        CloseReason.ToxicClosed, CloseReason.ToxicReset, CloseReason.Error,
    ];

    public string Proxy { get; } = proxy;

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

    public ConnectionSummary Copy() => (ConnectionSummary)MemberwiseClone();

    public void Add(ChaosEvent chaosEvent)
    {
        switch (chaosEvent)
        {
            case ConnectionAccepted accepted:
                Accepted = accepted.Time;
                Client = accepted.Client is IPEndPoint ip ? ip.Address.ToString() : accepted.Client.ToString() ?? "";
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
}
