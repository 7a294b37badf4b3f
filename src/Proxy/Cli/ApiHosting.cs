using System.CommandLine;
using System.Net;
using Chaos.Proxy.ControlApi;
using Chaos.Proxy.Engine;

namespace Chaos.Proxy.Cli;

/// <summary>Starts the control API for <c>chaos serve</c> and <c>chaos run --api</c>, with the rule that keeps it off the network by accident.</summary>
internal static class ApiHosting
{
    /// <summary>Where the token comes from when no --api-token is given: a container or a pod sets it from a secret.</summary>
    public const string TokenVariable = "CHAOS_API_TOKEN";

    /// <summary>The --api-token option of <c>serve</c> and <c>run</c>.</summary>
    public static Option<string?> TokenOption() => new("--api-token")
    {
        Description = $"Require 'Authorization: Bearer <token>' on every API request (default: ${TokenVariable}, if set).",
    };

    /// <summary>The token given on the command line, else the one in <see cref="TokenVariable"/>, else none.</summary>
    public static string? Token(string? given) =>
        given ?? (Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);

    /// <summary>A reason the API may not start on <paramref name="host"/>, or null: beyond loopback it needs a token or an explicit opt-out.</summary>
    public static string? Refusal(string host, string? token, bool insecure, string what = "the API") =>
        IsLoopback(host) || token is not null || insecure
            ? null
            : $"{what} would listen on '{host}', beyond this machine, without a token: add --api-token <secret> (clients send 'Authorization: Bearer <secret>') or --insecure-public-api";

    /// <summary>Starts the API (Toxiproxy's routes and our <c>/chaos/</c> ones) over the run, or writes one line and returns null when its address cannot be bound.</summary>
    public static async Task<ControlApiServer?> StartAsync(
        ChaosRuntime runtime, string host, int port, string? token, bool insecure, TextWriter error, CancellationToken cancellation)
    {
        if (insecure && token is null && !IsLoopback(host))
        {
            await error.WriteLineAsync($"warning: the API on '{host}' accepts changes from anyone who can reach it (--insecure-public-api)");
        }
        try
        {
            return await ControlApiServer.StartAsync(runtime, new ControlApiOptions(host, port, token), cancellation);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            await error.WriteLineAsync($"error: the API cannot listen on {host}:{port}: {(ex.InnerException ?? ex).Message}");
            return null;
        }
    }

    internal static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
