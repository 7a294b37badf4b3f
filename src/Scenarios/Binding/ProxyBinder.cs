using System.Collections.Immutable;
using System.Net;

namespace Chaos.Scenarios;

/// <summary>Binds the proxies: names, listen addresses, upstreams and toxics, and the rules between them (unique names, no listen clash).</summary>
internal sealed class ProxyBinder(NodeBinder binder)
{
    private static readonly string[] Keys = ["name", "listen", "upstream", "enabled", "toxics", "max_connections", "over_limit", "idle_timeout"];

    private readonly ToxicBinder _toxics = new(binder);

    /// <param name="nodes">The proxy nodes.</param>
    /// <param name="declared">Filled with each named proxy and its toxic names (null when its toxics did not bind), for later references.</param>
    public ImmutableArray<ProxySpec> BindAll(IReadOnlyList<SourceNode> nodes, Dictionary<string, HashSet<string>?> declared)
    {
        var proxies = ImmutableArray.CreateBuilder<ProxySpec>();
        var names = new Dictionary<string, SourceNode>(StringComparer.Ordinal);
        var listens = new List<(HostPort Address, SourceNode Node)>();
        foreach (var node in nodes)
        {
            if (Bind(node, names, listens, declared) is { } proxy)
            {
                proxies.Add(proxy);
            }
        }

        return proxies.ToImmutable();
    }

    private ProxySpec? Bind(SourceNode node, Dictionary<string, SourceNode> names, List<(HostPort, SourceNode)> listens,
        Dictionary<string, HashSet<string>?> declared)
    {
        if (binder.Fields(node, "a proxy", Keys) is not { } fields)
        {
            return null;
        }

        var name = Name(fields.Required("name"), names);
        var listenNode = fields.Optional("listen");
        var listen = listenNode is null ? ProxySpec.DefaultListen : Listen(listenNode, listens);
        var upstream = Upstream(fields.Required("upstream"));
        var enabledNode = fields.Optional("enabled");
        var enabled = enabledNode is null ? true : binder.Boolean(enabledNode, "enabled");
        var toxics = Toxics(fields.Optional("toxics"));
        var limits = new LimitsBinder(binder).Bind(fields);
        if (name is not null)
        {
            declared[name] = toxics?.Select(toxic => toxic.Name).ToHashSet(StringComparer.Ordinal);
        }

        return name is null || listen is null || upstream is null || enabled is null || toxics is null || limits is null
            ? null
            : new ProxySpec(name, listen.Value, upstream, enabled.Value, toxics.Value) { Limits = limits };
    }

    private string? Name(SourceNode? node, Dictionary<string, SourceNode> names)
    {
        if (node is null || binder.Name(node, "a proxy name") is not { } name)
        {
            return null;
        }

        if (names.TryGetValue(name, out var first))
        {
            binder.Report(node, DiagnosticCodes.DuplicateProxy, $"there is already a proxy named '{name}'", $"the first is at line {first.Position.Line}; names must be unique");
            return null;
        }

        names.Add(name, node);
        return name;
    }

    private HostPort? Listen(SourceNode node, List<(HostPort Address, SourceNode Node)> listens)
    {
        if (binder.String(node, "listen") is not { } text)
        {
            return null;
        }

        var problem = HostPort.TryParse(text, out var address, out var error);
        if (problem != HostPortError.None)
        {
            binder.Report(node, problem == HostPortError.Port ? DiagnosticCodes.BadPort : DiagnosticCodes.BadAddress, $"listen: {error}",
                "write host:port, e.g. 127.0.0.1:8080, [::1]:8080, or :8080 for every interface; port 0 picks a free port");
            return null;
        }

        if (listens.FirstOrDefault(other => Clash(other.Address, address)) is { Node: not null } clash)
        {
            binder.Report(node, DiagnosticCodes.ListenClash, $"listen {address} clashes with {clash.Address} at line {clash.Node.Position.Line}",
                "give each proxy its own port, or port 0 for any free one");
            return null;
        }

        listens.Add((address, node));
        return address;
    }

    private static bool Clash(HostPort a, HostPort b) =>
        a.Port != 0 && a.Port == b.Port && (Normal(a.Host) == Normal(b.Host) || IsAny(a.Host) || IsAny(b.Host));

    private static string Normal(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1"
        : IPAddress.TryParse(host, out var address) ? address.ToString()
        : host.ToLowerInvariant();

    private static bool IsAny(string host) =>
        IPAddress.TryParse(host, out var address) && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any));

    private UpstreamSpec? Upstream(SourceNode? node)
    {
        if (node is null || binder.String(node, "upstream") is not { } text)
        {
            return null;
        }

        if (UpstreamSpec.TryParse(text, out var upstream, out var error))
        {
            return upstream;
        }

        binder.Report(node, DiagnosticCodes.BadUpstream, $"upstream: {error}", "write host:port (e.g. 127.0.0.1:8000) or builtin:echo or builtin:http");
        return null;
    }

    private ImmutableArray<ToxicSpec>? Toxics(SourceNode? node)
    {
        var toxics = ImmutableArray.CreateBuilder<ToxicSpec>();
        var names = new Dictionary<string, SourceNode>(StringComparer.Ordinal);
        var ok = true;
        foreach (var item in binder.Sequence(node, "toxics"))
        {
            var toxic = _toxics.Bind(item);
            if (toxic is null)
            {
                ok = false;
            }
            else if (names.TryGetValue(toxic.Name, out var first))
            {
                var nameNode = (item as MappingNode)?.Entries.FirstOrDefault(entry => entry.Key.Value == "name").Value;
                binder.Report(nameNode ?? item, DiagnosticCodes.DuplicateToxic, $"this proxy already has a toxic named '{toxic.Name}'",
                    $"the first is at line {first.Position.Line}; names are unique across both streams (the default name is <type>_<stream>)");
                ok = false;
            }
            else
            {
                names.Add(toxic.Name, item);
                toxics.Add(toxic);
            }
        }

        return ok && (node is null or SequenceNode or ScalarNode { IsNull: true }) ? toxics.ToImmutable() : null;
    }
}
