using System.Net;
using Chaos.Proxy.ControlApi.Extensions;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.ControlApi.Extensions;

/// <summary><c>GET /chaos/events</c>: the live event stream as server-sent events.</summary>
public sealed class EventStreamTests
{
    [Fact(Timeout = 30_000)]
    public async Task Events_RelayedConnection_AcceptedThenClosed()
    {
        await using var api = await ChaosApiHarness.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await api.Client.GetAsync("chaos/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        using var events = new EventStreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var (client, server) = await api.ConnectAsync();
        await Peers.SendAllAsync(client, "hello"u8.ToArray());
        client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        Assert.Equal("hello"u8.ToArray(), await Peers.ReadToEndAsync(server));
        server.Dispose();
        await Peers.ReadToEndAsync(client);
        client.Dispose();

        var accepted = await events.WaitForAsync("accepted", e => e.GetProperty("proxy").GetString() == "web", timeout.Token);
        var id = accepted.GetProperty("connection").GetInt64();
        Assert.Equal("accepted", accepted.GetProperty("event").GetString());
        Assert.StartsWith("127.0.0.1:", accepted.GetProperty("client").GetString(), StringComparison.Ordinal);
        var closed = await events.WaitForAsync("closed", e => e.GetProperty("connection").GetInt64() == id, timeout.Token);
        Assert.Equal("completed", closed.GetProperty("reason").GetString());
        Assert.Equal(5, closed.GetProperty("bytes_upstream").GetInt64());
        Assert.Equal(0, closed.GetProperty("bytes_downstream").GetInt64());
    }

    [Fact(Timeout = 30_000)]
    public async Task Events_Quiet_HeartbeatComments()
    {
        await using var api = await ChaosApiHarness.StartAsync(heartbeat: TimeSpan.FromMilliseconds(100));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await api.Client.GetAsync("chaos/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var heartbeats = 0;
        while (heartbeats < 2 && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            heartbeats += line == ": heartbeat" ? 1 : 0;
        }
        Assert.Equal(2, heartbeats);
    }

    [Fact(Timeout = 30_000)]
    public async Task Events_ClientDisconnects_Detached()
    {
        await using var api = await ChaosApiHarness.StartAsync();
        var live = api.Proxies.Runtime.Observers.Live;
        using (var response = await api.Client.GetAsync("chaos/events", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(1, live.Count);
        }
        // The server notices the reset on its next write or read: an event makes it write.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (live.Count != 0 && DateTime.UtcNow < deadline)
        {
            var (client, server) = await api.ConnectAsync();
            client.Dispose();
            server.Dispose();
            await Task.Delay(50);
        }
        Assert.Equal(0, live.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task Events_ServerStops_StreamEnds()
    {
        var api = await ChaosApiHarness.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            using var response = await api.Client.GetAsync("chaos/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            using var events = new EventStreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
            var stopping = api.Server.DisposeAsync().AsTask();
            Assert.Null(await events.NextAsync(timeout.Token));
            await stopping.WaitAsync(TimeSpan.FromSeconds(10)); // well before Kestrel's 30 s shutdown timeout
            Assert.Equal(0, api.Proxies.Runtime.Observers.Live.Count);
        }
        finally
        {
            api.Client.Dispose();
            await api.Proxies.DisposeAsync();
            api.Upstream.Dispose();
        }
    }

    [Fact]
    public void LiveEvents_SlowListener_DropsWithoutBlocking()
    {
        var live = new LiveEvents();
        using var slow = live.Attach(capacity: 4);
        using var fast = live.Attach(capacity: 100);
        for (var i = 1; i <= 10; i++)
        {
            live.Handle(new ProxyStopped(DateTimeOffset.UnixEpoch, $"p{i}"));
        }
        Assert.Equal(6, slow.Dropped);
        Assert.Equal(0, fast.Dropped);
        Assert.True(slow.Reader.TryRead(out var first));
        Assert.Equal("p1", first.Proxy); // the oldest are kept, the newest dropped
        live.Complete();
        Assert.Equal(0, live.Count);
        using var late = live.Attach();
        Assert.True(late.Reader.Completion.IsCompleted);
    }

    [Fact]
    public void EventJson_SnakeCaseKindsAndValues()
    {
        Assert.Equal("client_reset", EventJson.Snake(nameof(CloseReason.ClientReset)));
        Assert.Equal("first_byte", EventJson.Snake("FirstByte"));
        var json = System.Text.Encoding.UTF8.GetString(EventJson.Serialize(
            new ConnectionClosed(DateTimeOffset.UnixEpoch, "web", 3, CloseReason.ServerReset, TimeSpan.FromMilliseconds(12.34), 10, 20)));
        Assert.Equal(
            """{"event":"closed","time":"1970-01-01T00:00:00+00:00","proxy":"web","connection":3,"reason":"server_reset","duration_ms":12.3,"bytes_upstream":10,"bytes_downstream":20}""",
            json);
    }
}
