using System.Net;
using System.Text.Json;
using Chaos.Proxy.Engine;
using Chaos.Scenarios;
using Microsoft.AspNetCore.Http;

namespace Chaos.Proxy.ControlApi;

/// <summary>
/// <c>POST /populate</c> with Toxiproxy's semantics (not <see cref="ProxyRegistry.ApplyAsync"/>'s): every entry is
/// checked before anything changes; then, in order, a new name is created, an existing proxy is replaced (and
/// loses its toxics) only when its listen or upstream differ, and proxies not in the list are left alone. The
/// first failure stops it: its status, with the proxies done so far. Errors here are served as JSON, unlike the
/// other endpoints' (as in Toxiproxy).
/// </summary>
internal sealed class PopulateRoute(ControlApiState state)
{
    private const string GoInputType = "[]struct { toxiproxy.Proxy; Enabled *bool \"json:\\\"enabled\\\"\" }";

    public async Task PopulateAsync(HttpContext context)
    {
        List<ProxySpec> specs;
        try
        {
            specs = Read(await state.BodyAsync(context));
        }
        catch (ApiException ex)
        {
            await WriteAsync(context, [], ex);
            return;
        }

        var done = new List<RunningProxy>();
        ApiException? error = null;
        await state.ChangeAsync(async () =>
        {
            foreach (var spec in specs)
            {
                try
                {
                    done.Add(await AddOrReplaceAsync(spec));
                }
                catch (ProxyStartException ex)
                {
                    error = ApiException.From(ex, spec.Listen);
                    break;
                }
            }
        });
        await WriteAsync(context, done, error);
    }

    private static List<ProxySpec> Read(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Array)
        {
            throw ApiException.BadBody($"json: cannot unmarshal {RequestBody.GoKind(body)} into Go value of type {GoInputType}");
        }
        return [.. body.EnumerateArray().Select((entry, index) => entry.ValueKind == JsonValueKind.Null
            ? throw ApiException.MissingField($"name at proxy {index + 1}")
            : ProxyBodies.ForCreate(entry, $" at proxy {index + 1}"))];
    }

    private async Task<RunningProxy> AddOrReplaceAsync(ProxySpec spec)
    {
        if (state.Registry.Find(spec.Name) is not { } existing)
        {
            return await state.Registry.StartAsync(spec);
        }
        if (existing.Spec.Upstream == spec.Upstream && SameListen(existing, spec.Listen))
        {
            return existing;
        }
        var old = (existing.ListenEndPoint ?? existing.LastBound) is { } bound
            ? existing.Spec with { Enabled = false, Listen = new HostPort(bound.Address.ToString(), bound.Port) }
            : existing.Spec with { Enabled = false };
        await state.Registry.StopAsync(spec.Name);
        try
        {
            return await state.Registry.StartAsync(spec);
        }
        catch (ProxyStartException)
        {
            // Toxiproxy stops the old proxy before starting its replacement, and keeps it (stopped) when that fails.
            await state.Registry.StartAsync(old);
            throw;
        }
    }

    private static bool SameListen(RunningProxy existing, HostPort listen) =>
        existing.Spec.Listen == listen
        || (listen.Port != 0 && (existing.ListenEndPoint ?? existing.LastBound) is { } bound && bound.Port == listen.Port
            && IPAddress.TryParse(listen.Host, out var address) && address.Equals(bound.Address));

    private static Task WriteAsync(HttpContext context, IReadOnlyList<RunningProxy> proxies, ApiException? error) =>
        ApiResponses.JsonAsync(context, ToxiproxyJson.Populated(proxies, error), error?.Status ?? StatusCodes.Status201Created);
}
