using System.Net.Sockets;

namespace Chaos.Proxy;

/// <summary>A proxy could not start (its address is taken or not on this machine). The message is one line for the user.</summary>
public sealed class ProxyStartException : Exception
{
    /// <summary>Names the proxy, its listen address and why the socket call failed.</summary>
    public ProxyStartException(string proxy, string listen, SocketError error)
        : base($"proxy '{proxy}' cannot listen on {listen}: {Describe(error)}")
    {
        Error = error;
    }

    /// <summary>The socket error the bind or listen failed with.</summary>
    public SocketError Error { get; }

    private static string Describe(SocketError error) => error switch
    {
        SocketError.AddressAlreadyInUse => "address already in use",
        SocketError.AddressNotAvailable => "address not available on this machine",
        SocketError.AccessDenied => "permission denied (ports below 1024 need privileges)",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host name not found",
        _ => error.ToString(),
    };
}
