using Chaos.Proxy.Observation;
using Chaos.Proxy.Observation.Diagrams;

namespace Chaos.Proxy.Tests.Observation.Diagrams;

public sealed class ConnectionGroupsTests
{
    [Fact]
    public void Of_InterleavedRun_OneGroupPerProxyAndConnectionInOrderOfStart()
    {
        var groups = ConnectionGroups.Of(SampleRun.Events);

        Assert.Equal(
            [("web", 1L), ("web", 2L), ("db", 1L), ("web", 3L)],
            groups.Connections.Select(g => (g.Proxy, g.Connection)));
        Assert.All(groups.Connections, g => Assert.All(g.Events, e => Assert.Equal((g.Proxy, g.Connection), (e.Proxy, e.Connection))));
        Assert.Equal(SampleRun.Events.Count(e => e.Connection != 0), groups.Connections.Sum(g => g.Events.Count));
    }

    [Fact]
    public void Of_ListenToxic_KeptApartProxyEventsDropped()
    {
        var groups = ConnectionGroups.Of(SampleRun.Events);

        var listen = Assert.Single(groups.ListenToxics);
        Assert.Equal("syn_drop", listen.Toxic);
        Assert.DoesNotContain(groups.Connections.SelectMany(g => g.Events), e => e is ProxyStarted or ProxyStopped);
    }

    [Fact]
    public void Of_EventsOutOfTimeOrder_SortedWithinEachGroup()
    {
        var groups = ConnectionGroups.Of(SampleRun.Events.Reverse());

        Assert.All(groups.Connections, g => Assert.Equal(g.Events.OrderBy(e => e.Time), g.Events));
        Assert.Equal(("web", 1L), (groups.Connections[0].Proxy, groups.Connections[0].Connection));
    }

    [Fact]
    public void Of_NoEvents_Empty()
    {
        var groups = ConnectionGroups.Of([]);

        Assert.Empty(groups.Connections);
        Assert.Empty(groups.ListenToxics);
    }
}
