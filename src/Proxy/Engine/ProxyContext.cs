using System.Net;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine;

/// <summary>
/// What every new connection of one proxy reads when it starts: its name, where it dials, where it reports,
/// and the proxy's toxics (read again at every hook, so changes reach live connections).
/// </summary>
internal sealed record ProxyContext(
    string Name, EndPoint UpstreamEndPoint, string UpstreamDisplay, EventBus Bus, RelayOptions Options,
    ConnectionCounter Counter, ToxicBoard Toxics, long Seed)
{
    public DateTimeOffset Now => Bus.Time.GetUtcNow();

    /// <summary>The proxy's connection limit and idle timeout, from its spec.</summary>
    public Chaos.Scenarios.ProxyLimits Limits { get; init; } = Chaos.Scenarios.ProxyLimits.None;
}

/// <summary>A proxy's connection ordinals: 1 for its first accepted connection, continuing across listener changes.</summary>
internal sealed class ConnectionCounter
{
    private long _accepted;

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Next() => Interlocked.Increment(ref _accepted);
}
