using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chaos.Proxy.Cli.Remote;

/// <summary>What <c>chaos cli</c> takes from its surroundings; tests replace it.</summary>
internal sealed record CliEnvironment
{
    /// <summary>Whether stdout is a person's terminal (table output) or a pipe (tab-separated); null: ask the console.</summary>
    public bool? OutputIsTerminal { get; init; }

    public Func<string, string?> GetVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Per request, connecting included. The Go client's is 30 s; Toxiproxy itself answers 503 after 25 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// <c>chaos cli</c>: a drop-in for <c>toxiproxy-cli</c> that drives a running Chaos (or Toxiproxy) server through
/// its HTTP API. Same commands, aliases, flags and piped output; flags may also come after the arguments.
/// One difference: <c>toxic update</c> without <c>--toxicity</c> keeps the current toxicity (toxiproxy-cli resets it to 1).
/// Additions: <c>version</c> (the server's, for health checks) and the bearer token from <c>$CHAOS_API_TOKEN</c>.
/// </summary>
internal static class CliCommand
{
    public const string DefaultHost = "http://localhost:8474";
    public const string HostVariable = "TOXIPROXY_URL";

    private static readonly Option<string> HostOption = new("--host")
    {
        Description = $"The API to talk to. Default: ${HostVariable}, else {DefaultHost}.",
        Recursive = true,
    };

    private static readonly Argument<string> ProxyArgument = new("proxy") { Description = "The proxy's name." };

    private static readonly Option<string> ListenOption = new("--listen", "-l") { Description = "Address the proxy listens on, e.g. 127.0.0.1:26379.", Required = true };
    private static readonly Option<string> UpstreamAddressOption = new("--upstream", "-u") { Description = "Address the proxy forwards to, e.g. 127.0.0.1:6379.", Required = true };

    private static readonly Option<string> ToxicNameOption = new("--toxicName", "-n") { Description = "The toxic's name. Default for add: <type>_<stream>." };
    private static readonly Option<string> RequiredToxicNameOption = new("--toxicName", "-n") { Description = "The toxic's name.", Required = true };
    private static readonly Option<string> TypeOption = new("--type", "-t") { Description = "The toxic type, e.g. latency, bandwidth, timeout, reset_peer (see 'chaos toxics').", Required = true };
    private static readonly Option<double?> ToxicityOption = Toxicity();
    private static readonly Option<string[]> AttributeOption = Attribute();
    private static readonly Option<bool> UpstreamOption = new("--upstream", "-u") { Description = "Act on data from the client to the upstream." };
    private static readonly Option<bool> DownstreamOption = new("--downstream", "-d") { Description = "Act on data from the upstream to the client (the default)." };

    public static Command Create() => Create(new CliEnvironment());

    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("cli", "Drive a running Chaos or Toxiproxy server through its HTTP API, like toxiproxy-cli.")
        {
            HostOption,
            Remote(environment, Define("version", "Show the server's version; exits 0 when the API answers (a health check).", []), Version),
            Remote(environment, Define("list", "List every proxy.", ["l", "li", "ls"]), List),
            Remote(environment, Define("inspect", "Show a proxy and its toxics.", ["i", "ins"], ProxyArgument), Inspect),
            Remote(environment, Define("create", "Create a proxy.", ["c", "new"], ProxyArgument, ListenOption, UpstreamAddressOption), Create),
            Remote(environment, Define("toggle", "Disable an enabled proxy (closing its connections), or enable a disabled one.", ["tog"], ProxyArgument), Toggle),
            Remote(environment, Define("delete", "Delete a proxy.", ["d"], ProxyArgument), Delete),
            Define("toxic", "Add, update or remove a proxy's toxics.", ["t"],
                Remote(environment, AddCommand(), AddToxic),
                Remote(environment, UpdateCommand(), UpdateToxic),
                Remote(environment, Define("remove", "Remove a toxic.", ["r", "delete", "d"], ProxyArgument, RequiredToxicNameOption), RemoveToxic)),
        };
        return command;
    }

    private static Command AddCommand()
    {
        var command = Define("add", "Add a toxic to a proxy.", ["a"],
            ProxyArgument, TypeOption, ToxicNameOption, ToxicityOption, AttributeOption, UpstreamOption, DownstreamOption);
        command.Validators.Add(result =>
        {
            if (result.GetValue(UpstreamOption) && result.GetValue(DownstreamOption))
            {
                result.AddError("Give only one of --upstream and --downstream.");
            }
        });
        return command;
    }

