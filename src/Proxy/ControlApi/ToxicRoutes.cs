using Chaos.Scenarios;
using Microsoft.AspNetCore.Http;

namespace Chaos.Proxy.ControlApi;

/// <summary><c>/proxies/{proxy}/toxics</c> and <c>/proxies/{proxy}/toxics/{toxic}</c>, as Toxiproxy 2.12 answers them.</summary>
internal sealed class ToxicRoutes(ControlApiState state)
{
    public Task ListAsync(HttpContext context) =>
        ApiResponses.JsonAsync(context, ToxiproxyJson.Toxics(state.Proxy(context)));

    /// <summary>200 (not 201: Toxiproxy never sets it here) and the toxic.</summary>
    public async Task CreateAsync(HttpContext context)
    {
        var proxy = state.Proxy(context);
        var body = await state.BodyAsync(context);
        ToxicSpec? toxic = null;
        await state.ChangeAsync(async () =>
        {
            toxic = ToxicBodies.ForCreate(body, name => proxy.Spec.Toxics.Any(t => t.Name == name));
            await state.Registry.AddToxicAsync(proxy.Name, toxic);
        });
        await ApiResponses.JsonAsync(context, ToxiproxyJson.Toxic(toxic!));
    }

    public Task GetAsync(HttpContext context) =>
        ApiResponses.JsonAsync(context, ToxiproxyJson.Toxic(Find(context)));

    /// <summary>PATCH (and the deprecated POST): attributes merge, toxicity is kept when absent.</summary>
    public async Task UpdateAsync(HttpContext context)
    {
        var proxy = state.Proxy(context);
        _ = Find(context);
        var body = await state.BodyAsync(context);
        ToxicSpec? toxic = null;
        await state.ChangeAsync(async () =>
        {
            toxic = ToxicBodies.ForUpdate(body, Find(context));
            await state.Registry.UpdateToxicAsync(proxy.Name, toxic);
        });
        await ApiResponses.JsonAsync(context, ToxiproxyJson.Toxic(toxic!));
    }

    public async Task DeleteAsync(HttpContext context)
    {
        var proxy = state.Proxy(context);
        await state.ChangeAsync(() => state.Registry.RemoveToxicAsync(proxy.Name, ControlApiState.RouteValue(context, "toxic")));
        await ApiResponses.NoContentAsync(context);
    }

    private ToxicSpec Find(HttpContext context)
    {
        var name = ControlApiState.RouteValue(context, "toxic");
        return state.Proxy(context).Spec.Toxics.FirstOrDefault(t => t.Name == name) ?? throw ApiException.ToxicNotFound();
    }
}
