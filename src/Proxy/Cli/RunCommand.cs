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

    private static readonly Option<bool> WatchOption = new("--watch")
    {
        Description = "Re-read the scenario when the file changes and apply its proxies without dropping live connections; an invalid edit is reported and the last good scenario stays.",
    };

    public static Command Create()
    {
        var command = new Command("run", "Start the proxies of a scenario and relay until Ctrl+C, SIGTERM or the scenario's duration.")
        {
            ScenarioArgument,
            EventsOption,
            LogLevelOption,
            WatchOption,
        };
        command.SetAction((parsed, cancellation) => ExecuteAsync(
            new RunArguments(parsed.GetRequiredValue(ScenarioArgument), parsed.GetValue(EventsOption), parsed.GetValue(LogLevelOption), parsed.GetValue(WatchOption)),
            parsed.InvocationConfiguration.Error,
            cancellation));
        return command;
    }

    private static async Task<int> ExecuteAsync(RunArguments arguments, TextWriter error, CancellationToken cancellation)
    {
        var loaded = ScenarioLoader.LoadFile(arguments.Scenario.FullName);
        if (loaded.Scenario is not { } scenario)
        {
            await ValidateCommand.WriteDiagnosticsAsync(error, loaded.Diagnostics);
            return ExitCodes.InvalidInput;
        }
        await WarnAboutPendingFeaturesAsync(scenario, error);

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

        await error.WriteLineAsync($"seed {runtime.Seed} (put 'seed: {runtime.Seed}' in the scenario to repeat this run's toxicity rolls, jitter and slices)");
        await using (runtime)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var watching = arguments.Watch
                ? new ScenarioWatcher(arguments.Scenario.FullName, runtime.Registry, runtime.Bus).RunAsync(stop.Token)
                : Task.CompletedTask;
            await WaitForEndAsync(scenario.Duration, cancellation);
            await stop.CancelAsync();
            await watching;
        }
        return ExitCodes.Success;
    }

    /// <summary>Says plainly what this build validates but does not act on yet, rather than pretending.</summary>
    private static async Task WarnAboutPendingFeaturesAsync(Scenario scenario, TextWriter error)
    {
        if (scenario.Expectations.Length > 0)
        {
            await error.WriteLineAsync(
                $"warning: {scenario.Expectations.Length} expectations are validated but not evaluated by this build (the reaction analysis is not built yet).");
        }
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

    private sealed record RunArguments(FileInfo Scenario, string? EventsFile, LogEventLevel LogLevel, bool Watch);
}
