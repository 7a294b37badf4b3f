using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Observation;
using Chaos.Scenarios;

namespace Chaos.Proxy.Tests.Observation;

/// <summary>
/// A hand-built event log of one run, interleaved as the bus would publish it: web #1 half-closes from the
/// client and then the server; web #2 is reset by accept_reset; web #3 has its client FIN held by fin_drop
/// until the toxic is removed; db #1 cannot reach its upstream. A syn_drop acted on web's listener.
/// </summary>
internal static class SampleRun
{
    public static readonly DateTimeOffset Start = new(2025, 3, 14, 9, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<ChaosEvent> Events { get; } =
    [
        new ProxyStarted(At(0), "web", Endpoint(8080), "127.0.0.1:9090"),
        new ProxyStarted(At(0), "db", Endpoint(6380), "127.0.0.1:6379"),
        new ConnectionAccepted(At(10), "web", 1, Endpoint(52814)),
        new UpstreamConnecting(At(10.1), "web", 1, "127.0.0.1:9090"),
        new UpstreamConnected(At(10.5), "web", 1, Endpoint(40100), Ms(0.4)),
        new TcpStateSampled(At(10.5), "web", 1, Side.Client, "accept", "ESTABLISHED", 0, Ms(0.1), 0),
        new FirstByte(At(11.2), "web", 1, Direction.Upstream),
        new FinReceived(At(11.9), "web", 1, Side.Client),
        new FinSent(At(12.0), "web", 1, Side.Server),
        new TcpStateSampled(At(12.1), "web", 1, Side.Server, "fin", "FIN_WAIT2", 0, Ms(0.1), 0),
        new FirstByte(At(12.6), "web", 1, Direction.Downstream),
        new WroteAfterFin(At(12.6), "web", 1, Side.Server),
        new FinReceived(At(15.3), "web", 1, Side.Server),
        new FinSent(At(15.4), "web", 1, Side.Client),
        new ConnectionClosed(At(15.6), "web", 1, CloseReason.Completed, Ms(5.6), 7, 14),
        new ToxicActed(At(18), "web", 0, "syn_drop", "syn_drop", LifecyclePoint.Listen, null, "dropped a SYN"),
        new ConnectionAccepted(At(20), "web", 2, Endpoint(52816)),
        new ToxicActed(At(20.2), "web", 2, "accept_reset", "accept_reset", LifecyclePoint.Accept, null, "reset (RST)"),
        new ResetSent(At(20.3), "web", 2, Side.Client),
        new ConnectionClosed(At(20.4), "web", 2, CloseReason.ToxicReset, Ms(0.4), 0, 0),
        new ConnectionAccepted(At(30), "db", 1, Endpoint(52900)),
        new UpstreamConnecting(At(30.1), "db", 1, "127.0.0.1:6379"),
        new UpstreamFailed(At(30.6), "db", 1, CloseReason.UpstreamRefused, SocketError.ConnectionRefused, Ms(0.5)),
        new ResetSent(At(30.7), "db", 1, Side.Client),
        new ConnectionClosed(At(30.8), "db", 1, CloseReason.UpstreamRefused, Ms(0.8), 0, 0),
        new ConnectionAccepted(At(40), "web", 3, Endpoint(52818)),
        new UpstreamConnected(At(40.6), "web", 3, Endpoint(40102), Ms(0.6)),
        new FirstByte(At(41.0), "web", 3, Direction.Upstream),
        new FinReceived(At(41.5), "web", 3, Side.Client),
        new ToxicActed(At(41.5), "web", 3, "fin_drop", "fin_drop", LifecyclePoint.Fin, Direction.Upstream, "held the FIN"),
        new TcpStateSampled(At(41.6), "web", 3, Side.Client, "fin", "CLOSE_WAIT", 0, Ms(0.1), 0),
        new FirstByte(At(42.0), "web", 3, Direction.Downstream),
        new TcpStateSampled(At(1040), "web", 3, Side.Server, "fault", "ESTABLISHED", 2, Ms(200), 1),
        new ToxicReleased(At(1540), "web", 3, "fin_drop"),
        new FinSent(At(1540.1), "web", 3, Side.Server),
        new ResetReceived(At(1541.0), "web", 3, Side.Server),
        new ResetSent(At(1541.1), "web", 3, Side.Client),
        new ConnectionClosed(At(1541.2), "web", 3, CloseReason.ServerReset, Ms(1501.2), 5, 9),
        new ProxyStopped(At(2000), "web"),
        new ProxyStopped(At(2000), "db"),
    ];

    private static DateTimeOffset At(double ms) => Start.AddMilliseconds(ms);

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static IPEndPoint Endpoint(int port) => new(IPAddress.Loopback, port);
}
