using System.Text;

namespace Chaos.Proxy.Observation.Diagrams;

/// <summary>A diagram for every connection of a run, in the order the connections began.</summary>
internal static class RunDiagrams
{
    public static string Ladders(IEnumerable<ChaosEvent> events, bool ascii) =>
        Each(events, connection => LadderDiagram.Render(connection, ascii));

    public static string Each(IEnumerable<ChaosEvent> events, Func<IEnumerable<ChaosEvent>, string> render)
    {
        var text = new StringBuilder();
        foreach (var connection in ConnectionGroups.Of(events).Connections)
        {
            text.AppendLine(render(connection.Events));
        }
        return text.ToString();
    }
}
