using System.Net.Sockets;
using Chaos.Proxy.Engine;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Engine;

/// <summary>Many connections open at once: each relayed on its own, none mixed up with another. The 10,000 figure is bench/run.sh's.</summary>
public sealed class ConcurrencyTests
{
    private const int Connections = 2000;
    private const int PayloadBytes = 4096;

    [Fact(Timeout = 60_000)]
    public async Task Relay_TwoThousandConnectionsHeldAtOnce_EchoEveryByteExact()
    {
        // This process holds four sockets per connection (client, both proxy legs, echo); a CI runner with a
        // low hard limit gets fewer connections rather than a failure that says nothing about the relay.
        var count = (int)Math.Min(Connections, ((OpenFileLimit.Raise() ?? 65_536) - 256) / 4);
        using var server = Peers.Listen(backlog: 4096);
        await using var proxies = await TestProxies.InFrontOfAsync(server);
        var echoes = EchoAsync(server, count);

        var clients = new List<Socket>(count);
        try
        {
            foreach (var batch in Enumerable.Range(0, count).Chunk(200))
            {
                clients.AddRange(await Task.WhenAll(batch.Select(_ => Peers.ConnectAsync(proxies["web"]))));
            }
            var accepted = await echoes.Accepted;
            Assert.Equal(count, accepted);
            Assert.Equal(count, proxies.Runtime.Registry.Find("web")!.ConnectionsOpen);

            var exchanged = await Task.WhenAll(clients.Select((client, seed) => ExchangeAsync(client, seed)));

            Assert.All(exchanged, pair => Assert.Equal(pair.Sent, pair.Received));
            await echoes.Done;
        }
        finally
        {
            clients.ForEach(client => client.Dispose());
        }
    }

    /// <summary>Sends a payload of its own, half-closes, and reads the echo to its end.</summary>
    private static async Task<(byte[] Sent, byte[] Received)> ExchangeAsync(Socket client, int seed)
    {
        var payload = new byte[PayloadBytes];
        new Random(seed).NextBytes(payload);
        var reading = Peers.ReadToEndAsync(client);
        await Peers.SendAllAsync(client, payload);
        client.Shutdown(SocketShutdown.Send);
        return (payload, await reading);
    }

    /// <summary>Accepts <paramref name="count"/> connections, then echoes each until its FIN and passes the FIN back.</summary>
    private static (Task<int> Accepted, Task Done) EchoAsync(Socket listener, int count)
    {
        var accepted = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = Task.Run(async () =>
        {
            var echoes = new List<Task>(count);
            try
            {
                for (var i = 0; i < count; i++)
                {
                    echoes.Add(EchoOneAsync(await listener.AcceptAsync()));
                }
            }
            catch (Exception ex)
            {
                accepted.SetException(ex);
                throw;
            }
            accepted.SetResult(count);
            await Task.WhenAll(echoes);
        });
        return (accepted.Task, done);
    }

    private static async Task EchoOneAsync(Socket socket)
    {
        using (socket)
        {
            var buffer = new byte[PayloadBytes];
            int received;
            while ((received = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await Peers.SendAllAsync(socket, buffer.AsMemory(0, received));
            }
            socket.Shutdown(SocketShutdown.Send);
        }
    }
}
