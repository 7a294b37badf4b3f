using System.Net;

namespace Chaos.Scenarios;

/// <summary>The <c>where:</c> selectors of a toxic; a connection must match every one that is set.</summary>
/// <param name="Connections">Which connection ordinals on the proxy, or null for all.</param>
/// <param name="Clients">Which client addresses, or null for all.</param>
public sealed record ToxicWhere(ConnectionSelector? Connections, ClientSelector? Clients)
{
    /// <summary>No selectors: every connection matches.</summary>
    public static ToxicWhere Everything { get; } = new(null, null);

    /// <summary>True when the connection with 1-based <paramref name="ordinal"/> from <paramref name="client"/> is selected.</summary>
    public bool Matches(int ordinal, IPAddress client) =>
        (Connections?.Matches(ordinal) ?? true) && (Clients?.Matches(client) ?? true);
}
