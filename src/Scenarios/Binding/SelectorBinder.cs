using System.Net;

namespace Chaos.Scenarios;

/// <summary>Binds a toxic's <c>where:</c> selectors.</summary>
internal sealed class SelectorBinder(NodeBinder binder)
{
    private static readonly string[] Keys = ["connections", "clients"];

    public ToxicWhere? Bind(SourceNode? node)
    {
        if (node is null)
        {
            return ToxicWhere.Everything;
        }

        if (binder.Fields(node, "where", Keys) is not { } fields)
        {
            return null;
        }

        var connectionsNode = fields.Optional("connections");
        var clientsNode = fields.Optional("clients");
        var connections = connectionsNode is null ? null : Connections(connectionsNode);
        var clients = clientsNode is null ? null : Clients(clientsNode);
        return (connectionsNode is not null && connections is null) || (clientsNode is not null && clients is null)
            ? null
            : new ToxicWhere(connections, clients);
    }

    private ConnectionSelector? Connections(SourceNode node)
    {
        if (binder.String(node, "where.connections") is not { } text)
        {
            return null;
        }

        if (ConnectionSelector.TryParse(text, out var selector, out var error))
        {
            return selector;
        }

        binder.Report(node, DiagnosticCodes.BadConnectionSelector, $"where.connections: {error}",
            "use \"2\", \"1-3\", \"2,4,6\", \"every 3\" or \"after 5\" (1-based connection ordinals)");
        return null;
    }

    private ClientSelector? Clients(SourceNode node)
    {
        // A single block is accepted as shorthand for a one-item list.
        IReadOnlyList<SourceNode> items = node is ScalarNode ? [node] : binder.Sequence(node, "where.clients");
        if (node is not ScalarNode and not SequenceNode)
        {
            return null;
        }

        var networks = new List<IPNetwork>();
        var ok = true;
        foreach (var item in items)
        {
            if (binder.String(item, "a where.clients entry") is not { } text)
            {
                ok = false;
            }
            else if (ClientSelector.TryParseNetwork(text, out var network, out var error))
            {
                networks.Add(network);
            }
            else
            {
                binder.Report(item, DiagnosticCodes.BadCidr, error, "write an address (127.0.0.1, ::1) or a CIDR block (10.0.0.0/8, fd00::/8)");
                ok = false;
            }
        }

        return ok ? ClientSelector.Of(networks) : null;
    }
}