    private static Command UpdateCommand()
    {
        var command = Define("update", "Change a toxic's attributes or toxicity; what is not given is kept.", ["u"],
            ProxyArgument, RequiredToxicNameOption, ToxicityOption, AttributeOption);
        command.Validators.Add(result =>
        {
            if (result.GetResult(ToxicityOption) is null && result.GetResult(AttributeOption) is null)
            {
                result.AddError("Nothing to update: give --toxicity or --attribute.");
            }
        });
        return command;
    }

    private static async Task<string> Version(RemoteCall call) =>
        (await call.SendAsync(HttpMethod.Get, "/version")).GetProperty("version").GetString() + "\n";

    private static async Task<string> List(RemoteCall call) =>
        RemoteOutput.List(await call.SendAsync(HttpMethod.Get, "/proxies"), call.Terminal);

    private static async Task<string> Inspect(RemoteCall call) =>
        RemoteOutput.Inspect(await call.SendAsync(HttpMethod.Get, ToxiproxyClient.ProxyPath(call.Proxy)), call.Terminal);

    private static async Task<string> Create(RemoteCall call)
    {
        await call.SendAsync(HttpMethod.Post, "/proxies", new JsonObject
        {
            ["name"] = call.Proxy,
            ["listen"] = call.Parsed.GetValue(ListenOption),
            ["upstream"] = call.Parsed.GetValue(UpstreamAddressOption),
            ["enabled"] = true,
        });
        return $"Created new proxy {call.Proxy}\n";
    }

    private static async Task<string> Toggle(RemoteCall call)
    {
        var path = ToxiproxyClient.ProxyPath(call.Proxy);
        var current = await call.SendAsync(HttpMethod.Get, path);
        // Only "enabled" is sent, so a listen or upstream changed meanwhile by someone else is not reverted.
        var updated = await call.SendAsync(HttpMethod.Patch, path, new JsonObject { ["enabled"] = RemoteOutput.EnabledText(current) == "disabled" });
        return $"Proxy {call.Proxy} is now {RemoteOutput.EnabledText(updated)}\n";
    }

    private static async Task<string> Delete(RemoteCall call)
    {
        await call.SendAsync(HttpMethod.Delete, ToxiproxyClient.ProxyPath(call.Proxy));
        return $"Deleted proxy {call.Proxy}\n";
    }

    private static async Task<string> AddToxic(RemoteCall call)
    {
        var body = new JsonObject();
        if (call.Parsed.GetValue(ToxicNameOption) is { } name)
        {
            body["name"] = name;
        }
        body["type"] = call.Parsed.GetValue(TypeOption);
        body["stream"] = call.Parsed.GetValue(UpstreamOption) ? "upstream" : "downstream";
        body["toxicity"] = call.Parsed.GetValue(ToxicityOption) ?? 1.0;
        body["attributes"] = Attributes(call.Parsed.GetValue(AttributeOption));
        var toxic = await call.SendAsync(HttpMethod.Post, ToxiproxyClient.ProxyPath(call.Proxy) + "/toxics", body);
        return $"Added {RemoteOutput.Text(toxic, "stream")} {RemoteOutput.Text(toxic, "type")} toxic '{RemoteOutput.Text(toxic, "name")}' on proxy '{call.Proxy}'\n";
    }

    private static async Task<string> UpdateToxic(RemoteCall call)
    {
        var name = call.Parsed.GetRequiredValue(RequiredToxicNameOption);
        var body = new JsonObject();
        if (call.Parsed.GetResult(AttributeOption) is not null)
        {
            body["attributes"] = Attributes(call.Parsed.GetValue(AttributeOption));
        }
        if (call.Parsed.GetValue(ToxicityOption) is { } toxicity)
        {
            body["toxicity"] = toxicity;
        }
        await call.SendAsync(HttpMethod.Patch, ToxiproxyClient.ToxicPath(call.Proxy, name), body);
        return $"Updated toxic '{name}' on proxy '{call.Proxy}'\n";
    }

    private static async Task<string> RemoveToxic(RemoteCall call)
    {
        var name = call.Parsed.GetRequiredValue(RequiredToxicNameOption);
        await call.SendAsync(HttpMethod.Delete, ToxiproxyClient.ToxicPath(call.Proxy, name));
        return $"Removed toxic '{name}' on proxy '{call.Proxy}'\n";
    }

