using System.Net;
using System.Net.Http.Json;
using Chaos.Proxy.Cli;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Cli;

/// <summary><c>chaos serve</c> (a drop-in for toxiproxy-server) and <c>chaos run --api</c>, as processes.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    [Fact(Timeout = 60_000)]
    public async Task Serve_ToxiproxyFlagsAndConfig_ApiAnswersAndCliDrivesIt()
    {
        using var echo = Peers.Listen();
        var config = _scratch.Write("toxiproxy.json", $$"""[{"name": "db", "listen": "127.0.0.1:0", "upstream": "{{echo.LocalEndPoint}}", "enabled": true}]""");
        using var chaos = ChaosProcess.Start("serve", "-port", "0", "-config", config, "-seed", "7");
        var api = await ApiAddressAsync(chaos, "API listening on ");
        using var http = new HttpClient { BaseAddress = api };

        var proxies = await http.GetFromJsonAsync<Dictionary<string, ProxyView>>("/proxies");
        var (exit, output, _) = await CliRun.InvokeAsync("cli", "--host", api.ToString(), "toxic", "add", "db", "--type", "latency", "-a", "latency=50");

        Assert.Equal("db", Assert.Single(proxies!).Key);
        Assert.Equal(0, exit);
        Assert.Contains("latency_downstream", output);
        Assert.Contains("seed 7", chaos.Output);
        chaos.Terminate();
        Assert.Equal(0, await chaos.WaitForExitAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Serve_TokenFromEnvironment_CliVersionAnswersOnlyWithTheToken()
    {
        var token = new Dictionary<string, string> { [ApiHosting.TokenVariable] = "s3cret" };
        using var chaos = ChaosProcess.Start(token, "serve", "-host", "127.0.0.1", "-port", "0");
        var api = (await ApiAddressAsync(chaos, "API listening on ")).ToString();

        using var withToken = ChaosProcess.Start(token, "cli", "--host", api, "version");
        using var withoutToken = ChaosProcess.Start("cli", "--host", api, "version");

        Assert.Equal((0, "2.12.0"), (await withToken.WaitForExitAsync(), withToken.Output.Trim()));
        Assert.Equal(ExitCodes.Failed, await withoutToken.WaitForExitAsync());
        Assert.Contains("bearer token", withoutToken.Error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunWithApi_ToxicAddedThroughApi_ActsOnTheRun()
    {
        var scenario = _scratch.Write("api.yaml", "proxies:\n  - name: web\n    listen: 127.0.0.1:0\n    upstream: builtin:http\n");
        using var chaos = ChaosProcess.Start("run", scenario, "--api", "127.0.0.1:0");
        var api = await ApiAddressAsync(chaos, "API listening on ");
        using var http = new HttpClient { BaseAddress = api };

        var created = await http.PostAsync("/proxies/web/toxics", JsonContent.Create(new { type = "accept_reset" }));
        var web = await http.GetFromJsonAsync<ProxyView>("/proxies/web");

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(System.Net.Sockets.SocketError.ConnectionReset, await Peers.ConnectAndReceiveErrorAsync(IPEndPoint.Parse(web!.Listen)));
        chaos.Terminate();
        Assert.Equal(0, await chaos.WaitForExitAsync());
        Assert.Contains("1 faulted", chaos.Output);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("serve", "-host", "0.0.0.0")]
    [InlineData("run", "x.yaml", "--api", "0.0.0.0:8474")]
    [InlineData("run", "x.yaml", "--api", "not-an-address")]
    public async Task PublicApiWithoutToken_RefusedWithOneLineAndExitTwo(params string[] args)
    {
        var (exit, _, error) = await CliRun.InvokeAsync(args);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.StartsWith("error: ", error);
    }

    [Fact(Timeout = 30_000)]
    public async Task Serve_PortTaken_OneLineAndExitThree()
    {
        using var taken = Peers.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var chaos = ChaosProcess.Start("serve", "-host", "127.0.0.1", "-port", port);

        Assert.Equal(ExitCodes.RuntimeFailure, await chaos.WaitForExitAsync());
        Assert.StartsWith($"error: the API cannot listen on 127.0.0.1:{port}", chaos.Error);
    }

    public void Dispose() => _scratch.Dispose();

    private static async Task<Uri> ApiAddressAsync(ChaosProcess chaos, string marker)
    {
        await chaos.WaitForOutputAsync(marker);
        var text = chaos.Output + chaos.Error;
        var start = text.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        var end = text.IndexOfAny([' ', '\n', '\r'], start);
        return new Uri(text[start..end]);
    }

    private sealed record ProxyView(string Name, string Listen, string Upstream, bool Enabled);
}
