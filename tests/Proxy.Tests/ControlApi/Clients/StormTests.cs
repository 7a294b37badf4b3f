using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Chaos.Proxy.ControlApi;
using Chaos.Proxy.Tests.Support;
using Xunit.Abstractions;

namespace Chaos.Proxy.Tests.ControlApi.Clients;

/// <summary>
/// A storm of toxic add/update/remove calls through the HTTP API while many connections stream data through the
/// proxy the toxics land on: every call answers quickly with the right status, and no byte is lost or changed.
/// </summary>
public sealed class StormTests(ITestOutputHelper output)
{
    private const int Connections = 50;
    private const int PayloadBytes = 2 * 1024 * 1024;
    private const int Pieces = 32; // each connection sends its payload in this many pieces, paced by the storm
    private const int Calls = 1_000;
    private const int Workers = 5; // concurrent API callers, each on its own toxic names
    private static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(1);

    [Fact(Timeout = 90_000)]
    public async Task ToxicStorm_WhileFiftyConnectionsStream_CallsFastAndExactAndNoByteCorrupted()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();
        var payloads = Enumerable.Range(0, Connections).Select(Payload).ToArray();
        var expected = payloads.Select(SHA256.HashData).ToArray();

        using var upstream = Peers.Listen();
        var received = new ConcurrentDictionary<int, (long Bytes, byte[] Hash)>();
        var server = HashingEchoAsync(upstream, received, deadline.Token);
        await using var proxies = await TestProxies.StartAsync(null, TestProxies.To("storm", (IPEndPoint)upstream.LocalEndPoint!));
        await using var api = await ControlApiServer.StartAsync(proxies.Runtime.Registry, new ControlApiOptions("127.0.0.1", 0, null), deadline.Token);
        using var http = new HttpClient { BaseAddress = api.Uri, Timeout = TimeSpan.FromSeconds(10) };

        // Gate k opens once k/Pieces of the calls are done, so data flows for the whole storm, not just its start.
        var gates = Enumerable.Range(0, Pieces).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        gates[0].SetResult();
        var done = 0;
        void CallDone()
        {
            var count = Interlocked.Increment(ref done);
            for (var k = 1; k < Pieces; k++)
            {
                if (count >= (long)k * Calls / Pieces)
                {
                    gates[k].TrySetResult();
                }
            }
        }

        var streams = Enumerable.Range(0, Connections)
            .Select(index => StreamAsync(proxies["storm"], payloads[index], gates, deadline.Token))
            .ToArray();
        var results = new ConcurrentBag<CallResult>();
        var storm = Enumerable.Range(0, Workers)
            .Select(worker => Task.Run(() => CallerAsync(http, worker, Calls / Workers, results, CallDone, deadline.Token), deadline.Token))
            .ToArray();
        await Task.WhenAll(storm);
        var stormTime = clock.Elapsed;
        var echoed = await Task.WhenAll(streams);
        upstream.Dispose();
        await server;

