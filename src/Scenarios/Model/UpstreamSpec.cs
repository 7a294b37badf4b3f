using System.Globalization;

namespace Chaos.Scenarios;

/// <summary>An embedded upstream server, for quick starts and lessons.</summary>
public enum BuiltinUpstream
{
    /// <summary><c>builtin:echo</c>: sends back every byte it receives and honours half-close.</summary>
    Echo,

    /// <summary><c>builtin:http</c>: a minimal HTTP/1.1 server.</summary>
    Http,
}

/// <summary>Where a proxy relays to: a <c>host:port</c> or a built-in server. Exactly one is set.</summary>
/// <param name="Address">The upstream address, or null for a built-in.</param>
/// <param name="Builtin">The built-in server, or null for an address.</param>
public sealed record UpstreamSpec(HostPort? Address, BuiltinUpstream? Builtin)
{
    /// <summary>The prefix that selects a built-in upstream.</summary>
    public const string BuiltinPrefix = "builtin:";

    /// <summary>An upstream at <paramref name="address"/>.</summary>
    public static UpstreamSpec At(HostPort address) => new(address, null);

    /// <summary>A built-in upstream.</summary>
    public static UpstreamSpec Of(BuiltinUpstream builtin) => new(null, builtin);

    /// <summary>Formats as <c>host:port</c> or <c>builtin:echo</c>.</summary>
    public override string ToString() =>
        Builtin is { } builtin
            ? BuiltinPrefix + builtin.ToString().ToLowerInvariant()
            : Address?.ToString() ?? string.Empty;

    /// <summary>Parses <c>host:port</c>, <c>[v6]:port</c> or <c>builtin:echo|http</c>.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="value">The parsed upstream.</param>
    /// <returns>True when <paramref name="text"/> is a valid upstream.</returns>
    public static bool TryParse(string text, out UpstreamSpec? value) => TryParse(text, out value, out _);

    internal static bool TryParse(string text, out UpstreamSpec? value, out string? error)
    {
        value = null;
        if (text.StartsWith(BuiltinPrefix, StringComparison.Ordinal))
        {
            var name = text[BuiltinPrefix.Length..];
            value = name switch
            {
                "echo" => Of(BuiltinUpstream.Echo),
                "http" => Of(BuiltinUpstream.Http),
                _ => null,
            };
            error = value is null ? $"'{name}' is not a built-in upstream" : null;
            return value is not null;
        }

        if (HostPort.TryParse(text, out var address, out error) != HostPortError.None)
        {
            return false;
        }

        if (address.Port == 0)
        {
            error = "an upstream needs a real port, not 0";
            return false;
        }

        if (text.StartsWith(':'))
        {
            error = string.Create(CultureInfo.InvariantCulture, $"an upstream needs a host, e.g. 127.0.0.1:{address.Port}");
            return false;
        }

        value = At(address);
        return true;
    }
}
