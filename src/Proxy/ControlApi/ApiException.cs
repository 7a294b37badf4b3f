using System.Net.Sockets;
using Chaos.Proxy.Engine;
using Chaos.Scenarios;

namespace Chaos.Proxy.ControlApi;

/// <summary>A request the API answers with Toxiproxy's error body <c>{"error":message,"status":status}</c>.</summary>
internal sealed class ApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static ApiException BadBody(string detail) => new(400, "bad request body: " + detail);

    public static ApiException MissingField(string field) => new(400, "missing required field: " + field);

    public static ApiException ProxyNotFound() => new(404, "proxy not found");

    public static ApiException ToxicNotFound() => new(404, "toxic not found");

    /// <summary>Toxiproxy's messages for the registry's refusals.</summary>
    public static ApiException From(RegistryException ex) => ex.Error switch
    {
        RegistryError.ProxyNotFound => ProxyNotFound(),
        RegistryError.ToxicNotFound => ToxicNotFound(),
        RegistryError.ProxyExists => new(409, "proxy already exists"),
        _ => new(409, "toxic already exists"),
    };

    /// <summary>A listener that cannot bind: 500 with Go's <c>net.Listen</c> wording, as Toxiproxy answers.</summary>
    public static ApiException From(ProxyStartException ex, HostPort listen) => new(500, ex.Error switch
    {
        SocketError.AddressAlreadyInUse => $"listen tcp {listen}: bind: address already in use",
        SocketError.AddressNotAvailable => $"listen tcp {listen}: bind: cannot assign requested address",
        SocketError.AccessDenied => $"listen tcp {listen}: bind: permission denied",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"listen tcp: lookup {listen.Host}: no such host",
        _ => ex.Message,
    });
}
