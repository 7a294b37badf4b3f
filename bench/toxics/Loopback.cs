using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Engine;
using Chaos.Proxy.Observation;
using Chaos.Scenarios;

namespace Chaos.Bench;

/// <summary>Sockets on 127.0.0.1 and a chaos runtime with one proxy in front of them.</summary>
internal static class Loopback
{
    public static Socket Listen()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(512);
        return socket;
    }

    public static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint).WaitAsync(TimeSpan.FromSeconds(10));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts a runtime with one proxy named <paramref name="name"/> on 127.0.0.1:0 in front of <paramref name="upstream"/>.</summary>
    public static async Task<ChaosRuntime> StartAsync(string name, IPEndPoint upstream, EventCounter events)
    {
        var proxy = new ProxySpec(name, new HostPort("127.0.0.1", 0),
            new UpstreamSpec(new HostPort("127.0.0.1", upstream.Port), null), true, []);
        var scenario = new Scenario(1, "bench", null, 42, null, [proxy], [], []);
        return await ChaosRuntime.StartAsync(scenario, [events], new RelayOptions(), TimeProvider.System);
    }

    public static IPEndPoint ListenEndPoint(this ChaosRuntime runtime, string name) =>
        runtime.Registry.Find(name)?.ListenEndPoint ?? throw new InvalidOperationException($"proxy {name} is not listening");

    /// <summary>A toxic in Toxiproxy's shape, through the same loader as the HTTP API.</summary>
    public static ToxicSpec Toxic(string text)
    {
        var loaded = ScenarioLoader.LoadToxic(text, "bench toxic");
        return loaded.IsValid ? loaded.Value : throw new ArgumentException($"bad toxic {text}: {string.Join("; ", loaded.Diagnostics)}", nameof(text));
    }

    public static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancel = default)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancel);
            if (n == 0)
            {
                throw new EndOfStreamException($"peer closed after {read} of {buffer.Length} bytes");
            }
            read += n;
        }
    }
}

/// <summary>Echoes every byte back on each accepted connection.</summary>
internal sealed class EchoServer : IDisposable
{
    private readonly Socket _listener = Loopback.Listen();
    private readonly ConcurrentBag<Socket> _accepted = [];

    private EchoServer() => _ = AcceptLoopAsync();

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public static EchoServer Start() => new();

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync();
                socket.NoDelay = true;
                _accepted.Add(socket);
                _ = EchoAsync(socket);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // listener closed
        }
    }

    private static async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer);
                if (n == 0)
                {
                    socket.Shutdown(SocketShutdown.Send);
                    return;
                }
                await socket.SendAsync(buffer.AsMemory(0, n));
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // connection gone
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        foreach (var socket in _accepted)
        {
            socket.Dispose();
        }
    }
}

/// <summary>Counts the engine's events by type, and connection ends by reason.</summary>
internal sealed class EventCounter : IEventSubscriber
{
    private readonly ConcurrentDictionary<string, long> _counts = new();

    public void Handle(ChaosEvent chaosEvent)
    {
        var key = chaosEvent switch
        {
            ConnectionClosed closed => $"ConnectionClosed({closed.Reason})",
            UpstreamFailed failed => $"UpstreamFailed({failed.Reason}/{failed.Error})",
            _ => chaosEvent.GetType().Name,
        };
        _counts.AddOrUpdate(key, 1, (_, n) => n + 1);
    }

    public long this[string key] => _counts.GetValueOrDefault(key);

    public Dictionary<string, long> Snapshot() => new(_counts);

    public static string Diff(Dictionary<string, long> before, Dictionary<string, long> after) =>
        string.Join(", ", after.Select(kv => (kv.Key, Count: kv.Value - before.GetValueOrDefault(kv.Key)))
            .Where(x => x.Count > 0).OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key} {x.Count}").DefaultIfEmpty("none"));
}
