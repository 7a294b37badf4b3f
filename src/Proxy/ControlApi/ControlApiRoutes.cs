using System.Security.Cryptography;
using System.Text;
using Chaos.Proxy.ControlApi.Extensions;
using Chaos.Proxy.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chaos.Proxy.ControlApi;

/// <summary>
/// Toxiproxy 2.12's routes (gorilla/mux in its <c>api.go</c>), and what wraps them: a request id on every
/// matched route, 403 for browsers (CSRF guard), the optional bearer token, and Toxiproxy's error bodies.
/// Unmatched paths get Go's <c>404 page not found</c>; a known path with another method gets an empty 405.
/// </summary>
internal static class ControlApiRoutes
{
    private static readonly string[] Get = ["GET"];
    private static readonly string[] Post = ["POST"];
    private static readonly string[] Delete = ["DELETE"];
    private static readonly string[] Update = ["PATCH", "POST"]; // POST is Toxiproxy's deprecated spelling; its Go client still uses it

    /// <summary>Toxiproxy's routes, and Chaos's own under <c>/chaos/</c> when <paramref name="extensions"/> is given.</summary>
    public static void Map(WebApplication app, ControlApiState state, ChaosExtensions? extensions = null)
    {
        var proxies = new ProxyRoutes(state);
        var toxics = new ToxicRoutes(state);
        var populate = new PopulateRoute(state);
        var api = app.MapGroup(string.Empty).WithMetadata(ToxiproxyRoute.Instance);

        api.MapMethods("/version", Get, Guard(ProxyRoutes.VersionAsync));
        api.MapMethods("/reset", Post, Guard(proxies.ResetAsync));
        api.MapMethods("/populate", Post, Guard(populate.PopulateAsync));
        api.MapMethods("/proxies", Get, Guard(proxies.ListAsync));
        api.MapMethods("/proxies", Post, Guard(proxies.CreateAsync));
        api.MapMethods("/proxies/{proxy}", Get, Guard(proxies.GetAsync));
        api.MapMethods("/proxies/{proxy}", Update, Guard(proxies.UpdateAsync));
        api.MapMethods("/proxies/{proxy}", Delete, Guard(proxies.DeleteAsync));
        api.MapMethods("/proxies/{proxy}/toxics", Get, Guard(toxics.ListAsync));
        api.MapMethods("/proxies/{proxy}/toxics", Post, Guard(toxics.CreateAsync));
        api.MapMethods("/proxies/{proxy}/toxics/{toxic}", Get, Guard(toxics.GetAsync));
        api.MapMethods("/proxies/{proxy}/toxics/{toxic}", Update, Guard(toxics.UpdateAsync));
        api.MapMethods("/proxies/{proxy}/toxics/{toxic}", Delete, Guard(toxics.DeleteAsync));
        if (extensions is not null)
        {
            ChaosRoutes.Map(api, state, extensions, Guard);
        }

        var token = state.Options.BearerToken is { Length: > 0 } text ? Encoding.UTF8.GetBytes("Bearer " + text) : null;
        app.Use((context, next) => WrapAsync(context, next, token));
    }

    /// <summary>Runs after routing, before the endpoint: the checks Toxiproxy's middleware makes, on matched routes only.</summary>
    private static Task WrapAsync(HttpContext context, RequestDelegate next, byte[]? token)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            return ApiResponses.PlainAsync(context, StatusCodes.Status404NotFound, "404 page not found");
        }
        if (endpoint.Metadata.GetMetadata<ToxiproxyRoute>() is null)
        {
            return next(context); // routing's own 405
        }
        context.Response.Headers[RequestIds.Header] = RequestIds.Next(TimeProvider.System);
        if (context.Request.Headers.UserAgent.ToString().StartsWith("Mozilla/", StringComparison.Ordinal))
        {
            return ApiResponses.PlainAsync(context, StatusCodes.Status403Forbidden, "User agent not allowed");
        }
        if (token is not null && !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString()), token))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiResponses.ErrorAsync(context, new ApiException(StatusCodes.Status401Unauthorized, "missing or wrong bearer token"));
        }
        return next(context);
    }

    /// <summary>Maps what a handler throws to Toxiproxy's error body; anything unexpected is a 500 with its message, as Toxiproxy does.</summary>
    internal static RequestDelegate Guard(Func<HttpContext, Task> handler) => async context =>
    {
        try
        {
            await handler(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && ex is not OperationCanceledException)
        {
            var error = ex switch
            {
                ApiException api => api,
                RegistryException registry => ApiException.From(registry),
                _ => new ApiException(StatusCodes.Status500InternalServerError, ex.Message),
            };
            await ApiResponses.ErrorAsync(context, error);
        }
    };

    /// <summary>Marks the API's own endpoints, to tell them from routing's 405 endpoint.</summary>
    private sealed class ToxiproxyRoute
    {
        public static readonly ToxiproxyRoute Instance = new();
    }
}
