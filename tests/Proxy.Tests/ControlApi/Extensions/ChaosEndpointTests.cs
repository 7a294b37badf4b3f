using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chaos.Proxy.ControlApi;
using Chaos.Proxy.ControlApi.Extensions;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.ControlApi.Extensions;

/// <summary><c>/chaos/report</c>, <c>/chaos/scenario</c>, <c>/chaos/metrics</c>, <c>/chaos/version</c>, and the guards they share.</summary>
public sealed partial class ChaosEndpointTests
{
    [Fact(Timeout = 30_000)]
    public async Task Report_AfterAConnection_CountsItAndItsBytes()
    {
        await using var api = await ChaosApiHarness.StartAsync();
        var (client, server) = await api.ConnectAsync();
        await Peers.SendAllAsync(client, new byte[300]);
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(300, (await Peers.ReadToEndAsync(server)).Length);
        server.Dispose();
        await Peers.ReadToEndAsync(client);
        client.Dispose();

        JsonElement web = default;
        await Eventually(async () =>
        {
            var (status, body, contentType) = await api.GetAsync("/chaos/report");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("application/json", contentType);
            var root = JsonDocument.Parse(body).RootElement;
            Assert.Equal(JsonValueKind.Null, root.GetProperty("command_exit_code").ValueKind);
            Assert.Equal(JsonValueKind.Array, root.GetProperty("expectations").ValueKind);
            web = root.GetProperty("proxies").EnumerateArray().Single(p => p.GetProperty("proxy").GetString() == "web");
            return web.GetProperty("bytes.upstream").GetDouble() == 300;
        });
        Assert.Equal(1, web.GetProperty("connections.total").GetDouble());
        Assert.Equal(1, web.GetProperty("client.fins").GetDouble());
    }

    [Fact(Timeout = 30_000)]
    public async Task Scenario_Yaml_ReplacesTheProxies()
    {
        await using var api = await ChaosApiHarness.StartAsync();
        var (status, body, contentType) = await api.SendAsync("POST", "/chaos/scenario", """
            version: 1
            proxies:
              - name: alpha
                listen: 127.0.0.1:0
                upstream: 127.0.0.1:6379
                toxics:
                  - { name: slow, type: latency, attributes: { latency: 100 } }
              - name: beta
                listen: 127.0.0.1:0
                upstream: builtin:echo
            """);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", contentType);
        var proxies = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["alpha", "beta"], proxies.EnumerateObject().Select(p => p.Name));
        Assert.Equal("slow", proxies.GetProperty("alpha").GetProperty("toxics")[0].GetProperty("name").GetString());
        Assert.Null(api.Proxies.Runtime.Registry.Find("web")); // not in the document: stopped
        Assert.NotNull(api.Proxies.Runtime.Registry.Find("beta")!.ListenEndPoint);

