using System.Text;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.ControlApi;

/// <summary>Exact response heads on the wire, read with a raw socket (HttpClient re-formats headers).</summary>
public sealed class RawWireTests
{
    private static async Task<string> ExchangeAsync(ControlApiHarness api, string request)
    {
        using var socket = await Peers.ConnectAsync(api.Server.EndPoint);
        await Peers.SendAllAsync(socket, Encoding.ASCII.GetBytes(request)); // no half-close: Kestrel takes a FIN as an abort
        return Encoding.UTF8.GetString(await Peers.ReadToEndAsync(socket));
    }

    [Fact(Timeout = 30_000)]
    public async Task Error_TextPlainNosniffLengthAndNoServerHeader()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var raw = await ExchangeAsync(api, "GET /proxies/missing HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: text/plain; charset=utf-8\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("\r\nX-Content-Type-Options: nosniff\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Length: 41\r\n", raw, StringComparison.Ordinal);
        Assert.Matches("\r\nX-Toxiproxy-Request-Id: [0-9a-v]{20}\r\n", raw);
        Assert.DoesNotContain("\r\nServer:", raw, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n{\"error\":\"proxy not found\",\"status\":404}\n", raw, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Version_ExactContentTypeAndLength()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var raw = await ExchangeAsync(api, "GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.Contains("\r\nContent-Type: application/json;charset=utf-8\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Length: 22\r\n", raw, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n{\"version\": \"2.12.0\"}\n", raw, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task WrongMethod_405ContentLengthZero()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var raw = await ExchangeAsync(api, "PUT /proxies HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 405 Method Not Allowed\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Length: 0\r\n", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Toxiproxy-Request-Id", raw, StringComparison.Ordinal);
    }
}
