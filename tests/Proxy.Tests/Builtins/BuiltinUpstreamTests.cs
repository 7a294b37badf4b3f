using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Chaos.Proxy.Tests.Support;
using Chaos.Scenarios;

namespace Chaos.Proxy.Tests.Builtins;

public sealed class BuiltinUpstreamTests
{
    [Fact(Timeout = 30_000)]
    public async Task Echo_ClientHalfCloses_EverythingComesBackThenEof()
    {
        await using var proxies = await TestProxies.StartAsync(null, TestProxies.ToBuiltin("echo", BuiltinUpstream.Echo));
        using var client = await Peers.ConnectAsync(proxies["echo"]);
        var payload = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("echo me ", 10_000)));

        await Peers.SendAllAsync(client, payload);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal(payload, await Peers.ReadToEndAsync(client));
    }

    [Fact(Timeout = 30_000)]
    public async Task Http_KeepAliveConnection_SaysConnectionAndRequestNumber()
    {
        await using var proxies = await TestProxies.StartAsync(null, TestProxies.ToBuiltin("web", BuiltinUpstream.Http));
        using var http = new HttpClient { BaseAddress = new Uri($"http://{proxies["web"]}/") };

        var first = await http.GetStringAsync("a");
        var second = await http.PostAsync("b", new StringContent("body"));

        Assert.Equal("builtin:http connection 1, request 1: GET /a\n", first);
        Assert.Equal("builtin:http connection 1, request 2: POST /b\n", await second.Content.ReadAsStringAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task Http_RealCurlThroughProxy_GetsAnswerForEachNewConnection()
    {
        await using var proxies = await TestProxies.StartAsync(null, TestProxies.ToBuiltin("web", BuiltinUpstream.Http));
        var url = $"http://{proxies["web"]}/hello";

        Assert.Equal("builtin:http connection 1, request 1: GET /hello\n", await CurlAsync(url));
        Assert.Equal("builtin:http connection 2, request 1: GET /hello\n", await CurlAsync(url));
    }

    [Fact(Timeout = 30_000)]
    public async Task Http_MalformedRequest_Gets400AndTheServerKeepsServing()
    {
        await using var proxies = await TestProxies.StartAsync(null, TestProxies.ToBuiltin("web", BuiltinUpstream.Http));
        using (var client = await Peers.ConnectAsync(proxies["web"]))
        {
            await Peers.SendAllAsync(client, "NONSENSE\r\n\r\n"u8.ToArray());
            var answer = Encoding.ASCII.GetString(await Peers.ReadToEndAsync(client));
            Assert.StartsWith("HTTP/1.1 400 Bad Request", answer);
        }
        Assert.Contains("connection 2", await CurlAsync($"http://{proxies["web"]}/"));
    }

    private static async Task<string> CurlAsync(string url)
    {
        using var curl = Process.Start(new ProcessStartInfo("curl", ["--silent", "--show-error", "--max-time", "10", url])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        var error = await curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync();
        Assert.True(curl.ExitCode == 0, $"curl failed ({curl.ExitCode}): {error}");
        return output;
    }
}
