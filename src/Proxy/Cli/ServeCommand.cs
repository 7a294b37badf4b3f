using System.CommandLine;
using Chaos.Proxy.Engine;
using Chaos.Proxy.Observation;
using Chaos.Scenarios;
using Serilog.Events;

namespace Chaos.Proxy.Cli;

/// <summary>
/// <c>chaos serve</c>: a drop-in for <c>toxiproxy-server</c>. Its flags take Toxiproxy's single-dash forms
/// (<c>-host</c>, <c>-port</c>, <c>-config</c>, <c>-seed</c>) as well as ours.
/// </summary>
internal static class ServeCommand
{
    private static readonly Option<string> HostOption = new("--host", "-host")
    {
        Description = "Address the API listens on (Toxiproxy's default: localhost). Beyond loopback it needs --api-token or --insecure-public-api.",
        DefaultValueFactory = _ => "localhost",
    };

    private static readonly Option<int> PortOption = new("--port", "-port")
    {
        Description = "Port of the API (0: any free port, printed at start).",
        DefaultValueFactory = _ => ControlApi.ControlApiOptions.DefaultPort,
    };

    private static readonly Option<FileInfo?> ConfigOption = new("--config", "-config")
    {
        Description = "Proxies to start with: a Toxiproxy proxies JSON file or any scenario file (its toxics are honoured).",
    };

    private static readonly Option<long?> SeedOption = new("--seed", "-seed")
    {
        Description = "Seed for toxicity rolls, jitter and slices (default: the config's, else random and printed).",
    };

    private static readonly Option<string?> TokenOption = ApiHosting.TokenOption();

    private static readonly Option<bool> InsecureOption = new("--insecure-public-api")
    {
        Description = "Allow a non-loopback --host without a token (anyone who reaches it can change the proxies).",
    };

    /// <summary>A server may run for days: its report keeps the latest 200,000 events (tens of MB), not all.</summary>
    private static readonly RelayOptions ServeOptions = new() { EventHistoryLimit = 200_000 };

    public static Command Create()
    {
        var command = new Command("serve", "Serve the Toxiproxy-compatible HTTP API (and our extensions under /chaos/) until Ctrl+C or SIGTERM.")
        {
            HostOption, PortOption, ConfigOption, SeedOption, TokenOption, InsecureOption,
        };
        command.Validators.Add(result =>
        {
            // Validators run before defaults are filled in: no --host means the default, localhost.
            if (ApiHosting.Refusal(result.GetValue(HostOption) ?? "localhost", ApiHosting.Token(result.GetValue(TokenOption)), result.GetValue(InsecureOption)) is { } refusal)
            {
                result.AddError(refusal);
            }
        });
        command.SetAction((parsed, cancellation) => ExecuteAsync(parsed, cancellation));
        return command;
    }

    private static async Task<int> ExecuteAsync(ParseResult parsed, CancellationToken cancellation)
    {
        var error = parsed.InvocationConfiguration.Error;
        var scenario = new Scenario(1, "serve", null, null, null, [], [], []);
        if (parsed.GetValue(ConfigOption) is { } config)
        {
            var loaded = ScenarioLoader.LoadFile(config.FullName);
            if (loaded.Scenario is null)
            {
                await ValidateCommand.WriteDiagnosticsAsync(error, loaded.Diagnostics);
                return ExitCodes.InvalidInput;
            }
            scenario = loaded.Scenario;
        }
        scenario = scenario with { Seed = parsed.GetValue(SeedOption) ?? scenario.Seed };

        await using var logger = EventLogging.Create(ToxiproxyLogLevel());
        ChaosRuntime runtime;
        try
        {
            runtime = await ChaosRuntime.StartAsync(scenario, [new SerilogEventWriter(logger)], ServeOptions, TimeProvider.System);
        }
        catch (ProxyStartException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.RuntimeFailure;
        }
        await using (runtime)
        {
            await using var api = await ApiHosting.StartAsync(runtime, parsed.GetValue(HostOption)!, parsed.GetValue(PortOption),
                ApiHosting.Token(parsed.GetValue(TokenOption)), parsed.GetValue(InsecureOption), error, cancellation);
            if (api is null)
            {
                return ExitCodes.RuntimeFailure;
            }
            await parsed.InvocationConfiguration.Output.WriteLineAsync($"API listening on {api.Uri} (seed {runtime.Seed})");
            await Signals.WaitAsync(cancellation);
        }
        return ExitCodes.Success;
    }

    /// <summary>Toxiproxy reads its log level from LOG_LEVEL (debug, info, warn, error, fatal, panic, trace).</summary>
    private static LogEventLevel ToxiproxyLogLevel() => Environment.GetEnvironmentVariable("LOG_LEVEL")?.ToLowerInvariant() switch
    {
        "trace" => LogEventLevel.Verbose,
        "debug" => LogEventLevel.Debug,
        "warn" or "warning" => LogEventLevel.Warning,
        "error" => LogEventLevel.Error,
        "fatal" or "panic" => LogEventLevel.Fatal,
        _ => LogEventLevel.Information,
    };
}