        // JSON too, and Toxiproxy's proxies array; the list matches GET /proxies.
        (status, body, _) = await api.SendAsync("POST", "/chaos/scenario", """[{"name":"beta","listen":"127.0.0.1:0","upstream":"builtin:echo"}]""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((await api.GetAsync("/proxies")).Body, body);
        Assert.Equal(["beta"], api.Proxies.Runtime.Registry.Proxies.Select(p => p.Name));
    }

    [Fact(Timeout = 30_000)]
    public async Task Scenario_Invalid_400WithEveryDiagnostic_NothingChanged()
    {
        await using var api = await ChaosApiHarness.StartAsync();
        var (status, body, contentType) = await api.SendAsync("POST", "/chaos/scenario", """
            version: 1
            proxies:
              - name: alpha
                listen: nowhere
                upstream: 127.0.0.1:6379
                toxics:
                  - { type: latency, attributes: { latency: -5 } }
            """);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("text/plain; charset=utf-8", contentType);
        var error = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["error", "status"], error.EnumerateObject().Select(p => p.Name));
        Assert.Equal(400, error.GetProperty("status").GetInt32());
        var lines = error.GetProperty("error").GetString()!.Split('\n');
        Assert.True(lines.Length >= 2, error.GetProperty("error").GetString());
        Assert.All(lines, line => Assert.StartsWith("request body(", line, StringComparison.Ordinal));
        Assert.Equal(["web"], api.Proxies.Runtime.Registry.Proxies.Select(p => p.Name));

        (status, body, _) = await api.SendAsync("POST", "/chaos/scenario", "");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("\"status\":400", body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Metrics_BytesMoveWhileTheConnectionIsOpen()
    {
        await using var api = await ChaosApiHarness.StartAsync(toxics: "{name: slow, type: latency, attributes: {latency: 1}}");
        var (client, server) = await api.ConnectAsync();
        using (client)
        using (server)
        {
            await Peers.SendAllAsync(client, new byte[1000]);
            await ReceiveExactlyAsync(server, 1000);
            // The relay counts a chunk once its send completes, which may be just after the peer has it.
            var first = await ScrapeUntilAsync(api, samples => samples[("chaos_bytes_total", "web", "upstream")] == 1000);
            Assert.Equal(1000, first[("chaos_bytes_total", "web", "upstream")]);
            Assert.Equal(0, first[("chaos_bytes_total", "web", "downstream")]);
            Assert.Equal(1, first[("chaos_connections_open", "web", null)]);
            Assert.Equal(1, first[("chaos_connections_total", "web", null)]);

            await Peers.SendAllAsync(client, new byte[2500]);
            await ReceiveExactlyAsync(server, 2500);
            await Peers.SendAllAsync(server, new byte[700]);
            await ReceiveExactlyAsync(client, 700);
            var second = await ScrapeUntilAsync(api, samples => samples[("chaos_bytes_total", "web", "downstream")] == 700);
            Assert.Equal(3500, second[("chaos_bytes_total", "web", "upstream")]);
            Assert.Equal(700, second[("chaos_bytes_total", "web", "downstream")]);
            Assert.Equal(1, second[("chaos_connections_open", "web", null)]);
            Assert.True(second[("chaos_toxics_applied_total", "web", null)] >= 1);
        }

        // Closed, the bytes stay counted; disabled (its listener gone), still.
        await Eventually(async () => (await ScrapeAsync(api))[("chaos_connections_open", "web", null)] == 0);
        Assert.Equal(3500, (await ScrapeAsync(api))[("chaos_bytes_total", "web", "upstream")]);
        var (status, _, _) = await api.SendAsync("POST", "/proxies/web", """{"enabled":false}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var disabled = await ScrapeAsync(api);
        Assert.Equal(3500, disabled[("chaos_bytes_total", "web", "upstream")]);
        Assert.Equal(700, disabled[("chaos_bytes_total", "web", "downstream")]);
        Assert.Equal(1, disabled[("chaos_connections_total", "web", null)]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Metrics_PrometheusTextFormat()
    {
        await using var api = await ChaosApiHarness.StartAsync();
        var (status, body, contentType) = await api.GetAsync("/chaos/metrics");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", contentType);
        Assert.Contains("# TYPE chaos_bytes_total counter\n", body, StringComparison.Ordinal);
        Assert.Contains("# TYPE chaos_connections_open gauge\n", body, StringComparison.Ordinal);
        Assert.Contains("chaos_toxics_applied_total{proxy=\"web\"} 0\n", body, StringComparison.Ordinal);
        Assert.Contains("chaos_events_dropped_total 0\n", body, StringComparison.Ordinal);
        Assert.EndsWith("\n", body, StringComparison.Ordinal);
        Assert.Equal("a\\\"b\\\\c\\nd", PrometheusText.Escape("a\"b\\c\nd"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Version_OurInformationalVersion()
    {
        await using var api = await ChaosApiHarness.StartAsync();
        var (status, body, contentType) = await api.GetAsync("/chaos/version");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", contentType);
        var root = JsonDocument.Parse(body).RootElement;
        Assert.Equal("chaos", root.GetProperty("name").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+", root.GetProperty("version").GetString());
        Assert.Equal(ChaosRoutes.Version, root.GetProperty("version").GetString());
        Assert.Equal("2.12.0", root.GetProperty("toxiproxy_api").GetString());
    }

    [Fact(Timeout = 30_000)]
    public async Task Extensions_BehindTheSameGuards()
    {
        await using var api = await ChaosApiHarness.StartAsync(options: new ControlApiOptions("127.0.0.1", 0, "s3cret"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/chaos/metrics")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/chaos/events")).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync("GET", "/chaos/metrics", token: "s3cret")).Status);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await api.SendAsync("POST", "/chaos/version", token: "s3cret")).Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task WithoutExtensions_ChaosRoutesAre404()
    {
        await using var api = await ControlApiHarness.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/chaos/version")).Status);
    }

    private static async Task ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.NotEqual(0, n);
            read += n;
        }
    }

    /// <summary>Samples by (metric, proxy label, direction label).</summary>
    private static async Task<Dictionary<(string Metric, string? Proxy, string? Direction), long>> ScrapeAsync(ChaosApiHarness api)
    {
        var (status, body, _) = await api.GetAsync("/chaos/metrics");
        Assert.Equal(HttpStatusCode.OK, status);
        var samples = new Dictionary<(string, string?, string?), long>();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith('#')))
        {
            var match = SampleLine().Match(line);
            Assert.True(match.Success, line);
            samples[(match.Groups["name"].Value, Label(match, "proxy"), Label(match, "direction"))] =
                long.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return samples;
    }

    private static async Task<Dictionary<(string Metric, string? Proxy, string? Direction), long>> ScrapeUntilAsync(
        ChaosApiHarness api, Func<Dictionary<(string Metric, string? Proxy, string? Direction), long>, bool> condition)
    {
        var samples = await ScrapeAsync(api);
        await Eventually(async () => condition(samples = await ScrapeAsync(api)));
        return samples;
    }

    private static string? Label(Match match, string name) =>
        Regex.Match(match.Groups["labels"].Value, name + "=\"([^\"]*)\"") is { Success: true } label ? label.Groups[1].Value : null;

    [GeneratedRegex("""^(?<name>[a-z_]+)(\{(?<labels>[^}]*)\})? (?<value>\d+)$""")]
    private static partial Regex SampleLine();

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(25);
        }
    }
}
