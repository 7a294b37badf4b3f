using System.Text.Json;
using Chaos.Proxy.Cli;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Cli;

/// <summary>A run recorded with --events, re-rendered by <c>chaos report</c>; and <c>run --diagram</c>.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    [Fact(Timeout = 60_000)]
    public async Task Report_RecordedRun_RendersTextJsonAndMermaid()
    {
        var events = await RecordRunAsync();

        var (textExit, text, _) = await CliRun.InvokeAsync("report", events);
        var (jsonExit, json, _) = await CliRun.InvokeAsync("report", events, "--format", "json");
        var (mermaidExit, mermaid, _) = await CliRun.InvokeAsync("report", events, "--format", "mermaid");

        Assert.Equal((0, 0, 0), (textExit, jsonExit, mermaidExit));
        Assert.Contains("web: 2 connections, 1 faulted", text);
        Assert.Contains("web #1", text);
        Assert.Contains("RST", text);
        using var report = JsonDocument.Parse(json);
        Assert.Equal(1, report.RootElement.GetProperty("total").GetProperty("client.retries").GetDouble());
        Assert.Equal(2, mermaid.Split("sequenceDiagram").Length - 1);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_Diagram_DrawsEveryConnection()
    {
        var scenario = _scratch.Write("diagram.yaml", "proxies:\n  - name: web\n    listen: 127.0.0.1:0\n    upstream: builtin:echo\n");
        var client = _scratch.Write("echo.py", """
            import os, socket
            host, port = os.environ["CHAOS_WEB_ADDR"].rsplit(":", 1)
            with socket.create_connection((host, int(port))) as s:
                s.sendall(b"ping"); s.shutdown(socket.SHUT_WR)
                while s.recv(16): pass
            """);

        var (exit, output, error) = await CliRun.InvokeAsync("run", scenario, "--diagram", "--", "python3", client);

        Assert.True(exit == ExitCodes.Success, error);
        Assert.Contains("web #1  client 127.0.0.1:", output);
        Assert.Contains("FIN", output);
    }

    [Fact(Timeout = 30_000)]
    public async Task Report_MissingFile_OneLineAndExitTwo()
    {
        var (exit, _, error) = await CliRun.InvokeAsync("report", _scratch.PathOf("missing.jsonl"));

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.StartsWith("error: cannot read ", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact(Timeout = 30_000)]
    public async Task Report_GarbageLines_WarnsAndRendersTheRest()
    {
        var events = _scratch.Write("garbage.jsonl", "not json\n{\"@t\": \"nonsense\"}\n");

        var (exit, _, error) = await CliRun.InvokeAsync("report", events);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.StartsWith("warning: skipped 2 line(s)", error);
    }

    public void Dispose() => _scratch.Dispose();

    /// <summary>Records a run where the first connection is reset and a client retries once.</summary>
    private async Task<string> RecordRunAsync()
    {
        var scenario = _scratch.Write("recorded.yaml", """
            proxies:
              - name: web
                listen: 127.0.0.1:0
                upstream: builtin:http
                toxics:
                  - { type: accept_reset, attributes: { delay: 20 }, where: { connections: "1" } }
            """);
        var events = _scratch.PathOf("events.jsonl");
        var (exit, _, error) = await CliRun.InvokeAsync("run", scenario, "--events", events, "--",
            "sh", "-c", "curl -sS --retry 1 --retry-all-errors --retry-delay 1 http://$CHAOS_WEB_ADDR/ >/dev/null");
        Assert.True(exit == ExitCodes.Success, error);
        return events;
    }
}
