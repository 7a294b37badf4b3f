using System.ComponentModel;
using System.Diagnostics;
using Chaos.Proxy.Engine;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Observation.Reactions;
using Chaos.Scenarios;

namespace Chaos.Proxy.Cli;

/// <summary>One <c>chaos run</c>: validate, start, relay (around a wrapped command if given), then analyse, report and judge.</summary>
internal sealed class RunExecution(RunArguments arguments, TextWriter output, TextWriter error)
{
    /// <summary>After the wrapped command exits, its last FINs and closes still travel through the proxy.</summary>
    private static readonly TimeSpan LateEventDrain = TimeSpan.FromMilliseconds(250);

    public async Task<int> ExecuteAsync(CancellationToken cancellation)
    {
        var loaded = ScenarioLoader.LoadFile(arguments.Scenario.FullName);
        if (loaded.Scenario is not { } scenario)
        {
            await ValidateCommand.WriteDiagnosticsAsync(error, loaded.Diagnostics);
            return ExitCodes.InvalidInput;
        }

        IReadOnlyList<ChaosEvent> events;
        var tally = new ReactionTally();
        var started = Stopwatch.GetTimestamp();
        int? commandExit;
        await using (var logger = Observation.EventLogging.Create(arguments.LogLevel))
        using (var eventsFile = arguments.EventsFile is { } path ? new EventsFile(path) : null)
        {
            ChaosRuntime runtime;
            try
            {
                runtime = await ChaosRuntime.StartAsync(scenario, [.. Observation.EventLogging.Writers(logger, eventsFile), tally], Options(), TimeProvider.System);
            }
            catch (ProxyStartException ex)
            {
                await error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.RuntimeFailure;
            }
            await error.WriteLineAsync($"seed {runtime.Seed} (put 'seed: {runtime.Seed}' in the scenario to repeat this run's toxicity rolls, jitter and slices)");
            await using (runtime)
            {
                await using var api = arguments.Api is { } address
                    ? await ApiHosting.StartAsync(runtime, address.Host, address.Port, arguments.ApiToken, arguments.InsecurePublicApi, error, cancellation)
                    : null;
                if (arguments.Api is not null && api is null)
                {
                    return ExitCodes.RuntimeFailure;
                }
                if (api is not null)
                {
                    await error.WriteLineAsync($"API listening on {api.Uri}");
                }
                await using var ui = arguments.Ui is { } uiAddress ? await StartLiveViewAsync(runtime, uiAddress, cancellation) : null;
                if (arguments.Ui is not null && ui is null)
                {
                    return ExitCodes.RuntimeFailure;
                }
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                var watching = arguments.Watch
                    ? new ScenarioWatcher(arguments.Scenario.FullName, runtime.Registry, runtime.Bus).RunAsync(stop.Token)
                    : Task.CompletedTask;
                commandExit = await RelayUntilEndAsync(scenario, runtime, cancellation);
                await stop.CancelAsync();
                await watching;
            }
            events = runtime.Observers.History.Snapshot(); // all delivered now; empty unless something needs them (Options)
        }

        var report = tally.Report();
        var results = ExpectationResult.Evaluate(scenario.Expectations, report);
        if (arguments.Diagram)
        {
            await output.WriteAsync(Observation.Diagrams.RunDiagrams.Ladders(events, ascii: false));
        }
        await output.WriteAsync(ReportWriters.Summary(report, results));
        try
        {
            await WriteReportsAsync(scenario, report, results, commandExit, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: cannot write the report: {ex.Message}");
            return ExitCodes.RuntimeFailure;
        }
        return commandExit is not (null or 0) || results.Any(result => !result.Passed) ? ExitCodes.Failed : ExitCodes.Success;
    }

    /// <summary>Starts the live web view and prints its address, or writes one line and returns null when it cannot listen.</summary>
    private async Task<ControlApi.LiveView.LiveViewServer?> StartLiveViewAsync(ChaosRuntime runtime, HostPort address, CancellationToken cancellation)
    {
        if (arguments.InsecurePublicApi && arguments.ApiToken is null && !ApiHosting.IsLoopback(address.Host))
        {
            await error.WriteLineAsync($"warning: the live view on '{address.Host}' shows every connection to anyone who can reach it (--insecure-public-api)");
        }
        try
        {
            var ui = await ControlApi.LiveView.LiveViewServer.StartAsync(runtime, address.Host, address.Port, arguments.ApiToken, cancellation);
            await error.WriteLineAsync($"live view on {ui.Uri}");
            return ui;
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            await error.WriteLineAsync($"error: the live view cannot listen on {address}: {(ex.InnerException ?? ex).Message}");
            return null;
        }
    }

    /// <summary>
    /// TCP state samples only where something shows them: a diagram, the event log, the API's event stream, the
    /// live view, a Debug console. Events are kept only for what reads them back (the diagram, the API's history
    /// and report, the live view's late page): the run's own report comes from the tally, so a long run's memory
    /// does not grow with every event.
    /// </summary>
    private RelayOptions Options() => new()
    {
        SampleTcpState = arguments.Diagram || arguments.EventsFile is not null || arguments.Api is not null || arguments.Ui is not null ||
            arguments.LogLevel <= Serilog.Events.LogEventLevel.Debug,
        EventHistoryLimit = arguments.Diagram || arguments.Api is not null || arguments.Ui is not null ? null : 0,
    };

    /// <summary>Relays until the wrapped command exits (its exit code), or until the duration or a signal (null).</summary>
    private async Task<int?> RelayUntilEndAsync(Scenario scenario, ChaosRuntime runtime, CancellationToken cancellation)
    {
        using var end = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (scenario.Duration is { } duration)
        {
            end.CancelAfter(duration);
        }
        if (arguments.Command.Count == 0)
        {
            await Signals.WaitAsync(end.Token);
            return null;
        }

        using var command = StartCommand(runtime.Registry);
        if (command is null)
        {
            return 127;
        }
        try
        {
            await command.WaitForExitAsync(end.Token);
            await Task.Delay(LateEventDrain, CancellationToken.None);
            return command.ExitCode;
        }
        catch (OperationCanceledException)
        {
            command.Kill(entireProcessTree: true);
            await error.WriteLineAsync($"error: '{arguments.Command[0]}' was stopped before it finished (the scenario's duration ran out, or chaos was interrupted)");
            return 130;
        }
    }

    /// <summary>Starts the wrapped command with its output passing through and each proxy's address in its environment.</summary>
    private Process? StartCommand(ProxyRegistry registry)
    {
        var start = new ProcessStartInfo(arguments.Command[0], arguments.Command.Skip(1)) { UseShellExecute = false };
        foreach (var proxy in registry.Proxies)
        {
            if (proxy.ListenEndPoint is { } address)
            {
                start.Environment[AddressVariable(proxy.Name)] = address.ToString();
            }
        }
        try
        {
            return Process.Start(start);
        }
        catch (Win32Exception ex)
        {
            error.WriteLine($"error: cannot run '{arguments.Command[0]}': {ex.Message}");
            return null;
        }
    }

    /// <summary><c>CHAOS_WEB_ADDR</c> for proxy <c>web</c>; characters a variable name cannot hold become '_'.</summary>
    internal static string AddressVariable(string proxy) =>
        $"CHAOS_{string.Concat(proxy.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'))}_ADDR";

    private async Task WriteReportsAsync(Scenario scenario, ReactionReport report, IReadOnlyList<ExpectationResult> results, int? commandExit, TimeSpan duration)
    {
        if (arguments.ReportFile is { } reportFile)
        {
            await File.WriteAllTextAsync(reportFile, ReportWriters.Json(report, results, commandExit));
        }
        if (arguments.JUnitFile is { } junitFile)
        {
            await File.WriteAllTextAsync(junitFile, ReportWriters.JUnit(scenario.Name ?? Path.GetFileNameWithoutExtension(arguments.Scenario.Name), results, duration));
        }
    }
}
