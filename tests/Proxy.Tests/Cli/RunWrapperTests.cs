using System.Text.Json;
using System.Xml.Linq;
using Chaos.Proxy.Cli;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Cli;

/// <summary><c>chaos run scenario.yaml -- command</c> with real client and server programs, judged by the reaction analysis.</summary>
public sealed class RunWrapperTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    [Fact(Timeout = 60_000)]
    public async Task Wrapper_PythonClientWithExponentialBackoff_RetriesCountedAndClassified()
    {
        var scenario = _scratch.Write("retry.yaml", """
            proxies:
              - name: web
                listen: 127.0.0.1:0
                upstream: builtin:http
                toxics:
                  - type: accept_reset
                    where: { connections: "1-3" }
            expect:
              - client.retries == 3
              - client.min_retry_interval >= 120ms
              - client.max_retry_interval >= 1400ms
              - client.max_retry_interval < 5s
            """);
        var client = Path.Combine(CatalogueAndValidateCommandTests.RepositoryRoot(), "scenarios", "examples", "retrying_client.py");
        var report = _scratch.PathOf("report.json");
        var junit = _scratch.PathOf("junit.xml");

        var (exit, output, error) = await CliRun.InvokeAsync("run", scenario, "--report", report, "--junit", junit, "--", "python3", client);

        Assert.True(exit == ExitCodes.Success, $"exit {exit}\n{output}\n{error}");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var web = json.RootElement.GetProperty("proxies")[0];
        Assert.Equal(3, web.GetProperty("client.retries").GetDouble());
        Assert.Equal("exponential", web.GetProperty("retry_series")[0].GetProperty("backoff").GetString());
        var cases = XDocument.Load(junit).Descendants("testcase").ToList();
        Assert.Equal(4, cases.Count);
        Assert.DoesNotContain(cases, c => c.Element("failure") is not null);
    }

    [Fact(Timeout = 60_000)]
    public async Task Wrapper_ExpectationFails_ExitsOneNamingTheObservedValue()
    {
        var scenario = _scratch.Write("fails.yaml", """
            proxies:
              - name: web
                listen: 127.0.0.1:0
                upstream: builtin:http
            expect:
              - web.connections.total == 2
            """);

        var (exit, output, _) = await CliRun.InvokeAsync("run", scenario, "--", "true");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("FAIL  web.connections.total == 2  (observed 0)", output);
    }

    [Fact(Timeout = 60_000)]
    public async Task Wrapper_CommandFails_ExitsOneEvenWhenExpectationsHold()
    {
        var scenario = _scratch.Write("ok.yaml", "proxies:\n  - name: web\n    listen: 127.0.0.1:0\n    upstream: builtin:http\nexpect:\n  - connections.total == 0\n");

        var (exit, output, _) = await CliRun.InvokeAsync("run", scenario, "--", "sh", "-c", "exit 3");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("pass  connections.total == 0", output);
    }

    [Fact(Timeout = 60_000)]
    public async Task Wrapper_CurlRetryAllErrors_RetriesCountedAndCurlSucceeds()
    {
        var scenario = _scratch.Write("curl.yaml", """
            proxies:
              - name: web
                listen: 127.0.0.1:0
                upstream: builtin:http
                toxics:
                  - type: accept_reset
                    attributes: { delay: 50 }
                    where: { connections: "1-2" }
            expect:
              - client.retries == 2
              - connections.faulted == 2
              - client.min_retry_interval >= 800ms
            """);

        var (exit, output, error) = await CliRun.InvokeAsync("run", scenario, "--",
            "sh", "-c", "curl -sS --retry 2 --retry-all-errors --retry-delay 1 http://$CHAOS_WEB_ADDR/");

        Assert.True(exit == ExitCodes.Success, $"exit {exit}\n{output}\n{error}");
    }

    [Fact(Timeout = 60_000)]
    public async Task Wrapper_ClientsEndingWithFinAndWithRst_EachSideCountedApart()
    {
        var scenario = _scratch.Write("ends.yaml", """
            proxies:
              - name: web
                listen: 127.0.0.1:0
                upstream: builtin:echo
            expect:
              - client.fins == 1
              - client.resets == 1
            """);
        var client = _scratch.Write("ends.py", """
            import os, socket, struct
            host, port = os.environ["CHAOS_WEB_ADDR"].rsplit(":", 1)
            polite = socket.create_connection((host, int(port)))
            polite.sendall(b"bye"); polite.shutdown(socket.SHUT_WR); polite.recv(16); polite.close()
            rude = socket.create_connection((host, int(port)))
            rude.sendall(b"x"); rude.recv(16)
            rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); rude.close()
            """);

        var (exit, output, error) = await CliRun.InvokeAsync("run", scenario, "--", "python3", client);

        Assert.True(exit == ExitCodes.Success, $"exit {exit}\n{output}\n{error}");
    }

    [Fact(Timeout = 60_000)]
    public async Task Wrapper_ServerRepliesAfterClientFin_ServerWritesAfterFinCounted()
    {
        var server = _scratch.Write("server.py", """
            import socket, sys
            listener = socket.create_server(("127.0.0.1", 0))
            print(listener.getsockname()[1], flush=True)
            conn, _ = listener.accept()
            request = b""
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                request += chunk
            conn.sendall(b"reply after your FIN: " + request)
            conn.close()
            """);
        using var python = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("python3", [server]) { RedirectStandardOutput = true })!;
        try
        {
            var port = (await python.StandardOutput.ReadLineAsync())!.Trim();
            var scenario = _scratch.Write("half.yaml", $"proxies:\n  - name: web\n    listen: 127.0.0.1:0\n    upstream: 127.0.0.1:{port}\nexpect:\n  - server.writes_after_fin == 1\n  - client.writes_after_fin == 0\n");
            var client = _scratch.Write("half.py", """
                import os, socket
                host, port = os.environ["CHAOS_WEB_ADDR"].rsplit(":", 1)
                s = socket.create_connection((host, int(port)))
                s.sendall(b"question"); s.shutdown(socket.SHUT_WR)
                reply = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    reply += chunk
                assert reply == b"reply after your FIN: question", reply
                """);

            var (exit, output, error) = await CliRun.InvokeAsync("run", scenario, "--", "python3", client);

            Assert.True(exit == ExitCodes.Success, $"exit {exit}\n{output}\n{error}");
        }
        finally
        {
            python.Kill();
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Wrapper_CommandNotFound_OneLineAndExitOne()
    {
        var scenario = _scratch.Write("nf.yaml", "proxies:\n  - name: web\n    listen: 127.0.0.1:0\n    upstream: builtin:http\n");

        var (exit, _, error) = await CliRun.InvokeAsync("run", scenario, "--", "no-such-program-here");

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("error: cannot run 'no-such-program-here'", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void AddressVariable_ProxyNameWithDashes_BecomesAnEnvironmentName() =>
        Assert.Equal("CHAOS_MY_DB_1_ADDR", RunExecution.AddressVariable("my-db.1"));

    public void Dispose() => _scratch.Dispose();
}
