using System.Text.Json;
using System.Text.RegularExpressions;
using Chaos.Proxy.Tests.Support;
using Xunit.Abstractions;

namespace Chaos.Proxy.Tests.ControlApi.LiveView;

/// <summary>
/// <c>chaos run --ui</c> in a real headless browser: Debian's chromium driven by npm's playwright-core (installed from
/// the lock file; no browser is downloaded). The screenshot is kept under the test output folder, in
/// <c>artifacts/live-view.png</c>. It runs alone, after the parallel tests: starting chromium takes both cores of a
/// small CI machine for a moment, which would upset the tests that time real clients' retries.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed partial class LiveViewBrowserTests(ITestOutputHelper log)
{
    private const string Chromium = "/usr/bin/chromium";

    private const string Scenario = """
        version: 1
        name: live-view
        proxies:
          - name: web
            listen: 127.0.0.1:0
            upstream: builtin:echo
            toxics:
              - name: late-answer
                type: first_byte_delay
                stream: downstream
                attributes: { delay: 300 }
        """;

    [Fact(Timeout = 120_000)]
    public async Task LiveView_ConnectionThroughProxy_AppearsWithinTwoSecondsWithItsFaultMarked()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: .ci/run installs Debian's chromium");
        var folder = await NodeScripts.FolderAsync(Path.Combine("tests", "Proxy.Tests", "ControlApi", "LiveView", "browser"), "playwright-core");
        using var scratch = new ScratchDirectory();
        using var chaos = ChaosProcess.Start("run", scratch.Write("live.yaml", Scenario), "--ui", "127.0.0.1:0");
        await chaos.WaitForOutputAsync("live view on ");
        await chaos.WaitForOutputAsync(" listening on ");
        var ui = LiveViewAddress().Match(chaos.Error).Groups[1].Value;
        var proxy = ProxyAddress().Match(chaos.Output + chaos.Error).Groups[1].Value;
        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
        var screenshot = Path.Combine(artifacts, "live-view.png");

        var (exit, output, error) = await NodeScripts.RunAsync("node", folder, [], "live-view-check.mjs", ui, proxy, screenshot);

        Assert.True(exit == 0, $"the browser check exited {exit}: {output} {error}");
        log.WriteLine($"browser check: {output}; screenshot: {screenshot}");
        using var result = JsonDocument.Parse(output);
        var root = result.RootElement;
        Assert.True(root.GetProperty("appearedMs").GetInt32() <= 2000, output);
        Assert.Contains("first_byte_delay", root.GetProperty("fault").GetString());
        Assert.Contains("ESTABLISHED", root.GetProperty("states").EnumerateArray().Select(state => state.GetString()));
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is missing or empty");
        chaos.Terminate();
        Assert.Equal(0, await chaos.WaitForExitAsync());
    }

    [GeneratedRegex(@"live view on (\S+)")]
    private static partial Regex LiveViewAddress();

    [GeneratedRegex(@"web listening on (\S+)")]
    private static partial Regex ProxyAddress();
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "browser";
}
