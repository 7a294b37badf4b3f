using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Chaos.Scenarios;

/// <summary>A host (IP literal or DNS name) and a port.</summary>
/// <param name="Host">An IPv4 or IPv6 literal (without brackets) or a host name.</param>
/// <param name="Port">0..65535; 0 means any free port when listening.</param>
public readonly record struct HostPort(string Host, int Port)
{
    /// <summary>The host that <c>:port</c> (no host) stands for: every IPv4 interface, as Go's <c>net.Listen</c> reads it.</summary>
    public const string AnyHost = "0.0.0.0";

    /// <summary>True when <see cref="Host"/> is an IPv6 literal.</summary>
    public bool IsIPv6 => Host.Contains(':', StringComparison.Ordinal);

    /// <summary>Formats as <c>host:port</c>, or <c>[v6]:port</c> for IPv6 literals.</summary>
    public override string ToString() =>
        IsIPv6 ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Parses <c>host:port</c>, <c>[v6]:port</c> or <c>:port</c> (any interface), the forms Toxiproxy accepts.
    /// </summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="value">The parsed address.</param>
    /// <returns>True when <paramref name="text"/> is a valid address with a port in 0..65535.</returns>
    public static bool TryParse(string text, out HostPort value) => TryParse(text, out value, out _) == HostPortError.None;

    internal static HostPortError TryParse(string text, out HostPort value, [NotNullWhen(false)] out string? error)
    {
        value = default;
        error = null;
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = $"'{text}' has no port";
            return HostPortError.Address;
        }

        var hostPart = text[..colon];
        var portPart = text[(colon + 1)..];
        string host;
        if (hostPart.StartsWith('[') && hostPart.EndsWith(']'))
        {
            host = hostPart[1..^1];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{hostPart}' is not an IPv6 address";
                return HostPortError.Address;
            }
        }
        else if (hostPart.Contains(':', StringComparison.Ordinal))
        {
            error = $"'{text}' is ambiguous: an IPv6 address needs brackets";
            return HostPortError.Address;
        }
        else if (hostPart.Length == 0)
        {
            host = AnyHost;
        }
        else if (IsHostName(hostPart) || IPAddress.TryParse(hostPart, out _))
        {
            host = hostPart;
        }
        else
        {
            error = $"'{hostPart}' is neither an IP address nor a host name";
            return HostPortError.Address;
        }

        if (!int.TryParse(portPart, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > ushort.MaxValue)
        {
            error = $"'{portPart}' is not a port (0..65535)";
            return HostPortError.Port;
        }

        value = new HostPort(host, port);
        return HostPortError.None;
    }

    private static bool IsHostName(string text) =>
        text.Length <= 253
        && text.Split('.').All(label =>
            label.Length is > 0 and <= 63
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_')
            && label[0] != '-' && label[^1] != '-');
}

/// <summary>Which part of a <c>host:port</c> text is wrong.</summary>
internal enum HostPortError
{
    None,
    Address,
    Port,
}
