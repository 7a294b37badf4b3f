using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Chaos.Proxy.Engine;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Engine;

/// <summary>With no faults the proxy is invisible: bytes, half-closes and resets all pass through as they were sent.</summary>
public sealed class RelayFidelityTests
{
    private const int PayloadBytes = 8 * 1024 * 1024;

    [Fact(Timeout = 120_000)]
    public async Task Relay_FiftyConcurrentConnectionsOf8MiBEachWay_ArriveByteExact()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server);
        var serverSide = ServeHashingAsync(server, connections: 50);

        var clients = Enumerable.Range(1, 50).Select(async seed =>
        {
            using var client = await Peers.ConnectAsync(proxies["web"]);
            var (sent, received) = await ExchangeHashingAsync(client, seed);
            return (sent, received);
        });
        var clientResults = await Task.WhenAll(clients);
        var serverResults = await serverSide;

        Assert.Equal(
            clientResults.Select(r => r.sent).Order(StringComparer.Ordinal),
            serverResults.Select(r => r.received).Order(StringComparer.Ordinal));
        Assert.Equal(
            serverResults.Select(r => r.sent).Order(StringComparer.Ordinal),
            clientResults.Select(r => r.received).Order(StringComparer.Ordinal));
        Assert.All(clientResults, r => Assert.NotEqual(r.sent, r.received));
    }

    [Theory(Timeout = 10_000)]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task ClientSockets_AreAcceptedWithNoDelay_SoASmallChunkIsNotHeldBackForAnAck(string address)
    {
        // The proxy sets no option on an accepted socket: it relies on the listener's TCP_NODELAY being inherited.
        using var listener = ProxyListener.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        using var client = await Peers.ConnectAsync(listener.LocalEndPoint!);
        using var accepted = await listener.AcceptAsync();

        Assert.True(accepted.NoDelay);
    }

    [Fact(Timeout = 30_000)]
    public async Task HalfClose_ClientFinishesSendingFirst_ServerStillRepliesAfterEof()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server);
        var serverSide = Task.Run(async () =>
        {
            using var accepted = await server.AcceptAsync();
            var request = await Peers.ReadToEndAsync(accepted);
            await Peers.SendAllAsync(accepted, Encoding.ASCII.GetBytes("reply to " + Encoding.ASCII.GetString(request)));
            accepted.Shutdown(SocketShutdown.Send);
            return request;
        });

        using var client = await Peers.ConnectAsync(proxies["web"]);
        await Peers.SendAllAsync(client, "request"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);
        var reply = await Peers.ReadToEndAsync(client);

        Assert.Equal("request", Encoding.ASCII.GetString(await serverSide));
        Assert.Equal("reply to request", Encoding.ASCII.GetString(reply));
        var closed = await proxies.Events.WaitForAsync<ConnectionClosed>();
        Assert.Equal(CloseReason.Completed, closed.Reason);
        Assert.Equal((7, 16), (closed.BytesUpstream, closed.BytesDownstream));
    }

    [Fact(Timeout = 30_000)]
    public async Task HalfClose_ServerFinishesSendingFirst_ClientStillRepliesAfterEof()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server);
        var serverSide = Task.Run(async () =>
        {
            using var accepted = await server.AcceptAsync();
            await Peers.SendAllAsync(accepted, "greeting"u8.ToArray());
            accepted.Shutdown(SocketShutdown.Send);
            return await Peers.ReadToEndAsync(accepted);
        });

        using var client = await Peers.ConnectAsync(proxies["web"]);
        var greeting = await Peers.ReadToEndAsync(client);
        await Peers.SendAllAsync(client, Encoding.ASCII.GetBytes("answer to " + Encoding.ASCII.GetString(greeting)));
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("answer to greeting", Encoding.ASCII.GetString(await serverSide));
        await proxies.Events.WaitForAsync<ConnectionClosed>();
        var fins = proxies.Events.OfType<FinReceived>().Select(f => f.From).ToList();
        Assert.Equal([Side.Server, Side.Client], fins);
    }

    [Fact(Timeout = 30_000)]
    public async Task Reset_ServerAbortsConnection_ClientGetsConnectionReset()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server);
        using var client = await Peers.ConnectAsync(proxies["web"]);
        Peers.Reset(await server.AcceptAsync());

        Assert.Equal(SocketError.ConnectionReset, await Peers.ReceiveErrorAsync(client));
        var closed = await proxies.Events.WaitForAsync<ConnectionClosed>();
        Assert.Equal(CloseReason.ServerReset, closed.Reason);
        Assert.Contains(proxies.Events.OfType<ResetSent>(), r => r.To == Side.Client);
    }

    [Fact(Timeout = 30_000)]
    public async Task Reset_ClientAbortsConnection_ServerGetsConnectionReset()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server);
        var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();
        await proxies.Events.WaitForAsync<UpstreamConnected>();
        Peers.Reset(client);

        Assert.Equal(SocketError.ConnectionReset, await Peers.ReceiveErrorAsync(accepted));
        var closed = await proxies.Events.WaitForAsync<ConnectionClosed>();
        Assert.Equal(CloseReason.ClientReset, closed.Reason);
    }

    /// <summary>Accepts <paramref name="connections"/> connections; on each, sends 8 MiB and reads to EOF, hashing both.</summary>
    private static async Task<(string sent, string received)[]> ServeHashingAsync(Socket listener, int connections)
    {
        var served = new List<Task<(string, string)>>();
        for (var i = 0; i < connections; i++)
        {
            var accepted = await listener.AcceptAsync();
            var seed = 1000 + i;
            served.Add(Task.Run(async () =>
            {
                using (accepted)
                {
                    return await ExchangeHashingAsync(accepted, seed);
                }
            }));
        }
        return await Task.WhenAll(served);
    }

    /// <summary>Sends 8 MiB of seeded random bytes then a FIN, while reading to EOF; returns both SHA-256s.</summary>
    private static async Task<(string sent, string received)> ExchangeHashingAsync(Socket socket, int seed)
    {
        var sending = Task.Run(async () =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var random = new Random(seed);
            var chunk = new byte[61_440];
            for (var remaining = PayloadBytes; remaining > 0; remaining -= chunk.Length)
            {
                var part = chunk.AsMemory(0, Math.Min(chunk.Length, remaining));
                random.NextBytes(part.Span);
                hash.AppendData(part.Span);
                await Peers.SendAllAsync(socket, part);
            }
            socket.Shutdown(SocketShutdown.Send);
            return Convert.ToHexString(hash.GetHashAndReset());
        });
        using var receivedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[65_536];
        int count;
        var total = 0L;
        while ((count = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            receivedHash.AppendData(buffer, 0, count);
            total += count;
        }
        Assert.Equal(PayloadBytes, total);
        return (await sending, Convert.ToHexString(receivedHash.GetHashAndReset()));
    }
}
