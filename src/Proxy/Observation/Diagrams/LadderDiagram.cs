using System.Text;

namespace Chaos.Proxy.Observation.Diagrams;

/// <summary>
/// Draws one connection as a ladder for a monospace terminal: client, chaos and server as vertical lines,
/// one row per step with its time in ms from the accept, notes and fault details at the row's end.
/// </summary>
internal static class LadderDiagram
{
    private const int TimeWidth = 8;
    private const int FirstLane = TimeWidth + 2;
    private const int LaneGap = 20;
    private const int Width = FirstLane + (2 * LaneGap) + 1;
    private const int MaxWidth = 104;
    private const int EndWidth = MaxWidth - Width - 2;

    public static string Render(IEnumerable<ChaosEvent> connectionEvents, bool ascii = false) =>
        Render(Ladder.Of(connectionEvents), ascii);

    public static string Render(Ladder ladder, bool ascii)
    {
        var glyphs = ascii ? Glyphs.Ascii : Glyphs.Unicode;
        var text = new StringBuilder();
        text.Append(ladder.Title).Append('\n').Append('\n');
        text.Append(Header()).Append('\n');
        text.Append(new string(Lanes(glyphs)).TrimEnd()).Append('\n');
        foreach (var step in ladder.Steps)
        {
            Row(text, step, glyphs);
        }
        return text.ToString();
    }

    private static string Header()
    {
        var header = new StringBuilder("ms".PadLeft(TimeWidth));
        foreach (var lane in Enum.GetValues<Lane>())
        {
            header.Append(' ', Column(lane) - header.Length).Append(lane.ToString().ToLowerInvariant());
        }
        return header.ToString();
    }

    private static void Row(StringBuilder text, LadderStep step, Glyphs glyphs)
    {
        var cells = Lanes(glyphs);
        Time(step.Offset).PadLeft(TimeWidth).CopyTo(0, cells, 0, TimeWidth);
        string? end = step.Detail;
        switch (step.Kind)
        {
            case StepKind.Fault:
                cells[Column(Lane.Chaos)] = glyphs.FaultMark;
                end = glyphs.Fault + step.Text;
                break;
            case StepKind.Note:
                end = $"[{step.Text}]";
                break;
            default:
                DrawArrow(cells, step, glyphs);
                break;
        }
        if (end is null)
        {
            text.Append(new string(cells).TrimEnd()).Append('\n');
            return;
        }
        // A long note goes on under the row, beside bare lanes, so that no row is wider than MaxWidth.
        var continuation = new string(Lanes(glyphs));
        foreach (var part in Wrap(end, EndWidth))
        {
            text.Append(cells).Append("  ").Append(part).Append('\n');
            cells = continuation.ToCharArray();
        }
    }

    // Past 100 s the ms no longer fit the column, and nobody needs them at that scale.
    private static string Time(TimeSpan offset) =>
        Ladder.Milliseconds(offset) is { Length: <= TimeWidth } ms ? ms : $"{Math.Floor(offset.TotalSeconds):0}s";

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }
            line.Append(line.Length > 0 ? " " : "").Append(word);
        }
        yield return line.ToString();
    }

    private static void DrawArrow(char[] cells, LadderStep step, Glyphs glyphs)
    {
        int from = Column(step.From), to = Column(step.To);
        var rightwards = to > from;
        int left = Math.Min(from, to) + 1, right = Math.Max(from, to) - 1;
        var line = step.Kind == StepKind.Reset ? glyphs.ResetLine : glyphs.Line;
        Array.Fill(cells, line, left, right - left + 1);
        cells[rightwards ? right : left] = rightwards ? glyphs.Right : glyphs.Left;
        if (step.Kind != StepKind.Message)
        {
            cells[to] = glyphs.Cross;
        }
        // The label is centred on the shaft, the part of the arrow that is not its head.
        var shaftStart = rightwards ? left : left + 1;
        var shaftLength = right - left;
        var label = Fit(step.Text, shaftLength - 4);
        label.CopyTo(0, cells, shaftStart + ((shaftLength - label.Length) / 2), label.Length);
    }

    private static string Fit(string text, int room) =>
        " " + (text.Length <= room ? text : text[..(room - 1)] + "~") + " ";

    private static char[] Lanes(Glyphs glyphs)
    {
        var cells = new char[Width];
        Array.Fill(cells, ' ');
        foreach (var lane in Enum.GetValues<Lane>())
        {
            cells[Column(lane)] = glyphs.Lane;
        }
        return cells;
    }

    private static int Column(Lane lane) => FirstLane + ((int)lane * LaneGap);

    /// <summary>The characters a ladder is drawn with.</summary>
    private sealed record Glyphs(char Lane, char Line, char ResetLine, char Right, char Left, char Cross, char FaultMark, string Fault)
    {
        public static readonly Glyphs Unicode = new('│', '─', '═', '▶', '◀', '✗', '●', "⚡ ");
        public static readonly Glyphs Ascii = new('|', '-', '=', '>', '<', 'X', '*', "!! ");
    }
}
