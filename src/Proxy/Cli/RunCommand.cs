using System.CommandLine;
using Chaos.Proxy.Engine;
using Chaos.Proxy.Observation;
using Chaos.Scenarios;
using Serilog.Events;

namespace Chaos.Proxy.Cli;

/// <summary><c>chaos run scenario.yaml</c>: start the scenario's proxies and relay until stopped.</summary>
internal static class RunCommand
{
    private static readonly Argument<FileInfo> ScenarioArgument = new("scenario")
    {
        Description = "The scenario file (YAML, or a Toxiproxy proxies JSON array).",
    };

    private static readonly Option<string?> EventsOption = new("--events")
    {
        Description = "Also write every event as compact JSON lines to this file.",
        HelpName = "file.jsonl",
    };

    private static readonly Option<LogEventLevel> LogLevelOption = new("--log-level")
    {
        Description = "Least severe console line shown: Verbose, Debug, Information, Warning, Error.",
        DefaultValueFactory = _ => LogEventLevel.Information,
    };

    public static Command Create()
    {
        var command = new Command("run", "Start the proxies of a scenario and relay until Ctrl+C, SIGTERM or the scenario's duration.")
        {
            ScenarioArgument,
            EventsOption,
            LogLevelOption,
        };
        command.SetAction((parsed, cancellation) => ExecuteAsync(
            new RunArguments(parsed.GetRequiredValue(ScenarioArgument), parsed.GetValue(EventsOption), parsed.GetValue(LogLevelOption)),
            parsed.InvocationConfiguration.Error,
            cancellation));
        return command;
    }

    private static async Task<int> ExecuteAsync(RunArguments arguments, TextWriter error, CancellationToken cancellation)
    {
        var loaded = ScenarioLoader.LoadFile(arguments.Scenario.FullName);
        if (loaded.Scenario is not { } scenario)
        {
            foreach (var diagnostic in loaded.Diagnostics)
            {
                await error.WriteLineAsync(diagnostic.ToString());
            }
            return ExitCodes.InvalidInput;
        }

        await using var logger = EventLogging.Create(arguments.LogLevel, arguments.EventsFile);
        ChaosRuntime runtime;
        try
        {
            runtime = await ChaosRuntime.StartAsync(scenario, [new SerilogEventWriter(logger)], new RelayOptions(), TimeProvider.System);
        }
        catch (ProxyStartException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.RuntimeFailure;
        }

        await using (runtime)
        {
            await WaitForEndAsync(scenario.Duration, cancellation);
        }
        return ExitCodes.Success;
    }

    private static async Task WaitForEndAsync(TimeSpan? duration, CancellationToken cancellation)
    {
        try
        {
            await Task.Delay(duration ?? Timeout.InfiniteTimeSpan, TimeProvider.System, cancellation);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM: the normal way a run ends.
        }
    }

    private sealed record RunArguments(FileInfo Scenario, string? EventsFile, LogEventLevel LogLevel);
}
