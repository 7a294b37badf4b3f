using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Chaos.Proxy.Tests.Cli;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.ControlApi.Clients;

/// <summary>
/// npm's <c>toxiproxy-node-client</c> (a real third-party client, installed from the lock file as its users get it)
/// drives <c>chaos serve</c> through its public API, and the proxy it creates relays real traffic.
/// </summary>
public sealed class NodeClientTests
{
    [Fact(Timeout = 120_000)]
    public async Task NodeClient_FullLifecycle_AgainstChaosServe_LatencyActsOnTraffic()
    {
        var folder = await NodeFolderAsync();
        using var upstream = Peers.Listen();
        using var stop = new CancellationTokenSource();
        var echo = EchoAsync(upstream, stop.Token);
        using var chaos = ChaosProcess.Start("serve", "-host", "127.0.0.1", "-port", "0");
        var api = await ApiAddressAsync(chaos);
        var upstreamText = upstream.LocalEndPoint!.ToString()!;

        // Phase 1: version, create, list, add a 200 ms downstream latency; the proxy stays up.
        var (exit1, first, error1) = await NodeAsync(folder, [("KEEP", "1")], "client-check.mjs", api.ToString(), upstreamText);
        Assert.True(exit1 == 0, $"node exited {exit1}: {first} {error1}");
        using var created = JsonDocument.Parse(first);
        var root = created.RootElement;
        Assert.True(root.GetProperty("ok").GetBoolean());
        Assert.Equal("2.12.0", root.GetProperty("version").GetString());
        Assert.Equal(["node_client_check"], root.GetProperty("listed").EnumerateArray().Select(name => name.GetString()));
        var listen = IPEndPoint.Parse(root.GetProperty("created").GetProperty("listen").GetString()!);
        Assert.Equal(200, root.GetProperty("latency").GetProperty("attributes").GetProperty("latency").GetInt32());

        // Real traffic through the proxy the client made: the echo comes back no sooner than the latency.
        var direct = await RoundTripAsync((IPEndPoint)upstream.LocalEndPoint!);
        var delayed = await RoundTripAsync(listen);

        // Phase 2: accept_reset (a Chaos type), update, read back, remove, disable/enable, reset, delete.
        var (exit2, second, error2) = await NodeAsync(folder, [("FINISH", "1")], "client-check.mjs", api.ToString(), upstreamText);
        Assert.True(exit2 == 0, $"node exited {exit2}: {second} {error2}");
        using var finished = JsonDocument.Parse(second);
        var rest = finished.RootElement;
        Assert.True(rest.GetProperty("ok").GetBoolean());
        Assert.Equal("accept_reset", rest.GetProperty("extra").GetProperty("type").GetString());
        Assert.Equal(0.5, rest.GetProperty("extra").GetProperty("toxicity").GetDouble());
        Assert.Equal(50, rest.GetProperty("readBack").GetProperty("attributes").GetProperty("latency").GetInt32());
        Assert.Equal(5, rest.GetProperty("readBack").GetProperty("attributes").GetProperty("jitter").GetInt32());
        Assert.Contains("404", rest.GetProperty("removedLookup").GetString());
        Assert.False(rest.GetProperty("disabled").GetProperty("enabled").GetBoolean());
        Assert.Equal(listen.ToString(), rest.GetProperty("enabled").GetProperty("listen").GetString());
        Assert.Contains("404", rest.GetProperty("afterReset").GetString());
        Assert.Empty(rest.GetProperty("listedAfterDelete").EnumerateArray());

        Assert.True(delayed >= TimeSpan.FromMilliseconds(195), $"round trip through the proxy took {delayed.TotalMilliseconds} ms");
        Assert.True(delayed - direct >= TimeSpan.FromMilliseconds(180), $"direct {direct.TotalMilliseconds} ms, proxied {delayed.TotalMilliseconds} ms");
        chaos.Terminate();
        Assert.Equal(0, await chaos.WaitForExitAsync());
        await stop.CancelAsync();
        upstream.Dispose();
        await echo;
    }

    /// <summary>The node folder, with <c>npm ci</c> run there first when node_modules is missing (.ci/run also does it).</summary>
    private static Task<string> NodeFolderAsync() =>
        NodeScripts.FolderAsync(Path.Combine("tests", "Proxy.Tests", "ControlApi", "Clients", "node"), "toxiproxy-node-client");

    private static Task<(int Exit, string Output, string Error)> NodeAsync(string folder, (string, string)[] environment, params string[] args) =>
        NodeScripts.RunAsync("node", folder, environment, args);

    private static async Task<TimeSpan> RoundTripAsync(IPEndPoint endPoint)
    {
        using var socket = await Peers.ConnectAsync(endPoint);
        var message = Encoding.ASCII.GetBytes("ping through the proxy\n");
        var clock = Stopwatch.StartNew();
        await Peers.SendAllAsync(socket, message);
        var received = 0;
        var buffer = new byte[message.Length];
        while (received < message.Length)
        {
            var count = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None);
            Assert.True(count > 0, "the echo closed early");
            received += count;
        }
        var elapsed = clock.Elapsed;
        Assert.Equal(message, buffer);
        return elapsed;
    }

    private static async Task EchoAsync(Socket listener, CancellationToken cancellationToken)
    {
        var connections = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var socket = await listener.AcceptAsync(cancellationToken);
                connections.Add(Task.Run(async () =>
                {
                    using (socket)
                    {
                        var buffer = new byte[16 * 1024];
                        try
                        {
                            int count;
                            while ((count = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                            {
                                await Peers.SendAllAsync(socket, buffer.AsMemory(0, count));
                            }
                        }
                        catch (SocketException)
                        {
                        }
                    }
                }, CancellationToken.None));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        await Task.WhenAll(connections);
    }

    private static async Task<Uri> ApiAddressAsync(ChaosProcess chaos)
    {
        const string marker = "API listening on ";
        await chaos.WaitForOutputAsync(marker);
        var text = chaos.Output;
        var start = text.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        var end = text.IndexOfAny([' ', '\n', '\r'], start);
        return new Uri(text[start..end]);
    }
}
