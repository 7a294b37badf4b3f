using System.Net;
using System.Security.Cryptography;
using System.Text;
using Chaos.Proxy.ControlApi.Extensions;
using Chaos.Proxy.Engine;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Observation.Diagrams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Chaos.Proxy.ControlApi.LiveView;

/// <summary>
/// <c>chaos run --ui</c>: a web page (embedded HTML, CSS and JavaScript; nothing from a CDN) that draws every live
/// connection as a ladder as its events arrive, from a server-sent event stream. Read-only: it changes nothing, so
/// unlike the API it lets browsers in; beyond loopback it needs the token (as <c>?token=</c>, since a browser's
/// EventSource cannot send headers) or an explicit opt-out, by the same rule as the API.
/// </summary>
internal sealed class LiveViewServer : IAsyncDisposable
{
    /// <summary>The default port: next to the API's 8474.</summary>
    public const int DefaultPort = 8475;

    /// <summary>The page shows this many connections, the latest first (MAX_SHOWN in live.js).</summary>
    private const int ConnectionsShown = 12;

    private static readonly (string Path, string Resource, string ContentType)[] Assets =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/live.css", "live.css", "text/css; charset=utf-8"),
        ("/live.js", "live.js", "text/javascript; charset=utf-8"),
    ];

    private readonly WebApplication _app;

    private LiveViewServer(WebApplication app, IPEndPoint endPoint, string? token)
    {
        _app = app;
        Uri = new Uri($"http://{endPoint}/{(token is null ? "" : "?token=" + Uri.EscapeDataString(token))}");
    }

    /// <summary>The page's address, with the real port when port 0 was asked for (and the token, when there is one).</summary>
    public Uri Uri { get; }

    public static async Task<LiveViewServer> StartAsync(ChaosRuntime runtime, string host, int port, string? token, CancellationToken cancellation)
    {
        var extensions = new ChaosExtensions(runtime);
        var expected = token is null ? null : Encoding.UTF8.GetBytes(token);
        var (app, endPoint) = await ControlApiServer.HostAsync(host, port, web =>
        {
            web.Use((context, next) => Allowed(context, expected) ? next(context) : Forbidden(context));
            foreach (var (path, resource, contentType) in Assets)
            {
                var body = Read(resource);
                web.MapGet(path, context => Serve(context, body, contentType));
            }
            web.MapGet("/events", context => ChaosRoutes.EventsAsync(context, extensions, WithLadderStep, () => Recent(runtime.Observers.History.Snapshot())));
        }, cancellation);
        return new LiveViewServer(app, endPoint, token);
    }

    /// <summary>The events of the latest connections (as many as the page shows) and the listener's faults, for a page that opens late or reloads.</summary>
    private static List<ChaosEvent> Recent(ChaosEvent[] history)
    {
        var shown = history.Where(e => e.Connection != 0).Select(e => (e.Proxy, e.Connection)).Distinct().TakeLast(ConnectionsShown).ToHashSet();
        return [.. history.Where(e => e is ToxicActed { Connection: 0 } || shown.Contains((e.Proxy, e.Connection)))];
    }

    /// <summary>Each event as the API streams it, plus the ladder row it makes (the same words as the terminal ladder), when it makes one.</summary>
    private static byte[] WithLadderStep(ChaosEvent chaosEvent) =>
        EventJson.Serialize(chaosEvent, writer =>
        {
            if (Ladder.Step(chaosEvent, TimeSpan.Zero) is not { } step)
            {
                return;
            }
            writer.WriteStartObject("step");
            writer.WriteString("kind", step.Kind.ToString().ToLowerInvariant());
            writer.WriteString("from", step.From.ToString().ToLowerInvariant());
            writer.WriteString("to", step.To.ToString().ToLowerInvariant());
            writer.WriteString("text", step.Text);
            writer.WriteString("detail", step.Detail);
            writer.WriteEndObject();
        });

    private static bool Allowed(HttpContext context, byte[]? token) =>
        token is null || CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(context.Request.Query["token"].ToString()), token);

    private static Task Forbidden(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return context.Response.WriteAsync("missing or wrong token: open the address chaos printed, with its ?token=");
    }

    private static Task Serve(HttpContext context, byte[] body, string contentType)
    {
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["Content-Security-Policy"] = "default-src 'self'";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static byte[] Read(string resource)
    {
        using var stream = typeof(LiveViewServer).Assembly.GetManifestResourceStream("liveview/" + resource)
            ?? throw new InvalidOperationException($"embedded live view asset {resource} is missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
