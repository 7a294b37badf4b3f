using System.Net;
using System.Text.Json;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.ControlApi.Extensions;

/// <summary><c>chaos serve</c> and <c>chaos run --api</c> serve the <c>/chaos/</c> endpoints, as processes.</summary>
public sealed class ChaosCliExposureTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    [Fact(Timeout = 60_000)]
    public async Task Serve_ChaosEndpoints_AndAnOpenEventStreamDoesNotHoldShutdown()
    {
        using var chaos = ChaosProcess.Start("serve", "-port", "0");
        using var http = new HttpClient { BaseAddress = await ApiAddressAsync(chaos), Timeout = TimeSpan.FromSeconds(20) };

        var version = JsonDocument.Parse(await http.GetStringAsync("chaos/version")).RootElement;
        var applied = await http.PostAsync("chaos/scenario", new StringContent("proxies:\n  - name: web\n    listen: 127.0.0.1:0\n    upstream: builtin:echo\n"));
        var metrics = await http.GetStringAsync("chaos/metrics");
        using var events = await http.GetAsync("chaos/events", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal("chaos", version.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.Contains("chaos_connections_total{proxy=\"web\"} 0", metrics, StringComparison.Ordinal);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        chaos.Terminate();
        Assert.Equal(0, await chaos.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact(Timeout = 60_000)]
    public async Task RunWithApi_ReportEvaluatesTheScenarioExpectationsSoFar()
    {
        var scenario = _scratch.Write("api.yaml",
            "proxies:\n  - name: web\n    listen: 127.0.0.1:0\n    upstream: builtin:http\nexpect:\n  - web.connections.total == 0\n");
        using var chaos = ChaosProcess.Start("run", scenario, "--api", "127.0.0.1:0");
        using var http = new HttpClient { BaseAddress = await ApiAddressAsync(chaos), Timeout = TimeSpan.FromSeconds(20) };

        var report = JsonDocument.Parse(await http.GetStringAsync("chaos/report")).RootElement;

        var expectation = Assert.Single(report.GetProperty("expectations").EnumerateArray());
        Assert.True(expectation.GetProperty("passed").GetBoolean());
        Assert.Equal("web", Assert.Single(report.GetProperty("proxies").EnumerateArray()).GetProperty("proxy").GetString());
        chaos.Terminate();
        Assert.Equal(0, await chaos.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    public void Dispose() => _scratch.Dispose();

    private static async Task<Uri> ApiAddressAsync(ChaosProcess chaos)
    {
        const string marker = "API listening on ";
        await chaos.WaitForOutputAsync(marker);
        var text = chaos.Output + chaos.Error;
        var start = text.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        var end = text.IndexOfAny([' ', '\n', '\r'], start);
        return new Uri(text[start..end]);
    }
}
