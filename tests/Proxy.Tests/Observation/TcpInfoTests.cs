using System.Net.Sockets;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Observation;

public sealed class TcpInfoTests
{
    [Fact(Timeout = 10_000)]
    public async Task TryRead_EstablishedPair_BothEndsEstablishedNothingUnacked()
    {
        var (listener, client, server) = await PairAsync();
        using (listener) using (client) using (server)
        {
            var clientInfo = TcpInfo.TryRead(client);
            var serverInfo = TcpInfo.TryRead(server);

            Assert.Equal("ESTABLISHED", clientInfo?.State);
            Assert.Equal("ESTABLISHED", serverInfo?.State);
            Assert.Equal(0, clientInfo?.Unacked);
            Assert.Equal(0, serverInfo?.Unacked);
            Assert.Equal(0, clientInfo?.Retransmits);
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task TryRead_PeerHalfClosed_ReaderCloseWaitPeerFinWait2()
    {
        var (listener, client, server) = await PairAsync();
        using (listener) using (client) using (server)
        {
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal(0, await server.ReceiveAsync(new byte[1], SocketFlags.None));

            Assert.Equal("CLOSE_WAIT", TcpInfo.TryRead(server)?.State);
            // The peer leaves FIN_WAIT1 only when the ACK of its FIN comes back.
            Assert.Equal("FIN_WAIT2", await PollStateAsync(client, "FIN_WAIT2"));
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task TryRead_PeerReset_Close()
    {
        var (listener, client, server) = await PairAsync();
        using (listener) using (server)
        {
            Peers.Reset(client);

            Assert.Equal("CLOSE", await PollStateAsync(server, "CLOSE"));
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task TryRead_ListeningSocket_Listen()
    {
        using var listener = Peers.Listen();
        await Task.Yield();

        Assert.Equal("LISTEN", TcpInfo.TryRead(listener)?.State);
    }

    [Fact(Timeout = 10_000)]
    public async Task TryRead_DisposedSocket_Null()
    {
        var (listener, client, server) = await PairAsync();
        using (listener) using (server)
        {
            client.Dispose();

            Assert.Null(TcpInfo.TryRead(client));
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task TryRead_UdpSocket_Null()
    {
        using var udp = new Socket(SocketType.Dgram, ProtocolType.Udp);
        await Task.Yield();

        Assert.Null(TcpInfo.TryRead(udp));
    }

    [Fact(Timeout = 10_000)]
    public async Task TryRead_LoopbackAfterExchange_RttNonNegativeAndSmall()
    {
        var (listener, client, server) = await PairAsync();
        using (listener) using (client) using (server)
        {
            await Peers.SendAllAsync(client, new byte[100]);
            await server.ReceiveAsync(new byte[100], SocketFlags.None);

            var info = TcpInfo.TryRead(client);

            Assert.NotNull(info);
            Assert.InRange(info.Value.Rtt, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
            Assert.True(info.Value.Rto > TimeSpan.Zero);
            Assert.Equal(0, info.Value.TotalRetransmits);
        }
    }

    private static async Task<(Socket Listener, Socket Client, Socket Server)> PairAsync()
    {
        var listener = Peers.Listen();
        var accept = listener.AcceptAsync();
        var client = await Peers.ConnectAsync(listener.LocalEndPoint!);
        return (listener, client, await accept);
    }

    /// <summary>The state once it equals <paramref name="expected"/>, or the last state read after ~1 s.</summary>
    private static async Task<string?> PollStateAsync(Socket socket, string expected)
    {
        string? state = null;
        for (var i = 0; i < 100 && state != expected; i++)
        {
            if (i > 0)
            {
                await Task.Delay(10);
            }
            state = TcpInfo.TryRead(socket)?.State;
        }
        return state;
    }
}
