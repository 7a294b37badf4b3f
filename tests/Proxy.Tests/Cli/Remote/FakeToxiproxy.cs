using System.Collections.Concurrent;
using System.CommandLine;
using Chaos.Proxy.Cli;
using Chaos.Proxy.Cli.Remote;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Chaos.Proxy.Tests.Cli.Remote;

/// <summary>One request as the fake server saw it.</summary>
internal sealed record RecordedRequest(string Method, string Path, string Body, string UserAgent);

/// <summary>
/// A stand-in for the Toxiproxy API on 127.0.0.1: records every request and answers with the given responses in turn
/// (status and body as in the recorded transcript; error bodies as text/plain, as Toxiproxy serves them).
/// </summary>
internal sealed class FakeToxiproxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(int Status, string Body)> _responses;

    private FakeToxiproxy(WebApplication app, IEnumerable<(int, string)> responses)
    {
        _app = app;
        _responses = new(responses);
    }

    public List<RecordedRequest> Requests { get; } = [];

    public string Url => _app.Urls.Single();

    public static async Task<FakeToxiproxy> StartAsync(params (int Status, string Body)[] responses)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var fake = new FakeToxiproxy(builder.Build(), responses);
        fake._app.Run(fake.HandleAsync);
        await fake._app.StartAsync();
        return fake;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        lock (Requests)
        {
            Requests.Add(new(context.Request.Method, context.Request.Path + context.Request.QueryString, body, context.Request.Headers.UserAgent.ToString()));
        }
        var (status, response) = _responses.TryDequeue(out var next) ? next : (500, "{\"error\":\"fake: no response left\",\"status\":500}\n");
        context.Response.StatusCode = status;
        if (status == 204)
        {
            return;
        }
        context.Response.ContentType = status < 400 ? "application/json" : "text/plain; charset=utf-8";
        await context.Response.WriteAsync(response);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Runs <c>chaos cli ...</c> in-process under a root that maps parse errors to exit 2, as <c>ChaosCommand</c> does.</summary>
internal static class RemoteCli
{
    public static async Task<(int Exit, string Output, string Error)> InvokeAsync(bool terminal, params string[] args) =>
        await InvokeAsync(new CliEnvironment { OutputIsTerminal = terminal, GetVariable = _ => null, Timeout = TimeSpan.FromSeconds(5) }, args);

    public static async Task<(int Exit, string Output, string Error)> InvokeAsync(CliEnvironment environment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var parsed = new RootCommand { CliCommand.Create(environment) }.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync($"error: {problem.Message}");
            }
            return (ExitCodes.InvalidInput, output.ToString(), error.ToString());
        }
        var exit = await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
