namespace Chaos.Proxy.Observation.Diagrams;

/// <summary>The events of one relayed connection, in time order.</summary>
internal sealed record ConnectionGroup(string Proxy, long Connection, IReadOnlyList<ChaosEvent> Events);

/// <summary>
/// A run's events split per connection, in the order the connections began. Proxy-level events are left out,
/// except toxics that acted on the listener itself (connection 0), which are kept apart: they refused or
/// dropped a connection before it had a number.
/// </summary>
internal sealed record ConnectionGroups(IReadOnlyList<ConnectionGroup> Connections, IReadOnlyList<ToxicActed> ListenToxics)
{
    public static ConnectionGroups Of(IEnumerable<ChaosEvent> events)
    {
        var all = events.ToList();
        var connections = all
            .Where(e => e.Connection != 0)
            .GroupBy(e => (e.Proxy, e.Connection))
            .Select(group => new ConnectionGroup(group.Key.Proxy, group.Key.Connection, [.. group.OrderBy(e => e.Time)]))
            .OrderBy(group => group.Events[0].Time)
            .ToList();
        var listenToxics = all.OfType<ToxicActed>().Where(t => t.Connection == 0).OrderBy(t => t.Time).ToList();
        return new ConnectionGroups(connections, listenToxics);
    }
}
