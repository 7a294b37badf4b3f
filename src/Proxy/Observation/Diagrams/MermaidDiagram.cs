using System.Text;

namespace Chaos.Proxy.Observation.Diagrams;

/// <summary>
/// Draws one connection as a Mermaid <c>sequenceDiagram</c> (Client, Chaos, Server), for docs and pull requests.
/// Every label carries its time offset from the accept.
/// </summary>
internal static class MermaidDiagram
{
    public static string Render(IEnumerable<ChaosEvent> connectionEvents)
    {
        var ladder = Ladder.Of(connectionEvents);
        var text = new StringBuilder();
        text.Append("sequenceDiagram\n");
        text.Append("    title ").Append(Escape(ladder.Title)).Append('\n');
        foreach (var lane in Enum.GetValues<Lane>())
        {
            text.Append("    participant ").Append(lane).Append('\n');
        }
        foreach (var step in ladder.Steps)
        {
            text.Append("    ").Append(step.IsArrow ? Message(step) : Note(step)).Append(": ").Append(Escape(Label(step))).Append('\n');
        }
        return text.ToString();
    }

    private static string Message(LadderStep step)
    {
        var arrow = step.Kind switch
        {
            StepKind.Reset => "-x",
            StepKind.Failed => "--x",
            _ => "->>",
        };
        return $"{step.From}{arrow}{step.To}";
    }

    private static string Note(LadderStep step)
    {
        var where = step.From switch
        {
            Lane.Client => "left of Client",
            Lane.Server => "right of Server",
            _ => "over Chaos",
        };
        return $"Note {where}";
    }

    private static string Label(LadderStep step)
    {
        var fault = step.Kind == StepKind.Fault ? "⚡ " : "";
        var detail = step.Detail is null ? "" : $": {step.Detail}";
        return $"{fault}+{Ladder.Milliseconds(step.Offset)} ms {step.Text}{detail}";
    }

    /// <summary>
    /// Mermaid ends a statement at <c>;</c>, reads <c>#…;</c> as an entity and may take <c>&lt;…&gt;</c> for
    /// HTML, so those become decimal entities, which it decodes back when it draws.
    /// </summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            _ = c switch
            {
                '#' or ';' or '<' or '>' => escaped.Append('#').Append((int)c).Append(';'),
                '\r' or '\n' => escaped.Append(' '),
                _ => escaped.Append(c),
            };
        }
        return escaped.ToString();
    }
}