    // As toxiproxy-cli: a value that reads as a number is sent as a JSON number, anything else as a string.
    private static JsonObject Attributes(string[]? pairs)
    {
        var attributes = new JsonObject();
        foreach (var pair in pairs ?? [])
        {
            var (key, value) = (pair[..pair.IndexOf('=')], pair[(pair.IndexOf('=') + 1)..]);
            attributes[key] = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                ? JsonValue.Create(number)
                : JsonValue.Create(value);
        }
        return attributes;
    }

    private static Option<double?> Toxicity()
    {
        var option = new Option<double?>("--toxicity", "--tox") { Description = "Probability (0 to 1) that a connection gets the toxic. Default for add: 1." };
        option.Validators.Add(result =>
        {
            // Read the token, not the value: a token that is no number already has its own parse error.
            foreach (var token in result.Tokens)
            {
                if (double.TryParse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is not (>= 0 and <= 1))
                {
                    result.AddError($"--toxicity must be between 0 and 1, not {token.Value}.");
                }
            }
        });
        return option;
    }

    private static Option<string[]> Attribute()
    {
        var option = new Option<string[]>("--attribute", "-a") { Description = "A toxic attribute as key=value, e.g. latency=1000; repeatable." };
        option.Validators.Add(result =>
        {
            foreach (var pair in result.GetValue(option) ?? [])
            {
                if (pair.IndexOf('=') <= 0)
                {
                    result.AddError($"--attribute '{pair}' is not key=value.");
                }
            }
        });
        return option;
    }

    private static Command Define(string name, string description, string[] aliases, params Symbol[] children)
    {
        var command = new Command(name, description);
        foreach (var alias in aliases)
        {
            command.Aliases.Add(alias);
        }
        foreach (var child in children)
        {
            switch (child)
            {
                case Argument argument: command.Arguments.Add(argument); break;
                case Option option: command.Options.Add(option); break;
                case Command subcommand: command.Subcommands.Add(subcommand); break;
            }
        }
        return command;
    }

    private static Command Remote(CliEnvironment environment, Command command, Func<RemoteCall, Task<string>> action)
    {
        command.SetAction((parsed, cancellation) => RunAsync(environment, parsed, action, cancellation));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment environment, ParseResult parsed, Func<RemoteCall, Task<string>> action, CancellationToken cancellation)
    {
        var output = parsed.InvocationConfiguration.Output;
        var error = parsed.InvocationConfiguration.Error;
        var host = parsed.GetValue(HostOption) is { Length: > 0 } given ? given
            : environment.GetVariable(HostVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
            : DefaultHost;
        if (!TryNormaliseHost(host, out var baseUrl))
        {
            await error.WriteLineAsync($"error: --host '{host}' is not an http:// or https:// URL.");
            return ExitCodes.InvalidInput;
        }
        using var handler = new SocketsHttpHandler { ConnectTimeout = environment.Timeout };
        using var http = new HttpClient(handler) { Timeout = environment.Timeout };
        // Toxiproxy refuses any User-Agent starting with "Mozilla/"; say who we are instead of sending none.
        http.DefaultRequestHeaders.UserAgent.ParseAdd("chaos-cli/" + (typeof(CliCommand).Assembly.GetName().Version?.ToString(3) ?? "0"));
        if (environment.GetVariable(ApiHosting.TokenVariable) is { Length: > 0 } token)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
        var call = new RemoteCall(new ToxiproxyClient(http, baseUrl), parsed, environment.OutputIsTerminal ?? IsTerminal(output), cancellation);
        try
        {
            await output.WriteAsync(await action(call));
            return ExitCodes.Success;
        }
        catch (RemoteApiException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync($"error: cannot reach the Chaos API at {baseUrl}: {ex.Message}");
            return ExitCodes.RuntimeFailure;
        }
        catch (TimeoutException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.RuntimeFailure;
        }
    }

    // Like the Go client: "localhost:8474" means http://localhost:8474.
    private static bool TryNormaliseHost(string host, out string baseUrl)
    {
        baseUrl = host.Contains("://", StringComparison.Ordinal) ? host : "http://" + host;
        return Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0;
    }

    private static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>One invocation: the client, the parsed command line and how to print.</summary>
    private sealed record RemoteCall(ToxiproxyClient Client, ParseResult Parsed, bool Terminal, CancellationToken Cancellation)
    {
        public string Proxy => Parsed.GetRequiredValue(ProxyArgument);

        public Task<JsonElement> SendAsync(HttpMethod method, string path, JsonObject? body = null) =>
            Client.SendAsync(method, path, body, Cancellation);
    }
}
