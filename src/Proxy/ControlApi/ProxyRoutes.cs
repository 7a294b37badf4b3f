using Chaos.Proxy.Engine;
using Microsoft.AspNetCore.Http;

namespace Chaos.Proxy.ControlApi;

/// <summary><c>/proxies</c>, <c>/proxies/{proxy}</c> and <c>/reset</c>, as Toxiproxy 2.12 answers them.</summary>
internal sealed class ProxyRoutes(ControlApiState state)
{
    public Task ListAsync(HttpContext context) =>
        ApiResponses.JsonAsync(context, ToxiproxyJson.ProxyMap(state.Registry.Proxies));

    /// <summary>201 and the proxy; 409 when the name is taken; 500 with Go's wording when the address cannot be bound.</summary>
    public async Task CreateAsync(HttpContext context)
    {
        var spec = ProxyBodies.ForCreate(await state.BodyAsync(context));
        RunningProxy? proxy = null;
        await state.ChangeAsync(async () =>
        {
            try
            {
                proxy = await state.Registry.StartAsync(spec);
            }
            catch (ProxyStartException ex)
            {
                throw ApiException.From(ex, spec.Listen);
            }
        });
        await ApiResponses.JsonAsync(context, ToxiproxyJson.Proxy(proxy!), StatusCodes.Status201Created);
    }

    public Task GetAsync(HttpContext context) =>
        ApiResponses.JsonAsync(context, ToxiproxyJson.Proxy(state.Proxy(context)));

    /// <summary>
    /// PATCH (and the deprecated POST). As in Toxiproxy, a new address that cannot be bound leaves the proxy
    /// disabled on that address (the 500 tells why; a later PATCH moves it back).
    /// </summary>
    public async Task UpdateAsync(HttpContext context)
    {
        var current = state.Proxy(context); // 404 before the body is read, as in Toxiproxy
        var spec = ProxyBodies.ForUpdate(await state.BodyAsync(context), current);
        await state.ChangeAsync(async () =>
        {
            try
            {
                await state.Registry.UpdateProxyAsync(spec);
            }
            catch (ProxyStartException ex)
            {
                await state.Registry.UpdateProxyAsync(spec with { Enabled = false });
                throw ApiException.From(ex, spec.Listen);
            }
        });
        await ApiResponses.JsonAsync(context, ToxiproxyJson.Proxy(state.Proxy(context)));
    }

    public async Task DeleteAsync(HttpContext context)
    {
        var stopped = false;
        await state.ChangeAsync(async () => stopped = await state.Registry.StopAsync(ControlApiState.RouteValue(context, "proxy")));
        await (stopped ? ApiResponses.NoContentAsync(context) : throw ApiException.ProxyNotFound());
    }

    /// <summary>Every proxy enabled again and every toxic removed; 500 when a proxy cannot listen again.</summary>
    public async Task ResetAsync(HttpContext context)
    {
        await state.ChangeAsync(async () =>
        {
            try
            {
                await state.Registry.ResetAsync();
            }
            catch (ProxyStartException ex)
            {
                throw new ApiException(StatusCodes.Status500InternalServerError, ex.Message);
            }
        });
        await ApiResponses.NoContentAsync(context);
    }

    /// <summary>The Toxiproxy version <c>GET /version</c> claims.</summary>
    public const string ToxiproxyVersion = "2.12.0";

    private static readonly byte[] VersionBody = System.Text.Encoding.UTF8.GetBytes($"{{\"version\": \"{ToxiproxyVersion}\"}}\n");

    /// <summary>Toxiproxy's exact body and content type: clients read <c>version</c> to pick PATCH (2.6 and later).</summary>
    public static Task VersionAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.ContentType = "application/json;charset=utf-8";
        context.Response.ContentLength = VersionBody.Length;
        return context.Response.Body.WriteAsync(VersionBody, context.RequestAborted).AsTask();
    }
}
