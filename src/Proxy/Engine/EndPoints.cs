using System.Net;
using System.Net.Sockets;
using Chaos.Scenarios;

namespace Chaos.Proxy.Engine;

/// <summary>Turns scenario addresses into socket endpoints.</summary>
internal static class EndPoints
{
    /// <summary>A listen address to bind: an IP literal, <c>localhost</c>, empty or <c>*</c> for all interfaces, or a resolvable name.</summary>
    public static IPEndPoint ForListen(HostPort listen)
    {
        var host = listen.Host.Trim('[', ']');
        if (host is "" or "*")
        {
            return new IPEndPoint(IPAddress.Any, listen.Port);
        }
        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, listen.Port);
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, listen.Port);
        }
        var addresses = Dns.GetHostAddresses(host);
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
        return new IPEndPoint(chosen, listen.Port);
    }

    /// <summary>An upstream to dial: IP literals as they are, names resolved at each dial (so a restarted service with a new address is found).</summary>
    public static EndPoint ForDial(HostPort upstream)
    {
        var host = upstream.Host.Trim('[', ']');
        return IPAddress.TryParse(host, out var address)
            ? new IPEndPoint(address, upstream.Port)
            : new DnsEndPoint(host, upstream.Port);
    }
}
