using Chaos.Proxy.Observation;
using Chaos.Scenarios;

namespace Chaos.Proxy.Engine;

/// <summary>
/// Hot reload: re-reads a scenario file when its size or modification time changes, and applies its proxies
/// through the registry.
/// It polls instead of using inotify because editors often save by writing a new file and renaming it over
/// the old one, which a watch on the old inode never sees.
/// </summary>
internal sealed class ScenarioWatcher(string path, ProxyRegistry registry, EventBus bus)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public async Task RunAsync(CancellationToken cancellation)
    {
        var applied = Fingerprint();
        var seen = applied;
        using var timer = new PeriodicTimer(PollInterval, bus.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellation))
            {
                var current = Fingerprint();
                // Reload only once the file has stood still for a whole interval, so a save caught halfway
                // (an empty or truncated file) is never reported as a bad edit.
                var settled = current == seen;
                seen = current;
                if (current is null || !settled || current == applied)
                {
                    continue;
                }
                applied = current;
                await ReloadAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // The run is ending.
        }
    }

    private async Task ReloadAsync()
    {
        var loaded = ScenarioLoader.LoadFile(path);
        if (loaded.Scenario is not { } scenario)
        {
            bus.Publish(new ScenarioReloadRejected(bus.Time.GetUtcNow(), path, [.. loaded.Diagnostics.Select(d => d.ToString())]));
            return;
        }
        var problems = await registry.ApplyAsync(scenario.Proxies);
        bus.Publish(new ScenarioReloaded(bus.Time.GetUtcNow(), path, problems));
    }

    private (long Length, DateTime Modified)? Fingerprint()
    {
        var file = new FileInfo(path);
        return file.Exists ? (file.Length, file.LastWriteTimeUtc) : null;
    }
}
