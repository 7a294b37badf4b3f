using System.Reflection;
using System.Text;
using System.Text.Json;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Observation.Reactions;
using Chaos.Scenarios;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Chaos.Proxy.ControlApi.Extensions;

/// <summary>
/// Chaos's own endpoints, under <c>/chaos/</c> so the Toxiproxy surface stays as it is: the live event stream,
/// the reaction report so far, a whole scenario applied at once, Prometheus metrics, and our version.
/// They pass the same guards as Toxiproxy's routes (request id, browser 403, bearer token).
/// </summary>
internal sealed class ChaosRoutes(ControlApiState state, ChaosExtensions extensions)
{
    private static readonly string[] Get = ["GET"];
    private static readonly string[] Post = ["POST"];

    public static void Map(RouteGroupBuilder api, ControlApiState state, ChaosExtensions extensions, Func<Func<HttpContext, Task>, RequestDelegate> guard)
    {
        var routes = new ChaosRoutes(state, extensions);
        api.MapMethods("/chaos/events", Get, guard(context => EventsAsync(context, extensions, EventJson.Serialize)));
        api.MapMethods("/chaos/report", Get, guard(routes.ReportAsync));
        api.MapMethods("/chaos/scenario", Post, guard(routes.ApplyScenarioAsync));
        api.MapMethods("/chaos/metrics", Get, guard(routes.MetricsAsync));
        api.MapMethods("/chaos/version", Get, guard(VersionAsync));
    }

    /// <summary>
    /// Server-sent events: <c>event: kind</c> and <c>data: {json}</c> per event from the moment of connecting, a
    /// comment line as heartbeat, <c>event: dropped</c> when this client fell behind and lost events. Ends when the
    /// client goes, the server stops, or the run ends. The live view sends the same stream with more in each object,
    /// after <paramref name="replay"/>: events from before the client came, so a reloaded page still shows them.
    /// </summary>
    public static async Task EventsAsync(
        HttpContext context, ChaosExtensions extensions, Func<ChaosEvent, byte[]> serialize, Func<IReadOnlyList<ChaosEvent>>? replay = null)
    {
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        using var subscription = extensions.Runtime.Observers.Live.Attach(extensions.ClientQueue);
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var body = context.Response.Body;
        try
        {
            await body.WriteAsync(": chaos events\n\n"u8.ToArray(), ending.Token);
            var replayed = replay is null ? null : await ReplayAsync(body, replay(), serialize, ending.Token);
            await body.FlushAsync(ending.Token);
            var reported = 0L;
            while (true)
            {
                bool more;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ending.Token))
                {
                    wait.CancelAfter(extensions.Heartbeat);
                    try
                    {
                        more = await subscription.Reader.WaitToReadAsync(wait.Token);
                    }
                    catch (OperationCanceledException) when (!ending.IsCancellationRequested)
                    {
                        await body.WriteAsync(": heartbeat\n\n"u8.ToArray(), ending.Token);
                        await body.FlushAsync(ending.Token);
                        continue;
                    }
                }
                if (!more)
                {
                    return; // the run ended
                }
                using var frames = new MemoryStream();
                while (subscription.Reader.TryRead(out var chaosEvent))
                {
                    if (replayed?.Remove(chaosEvent) != true)
                    {
                        Frame(frames, EventJson.Kind(chaosEvent), serialize(chaosEvent));
                    }
                }
                if (subscription.Dropped is var dropped && dropped != reported)
                {
                    Frame(frames, "dropped", Encoding.UTF8.GetBytes($"{{\"dropped\":{dropped - reported},\"dropped_total\":{dropped}}}"));
                    reported = dropped;
                }
                await body.WriteAsync(frames.GetBuffer().AsMemory(0, (int)frames.Length), ending.Token);
                await body.FlushAsync(ending.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The client went away or the server is stopping: the stream just ends.
        }
    }

    /// <summary>
    /// Writes the earlier events; returns the last of them, which may also arrive through the subscription attached
    /// just before (the bus hands the same instance to the history and the live stream), so they are not sent twice.
    /// </summary>
    private static async Task<HashSet<ChaosEvent>> ReplayAsync(Stream body, IReadOnlyList<ChaosEvent> earlier, Func<ChaosEvent, byte[]> serialize, CancellationToken cancellation)
    {
        using var frames = new MemoryStream();
        foreach (var chaosEvent in earlier)
        {
            Frame(frames, EventJson.Kind(chaosEvent), serialize(chaosEvent));
        }
        await body.WriteAsync(frames.GetBuffer().AsMemory(0, (int)frames.Length), cancellation);
        return new HashSet<ChaosEvent>(earlier.Skip(Math.Max(0, earlier.Count - LiveEvents.DefaultCapacity)), ReferenceEqualityComparer.Instance);
    }

    private static void Frame(MemoryStream frames, string kind, byte[] json)
    {
        frames.Write("event: "u8);
        frames.Write(Encoding.UTF8.GetBytes(kind));
        frames.Write("\ndata: "u8);
        frames.Write(json);
        frames.Write("\n\n"u8);
    }

    /// <summary>The reaction report over the events so far, as <c>chaos run --report</c> writes it at the end (<c>command_exit_code</c> null).</summary>
    public Task ReportAsync(HttpContext context)
    {
        var report = ReactionAnalyser.Analyse(extensions.Runtime.Observers.History.Snapshot());
        var results = ExpectationResult.Evaluate(extensions.Runtime.Expectations, report);
        return ApiResponses.JsonAsync(context, Encoding.UTF8.GetBytes(ReportWriters.Json(report, results, null)));
    }

    /// <summary>
    /// A whole scenario document (YAML or JSON, or Toxiproxy's proxies array) becomes the set of proxies: new ones
    /// start, missing ones stop, the others change in place (live connections kept). Timeline and expectations are not
    /// used. 400 with every diagnostic when invalid; 500 naming the proxies that could not start or change (the others
    /// were applied); else the proxies as <c>GET /proxies</c> shows them.
    /// </summary>
    public async Task ApplyScenarioAsync(HttpContext context)
    {
        var text = await RequestBody.ReadTextAsync(context.Request, state.Options.MaxBodyBytes);
        var loaded = ScenarioLoader.LoadText(text, "request body");
        if (!loaded.IsValid)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, loaded.Diagnostics.Count > 0
                ? string.Join('\n', loaded.Diagnostics)
                : "the scenario did not load");
        }
        IReadOnlyList<string> problems = [];
        await state.ChangeAsync(async () => problems = await state.Registry.ApplyAsync(loaded.Scenario.Proxies));
        if (problems.Count > 0)
        {
            throw new ApiException(StatusCodes.Status500InternalServerError, string.Join('\n', problems));
        }
        await ApiResponses.JsonAsync(context, ToxiproxyJson.ProxyMap(state.Registry.Proxies));
    }

    public Task MetricsAsync(HttpContext context)
    {
        var body = Encoding.UTF8.GetBytes(PrometheusText.Write(state.Registry.Proxies, extensions.Runtime.Observers.Toxics, extensions.Runtime.Bus.Dropped));
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = PrometheusText.ContentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary><c>{"name":"chaos","version":"0.1.0+commit","toxiproxy_api":"2.12.0"}</c>: the assembly's informational version.</summary>
    public static Task VersionAsync(HttpContext context) =>
        ApiResponses.JsonAsync(context, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["name"] = "chaos",
            ["version"] = Version,
            ["toxiproxy_api"] = ProxyRoutes.ToxiproxyVersion,
        }));

    public static string Version { get; } =
        typeof(ChaosRoutes).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ChaosRoutes).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