        var calls = results.ToArray();
        var slowest = calls.MaxBy(call => call.Elapsed)!;
        var wrong = calls.Where(call => call.Status != call.Expected).ToArray();
        var totalBytes = echoed.Sum(stream => stream.Bytes) + received.Values.Sum(side => side.Bytes);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{calls.Length} calls, max {slowest.Elapsed.TotalMilliseconds:F1} ms ({slowest.Method} {slowest.Path}), " +
            $"mean {calls.Average(call => call.Elapsed.TotalMilliseconds):F2} ms; storm over at {stormTime.TotalSeconds:F1} s, all done at {clock.Elapsed.TotalSeconds:F1} s; " +
            $"{Connections} connections, {totalBytes} bytes verified (upstream + echo); first hash {Convert.ToHexString(expected[0])[..16]}"));

        Assert.Equal(Calls, calls.Length);
        Assert.True(wrong.Length == 0, $"{wrong.Length} calls answered unexpectedly, first: {wrong.FirstOrDefault()}");
        Assert.True(slowest.Elapsed < CallLimit, $"slowest call {slowest}");
        Assert.Equal(Connections, received.Count);
        for (var index = 0; index < Connections; index++)
        {
            Assert.Equal(PayloadBytes, received[index].Bytes);
            Assert.Equal(expected[index], received[index].Hash);
            Assert.Equal(PayloadBytes, echoed[index].Bytes);
            Assert.Equal(expected[index], echoed[index].Hash);
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }

    /// <summary>Seeded random bytes; the first four carry the connection's index so the server can tell them apart.</summary>
    private static byte[] Payload(int index)
    {
        var bytes = new byte[PayloadBytes];
        new Random(1_000 + index).NextBytes(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes, index);
        return bytes;
    }

    /// <summary>
    /// One worker's calls, cycling add (200), update (200), remove (204) over toxic types that keep the bytes intact.
    /// </summary>
    private static async Task CallerAsync(HttpClient http, int worker, int count, ConcurrentBag<CallResult> results, Action callDone, CancellationToken cancellationToken)
    {
        var random = new Random(worker);
        string[] types = ["latency", "noop", "bandwidth", "slicer"];
        for (var i = 0; i < count; i++)
        {
            var cycle = i / 3;
            var type = types[(cycle + worker) % types.Length];
            var name = $"w{worker}_{cycle}";
            var stream = cycle % 2 == 0 ? "downstream" : "upstream";
            var (method, path, body, expected) = (i % 3) switch
            {
                0 => ("POST", "/proxies/storm/toxics",
                    $$"""{"name":"{{name}}","type":"{{type}}","stream":"{{stream}}","toxicity":1,"attributes":{{Attributes(type, random)}}}""",
                    HttpStatusCode.OK),
                1 => ("POST", $"/proxies/storm/toxics/{name}",
                    $$"""{"toxicity":{{(random.Next(2) == 0 ? "0.5" : "1")}},"attributes":{{Attributes(type, random)}}}""",
                    HttpStatusCode.OK),
                _ => ("DELETE", $"/proxies/storm/toxics/{name}", null, HttpStatusCode.NoContent),
            };
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }
            var clock = Stopwatch.StartNew();
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var elapsed = clock.Elapsed;
            results.Add(new CallResult(method, path, expected, response.StatusCode, elapsed, text));
            callDone();
        }
    }

    private static string Attributes(string type, Random random) => type switch
    {
        "latency" => $$"""{"latency":{{random.Next(0, 6)}},"jitter":0}""",
        "bandwidth" => $$"""{"rate":{{random.Next(100_000, 200_000)}}}""",
        "slicer" => $$"""{"average_size":{{random.Next(2_048, 8_192)}},"size_variation":1024,"delay":0}""",
        _ => "{}",
    };

    /// <summary>Sends the payload in paced pieces while reading the echo; the echo's length and SHA-256.</summary>
    private static async Task<(long Bytes, byte[] Hash)> StreamAsync(IPEndPoint proxy, byte[] payload, TaskCompletionSource[] gates, CancellationToken cancellationToken)
    {
        using var socket = await Peers.ConnectAsync(proxy);
        var reading = ReadAndHashAsync(socket, cancellationToken);
        var piece = payload.Length / gates.Length;
        for (var k = 0; k < gates.Length; k++)
        {
            await gates[k].Task.WaitAsync(cancellationToken);
            await Peers.SendAllAsync(socket, payload.AsMemory(k * piece, k == gates.Length - 1 ? payload.Length - k * piece : piece));
        }
        socket.Shutdown(SocketShutdown.Send);
        return await reading;
    }

    private static async Task<(long Bytes, byte[] Hash)> ReadAndHashAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int count;
        while ((count = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, count);
            total += count;
        }
        return (total, hash.GetHashAndReset());
    }

    /// <summary>The upstream: hashes what each connection sends, echoes it, closes its side after the client's FIN.</summary>
    private static async Task HashingEchoAsync(Socket listener, ConcurrentDictionary<int, (long, byte[])> received, CancellationToken cancellationToken)
    {
        var connections = new List<Task>();
        try
        {
            while (connections.Count < Connections)
            {
                var socket = await listener.AcceptAsync(cancellationToken);
                connections.Add(Task.Run(async () =>
                {
                    using (socket)
                    {
                        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                        var buffer = new byte[64 * 1024];
                        var head = new byte[4];
                        long total = 0;
                        int count;
                        while ((count = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
                        {
                            for (var i = 0; i < count && total + i < 4; i++)
                            {
                                head[total + i] = buffer[i];
                            }
                            hash.AppendData(buffer, 0, count);
                            total += count;
                            await Peers.SendAllAsync(socket, buffer.AsMemory(0, count));
                        }
                        received[BinaryPrimitives.ReadInt32LittleEndian(head)] = (total, hash.GetHashAndReset());
                        socket.Shutdown(SocketShutdown.Send);
                    }
                }, cancellationToken));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        await Task.WhenAll(connections);
    }

    private sealed record CallResult(string Method, string Path, HttpStatusCode Expected, HttpStatusCode Status, TimeSpan Elapsed, string Body)
    {
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Method} {Path}: {(int)Status} (expected {(int)Expected}) in {Elapsed.TotalMilliseconds:F1} ms: {Body}");
    }
}
