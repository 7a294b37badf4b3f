using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Chaos.Scenarios;

/// <summary>A <c>where.clients</c> selector: a list of IPv4/IPv6 CIDR blocks (a bare address is a /32 or /128).</summary>
public sealed class ClientSelector
{
    private ClientSelector(ImmutableArray<IPNetwork> networks) => Networks = networks;

    /// <summary>The blocks; a client matches when any of them contains its address.</summary>
    public ImmutableArray<IPNetwork> Networks { get; }

    /// <summary>A selector over <paramref name="networks"/>.</summary>
    public static ClientSelector Of(IEnumerable<IPNetwork> networks) => new([.. networks]);

    /// <summary>True when <paramref name="client"/> is inside one of the blocks; IPv4-mapped IPv6 addresses count as IPv4.</summary>
    public bool Matches(IPAddress client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var address = client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        return Networks.Any(network => network.Contains(address));
    }

    /// <inheritdoc/>
    public override string ToString() => "[" + string.Join(", ", Networks) + "]";

    /// <summary>Parses one CIDR block or bare address.</summary>
    /// <param name="text">e.g. <c>127.0.0.1/32</c>, <c>10.0.0.0/8</c>, <c>::1</c>, <c>fd00::/8</c>.</param>
    /// <param name="network">The parsed block.</param>
    /// <returns>True when <paramref name="text"/> is a valid block.</returns>
    public static bool TryParseNetwork(string text, out IPNetwork network) => TryParseNetwork(text, out network, out _);

    internal static bool TryParseNetwork(string text, out IPNetwork network, [NotNullWhen(false)] out string? error)
    {
        error = null;
        var address = text.Split('/')[0];
        if (!address.Contains(':', StringComparison.Ordinal) && address.Count(c => c == '.') != 3)
        {
            // IPAddress.TryParse takes inet_aton's short forms ("10.0.0" is 10.0.0.0, "10" is 0.0.0.10): too surprising here.
            network = default;
            error = $"'{text}' is not a dotted IPv4 address or CIDR block";
            return false;
        }

        if (!text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out var single))
        {
            network = new IPNetwork(single, single.GetAddressBytes().Length * 8);
            return true;
        }

        if (IPNetwork.TryParse(text, out network))
        {
            return true;
        }

        error = $"'{text}' is not an IP address or CIDR block";
        return false;
    }
}
