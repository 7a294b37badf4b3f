using System.CommandLine;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Observation.Diagrams;
using Chaos.Proxy.Observation.Reactions;

namespace Chaos.Proxy.Cli;

/// <summary><c>chaos report events.jsonl [--format text|json|mermaid]</c>: re-render a recorded run.</summary>
internal static class ReportCommand
{
    private static readonly Argument<FileInfo> EventsArgument = new("events")
    {
        Description = "An event log written by 'chaos run --events'.",
    };

    private static readonly Option<string> FormatOption = new("--format")
    {
        Description = "text: the summary and a ladder diagram per connection; json: the reaction report; mermaid: a sequence diagram per connection.",
        DefaultValueFactory = _ => "text",
    };

    private static readonly Option<bool> AsciiOption = new("--ascii")
    {
        Description = "Draw the text ladders with ASCII only, for terminals without Unicode.",
    };

    public static Command Create()
    {
        FormatOption.AcceptOnlyFromAmong("text", "json", "mermaid");
        var command = new Command("report", "Re-render a recorded run: how each side reacted, and ladder diagrams of every connection.")
        {
            EventsArgument,
            FormatOption,
            AsciiOption,
        };
        command.SetAction(async (parsed, cancellation) =>
        {
            var file = parsed.GetRequiredValue(EventsArgument);
            var error = parsed.InvocationConfiguration.Error;
            EventLogReadResult log;
            try
            {
                using var reader = file.OpenText();
                log = EventLogReader.Read(reader);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"error: cannot read {file.FullName}: {ex.Message}");
                return ExitCodes.InvalidInput;
            }
            if (log.Warning is { } warning)
            {
                await error.WriteLineAsync($"warning: {warning}");
            }
            var report = ReactionAnalyser.Analyse(log.Events);
            await parsed.InvocationConfiguration.Output.WriteAsync(parsed.GetValue(FormatOption) switch
            {
                "json" => ReportWriters.Json(report, [], null) + Environment.NewLine,
                "mermaid" => RunDiagrams.Each(log.Events, MermaidDiagram.Render),
                _ => ReportWriters.Summary(report, []) + Environment.NewLine + RunDiagrams.Ladders(log.Events, parsed.GetValue(AsciiOption)),
            });
            return ExitCodes.Success;
        });
        return command;
    }
}
