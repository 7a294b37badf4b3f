using System.Collections.Immutable;

namespace Chaos.Scenarios;

/// <summary>A proxy: where it listens, where it relays to, and the toxics it starts with (Toxiproxy's shape plus toxics).</summary>
/// <param name="Name">Unique proxy name.</param>
/// <param name="Listen">Listen address; port 0 means any free port.</param>
/// <param name="Upstream">Where connections are relayed to.</param>
/// <param name="Enabled">False: the proxy exists but does not listen (Toxiproxy's <c>enabled</c>, default true).</param>
/// <param name="Toxics">Toxics active from the start, in file order; names are unique across both streams.</param>
public sealed record ProxySpec(string Name, HostPort Listen, UpstreamSpec Upstream, bool Enabled, ImmutableArray<ToxicSpec> Toxics)
{
    /// <summary>The listen address used when a proxy gives none: loopback, any free port.</summary>
    /// <remarks>Toxiproxy listens on all interfaces here; a chaos proxy should not be reachable from the network by accident.</remarks>
    public static HostPort DefaultListen { get; } = new("127.0.0.1", 0);

    /// <summary>Connection limits and the idle timeout (<c>max_connections</c>, <c>over_limit</c>, <c>idle_timeout</c>); none by default.</summary>
    public ProxyLimits Limits { get; init; } = ProxyLimits.None;
}
