using System.Net;
using Chaos.Proxy.ControlApi.Extensions;
using Chaos.Proxy.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chaos.Proxy.ControlApi;

/// <summary>
/// The Toxiproxy-compatible HTTP control API over a <see cref="ProxyRegistry"/>, served by Kestrel (control plane
/// only: relayed traffic never goes through it). No configuration files, environment or logging providers are read.
/// </summary>
internal sealed class ControlApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ControlApiState _state;

    private ControlApiServer(WebApplication app, ControlApiState state, IPEndPoint endPoint)
    {
        _app = app;
        _state = state;
        EndPoint = endPoint;
        Uri = new Uri($"http://{endPoint}/");
    }

    /// <summary>The bound address, with the real port when the options asked for port 0.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The base address for clients, e.g. <c>http://127.0.0.1:8474/</c>.</summary>
    public Uri Uri { get; }

    /// <summary>Binds and starts serving. Throws <see cref="IOException"/> when the address cannot be bound.</summary>
    public static Task<ControlApiServer> StartAsync(ProxyRegistry registry, ControlApiOptions options, CancellationToken cancellationToken) =>
        StartAsync(registry, options, extensions: null, cancellationToken);

    /// <summary>Serves the run's registry with Chaos's <c>/chaos/</c> endpoints (events, report, scenario, metrics, version) as well.</summary>
    public static Task<ControlApiServer> StartAsync(ChaosRuntime runtime, ControlApiOptions options, CancellationToken cancellationToken) =>
        StartAsync(runtime.Registry, options, new ChaosExtensions(runtime), cancellationToken);

    /// <summary>Binds and starts serving; <paramref name="extensions"/> adds the <c>/chaos/</c> endpoints. Throws <see cref="IOException"/> when the address cannot be bound.</summary>
    public static async Task<ControlApiServer> StartAsync(
        ProxyRegistry registry, ControlApiOptions options, ChaosExtensions? extensions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        var state = new ControlApiState(registry, options);
        try
        {
            var (app, endPoint) = await HostAsync(options.Host, options.Port, web => ControlApiRoutes.Map(web, state, extensions), cancellationToken);
            return new ControlApiServer(app, state, endPoint);
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A bare Kestrel on <paramref name="host"/>:<paramref name="port"/> with only the routes <paramref name="map"/> adds,
    /// started; also serves the live view. Throws <see cref="IOException"/> when the address cannot be bound.
    /// </summary>
    internal static async Task<(WebApplication App, IPEndPoint EndPoint)> HostAsync(
        string host, int port, Action<WebApplication> map, CancellationToken cancellationToken)
    {
        var address = await ResolveAsync(host, cancellationToken);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // RequestBody enforces the cap with Toxiproxy's error body
            kestrel.Listen(address, port);
        });
        var app = builder.Build();
        map(app);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Select(text => new Uri(text)).First();
        return (app, new IPEndPoint(address, bound.Port));
    }

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (host is "" or "*")
        {
            return IPAddress.Any;
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback; // Kestrel cannot pick a free port for "localhost" (two sockets)
        }
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return address;
        }
        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        return addresses.Length > 0 ? addresses[0] : throw new IOException($"the control API host '{host}' does not resolve");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _state.Dispose();
    }
}
