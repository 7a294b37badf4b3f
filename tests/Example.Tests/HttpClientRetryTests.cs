using System.Net;
using Chaos.Proxy;
using Chaos.Proxy.Observation;
using Chaos.Scenarios;
using Polly;
using Polly.Retry;

namespace Chaos.Example.Tests;

/// <summary>
/// Does our HTTP client survive a server whose first two connections are reset right after connect?
/// Chaos stands in front of an embedded HTTP server; the client retries with exponential backoff (Polly).
/// </summary>
public sealed class HttpClientRetryTests
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(200);

    [Fact(Timeout = 60_000)]
    public async Task GetAsync_FirstTwoConnectionsReset_RetriesTwiceWithGrowingPausesThenSucceeds()
    {
        var scenario = new ScenarioBuilder("http-retry")
            .Proxy("web", "builtin:http", web => web
                .Toxic("accept_reset", reset => reset.Name("reset-first-two").Connections("1-2")))
            .Expect("web.connections.faulted == 2")
            .Expect("web.client.retries == 2")
            .Expect("web.server.resets == 0")
            .Build();
        await using var chaos = await ChaosSession.StartAsync(scenario);

        HttpStatusCode status;
        using (var http = new HttpClient { BaseAddress = new Uri($"http://{chaos.Proxy("web").Address}/") })
        {
            using var response = await RetryingPipeline().ExecuteAsync(async token => await http.GetAsync("hello", token));
            status = response.StatusCode;
        }
        await chaos.WaitForEventsAsync<ConnectionClosed>(3, "web");
        await chaos.StopAsync();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.All(chaos.EvaluateExpectations(), result => Assert.True(result.Passed, result.ToString()));
        var web = chaos.Report().Proxies.Single(proxy => proxy.Proxy == "web");
        Assert.True(web.MinRetryInterval >= FirstRetryDelay * 0.9, $"shortest pause {web.MinRetryInterval}");
        Assert.True(web.MaxRetryInterval >= FirstRetryDelay * 1.8, $"longest pause {web.MaxRetryInterval}");
    }

    /// <summary>What the service under test would configure: retry connection failures, 200 ms then 400 ms.</summary>
    private static ResiliencePipeline<HttpResponseMessage> RetryingPipeline() =>
        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>().Handle<HttpRequestException>(),
                MaxRetryAttempts = 3,
                Delay = FirstRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
            })
            .Build();
}
