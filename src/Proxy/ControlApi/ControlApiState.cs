using Chaos.Proxy.Engine;
using Microsoft.AspNetCore.Http;

namespace Chaos.Proxy.ControlApi;

/// <summary>What the handlers share: the registry, the options, and one lock so API changes (a populate above all) do not interleave.</summary>
internal sealed class ControlApiState(ProxyRegistry registry, ControlApiOptions options) : IDisposable
{
    private readonly SemaphoreSlim _changes = new(1, 1);

    public ProxyRegistry Registry { get; } = registry;

    public ControlApiOptions Options { get; } = options;

    public RunningProxy Proxy(HttpContext context) =>
        Registry.Find(RouteValue(context, "proxy")) ?? throw ApiException.ProxyNotFound();

    public static string RouteValue(HttpContext context, string name) => context.Request.RouteValues[name] as string ?? string.Empty;

    public Task<System.Text.Json.JsonElement> BodyAsync(HttpContext context) => RequestBody.ReadJsonAsync(context.Request, Options.MaxBodyBytes);

    /// <summary>Runs a change under the API's lock; the registry serialises too, this keeps multi-step changes whole.</summary>
    public async Task ChangeAsync(Func<Task> change)
    {
        await _changes.WaitAsync();
        try
        {
            await change();
        }
        finally
        {
            _changes.Release();
        }
    }

    public void Dispose() => _changes.Dispose();
}
