using System.CommandLine;
using Chaos.Scenarios;
using Serilog.Events;

namespace Chaos.Proxy.Cli;

/// <summary><c>chaos run scenario.yaml [options] [-- command args...]</c>: the definition and its wiring; <see cref="RunExecution"/> runs it.</summary>
internal static class RunCommand
{
    private static readonly Argument<FileInfo> ScenarioArgument = new("scenario")
    {
        Description = "The scenario file (YAML, or a Toxiproxy proxies JSON array).",
    };

    private static readonly Argument<string[]> CommandArgument = new("command")
    {
        Description = "After --: a command to run against the proxies (CHAOS_<PROXY>_ADDR=host:port is set for each); the run ends when it exits.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string?> EventsOption = new("--events")
    {
        Description = "Also write every event as compact JSON lines to this file (chaos report re-renders it).",
        HelpName = "file.jsonl",
    };

    private static readonly Option<LogEventLevel> LogLevelOption = new("--log-level")
    {
        Description = "Least severe console line shown: Verbose, Debug, Information, Warning, Error.",
        DefaultValueFactory = _ => LogEventLevel.Information,
    };

    private static readonly Option<bool> WatchOption = new("--watch")
    {
        Description = "Re-read the scenario when the file changes and apply its proxies and toxics without dropping live connections; an invalid edit is reported and the last good scenario stays.",
    };

    private static readonly Option<string?> ReportOption = new("--report")
    {
        Description = "Write the reaction report (every metric per proxy and in total, retry series, expectation results) as JSON.",
        HelpName = "file.json",
    };

    private static readonly Option<string?> JUnitOption = new("--junit")
    {
        Description = "Write the expectations as JUnit XML, one test case each, for CI systems.",
        HelpName = "file.xml",
    };

    /// <summary>Words left over without a <c>--</c> before them are a mistyped option, not a command to wrap.</summary>
    public static IEnumerable<string> Problems(ParseResult parsed)
    {
        if (parsed.CommandResult.Command.Name == "run" && parsed.GetValue(CommandArgument) is [var first, ..] &&
            !parsed.Tokens.Any(token => token.Type == System.CommandLine.Parsing.TokenType.DoubleDash))
        {
            yield return $"unrecognized argument '{first}' (a command to wrap goes after --)";
        }
    }

    private static readonly Option<bool> DiagramOption = new("--diagram")
    {
        Description = "At the end, draw every connection as a ladder diagram (client | chaos | server) with faults and kernel TCP states.",
    };

    private static readonly Option<string?> ApiOption = new("--api")
    {
        Description = "Serve the Toxiproxy-compatible API during the run (default address 127.0.0.1:8474 when given without one).",
        HelpName = "host:port",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string?> ApiTokenOption = ApiHosting.TokenOption();

    private static readonly Option<bool> InsecureApiOption = new("--insecure-public-api")
    {
        Description = "Allow a non-loopback --api address without a token.",
    };

    private static readonly Option<string?> UiOption = new("--ui")
    {
        Description = "Serve a live web page of the connections as ladder diagrams during the run (default address 127.0.0.1:8475 when given without one; port 0 picks a free one).",
        HelpName = "host:port",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static HostPort? ApiAddress(string? text) =>
        HostPort.TryParse(text ?? "127.0.0.1:8474", out var address) ? address : null;

    private static HostPort? UiAddress(string? text) =>
        HostPort.TryParse(text ?? $"127.0.0.1:{ControlApi.LiveView.LiveViewServer.DefaultPort}", out var address) ? address : null;

    public static Command Create()
    {
        var command = new Command("run", "Start the proxies of a scenario and relay until Ctrl+C, SIGTERM, the scenario's duration, or the wrapped command's exit; then report how each side reacted and check the expectations.")
        {
            ScenarioArgument,
            CommandArgument,
            EventsOption,
            LogLevelOption,
            WatchOption,
            ReportOption,
            JUnitOption,
            DiagramOption,
            ApiOption,
            ApiTokenOption,
            InsecureApiOption,
            UiOption,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(UiOption) is not null)
            {
                if (UiAddress(result.GetValue(UiOption)) is not { } ui)
                {
                    result.AddError($"--ui takes host:port, e.g. 127.0.0.1:{ControlApi.LiveView.LiveViewServer.DefaultPort}, not '{result.GetValue(UiOption)}'");
                }
                else if (ApiHosting.Refusal(ui.Host, ApiHosting.Token(result.GetValue(ApiTokenOption)), result.GetValue(InsecureApiOption), "the live view") is { } refusal)
                {
                    result.AddError(refusal);
                }
            }
            if (result.GetResult(ApiOption) is null)
            {
                return;
            }
            if (ApiAddress(result.GetValue(ApiOption)) is not { } address)
            {
                result.AddError($"--api takes host:port, e.g. 127.0.0.1:8474, not '{result.GetValue(ApiOption)}'");
            }
            else if (ApiHosting.Refusal(address.Host, ApiHosting.Token(result.GetValue(ApiTokenOption)), result.GetValue(InsecureApiOption)) is { } refusal)
            {
                result.AddError(refusal);
            }
        });
        command.SetAction((parsed, cancellation) => new RunExecution(
            new RunArguments(
                parsed.GetRequiredValue(ScenarioArgument),
                parsed.GetValue(CommandArgument) ?? [],
                parsed.GetValue(EventsOption),
                parsed.GetValue(LogLevelOption),
                parsed.GetValue(WatchOption),
                parsed.GetValue(ReportOption),
                parsed.GetValue(JUnitOption),
                parsed.GetValue(DiagramOption),
                parsed.GetResult(ApiOption) is null ? null : ApiAddress(parsed.GetValue(ApiOption)),
                ApiHosting.Token(parsed.GetValue(ApiTokenOption)),
                parsed.GetValue(InsecureApiOption),
                parsed.GetResult(UiOption) is null ? null : UiAddress(parsed.GetValue(UiOption))),
            parsed.InvocationConfiguration.Output,
            parsed.InvocationConfiguration.Error).ExecuteAsync(cancellation));
        return command;
    }
}

/// <summary>The parsed arguments of <c>chaos run</c>.</summary>
internal sealed record RunArguments(
    FileInfo Scenario, IReadOnlyList<string> Command, string? EventsFile, LogEventLevel LogLevel, bool Watch,
    string? ReportFile, string? JUnitFile, bool Diagram, HostPort? Api, string? ApiToken, bool InsecurePublicApi, HostPort? Ui = null);
