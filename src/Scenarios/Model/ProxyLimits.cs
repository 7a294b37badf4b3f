namespace Chaos.Scenarios;

/// <summary>How a proxy at its <c>max_connections</c> turns a new client away.</summary>
public enum OverLimitAction
{
    /// <summary>RST at once: the client's connect() succeeded in the kernel, then its first read or write fails with ECONNRESET.</summary>
    Reset,

    /// <summary>FIN at once, before any byte: the client reads EOF.</summary>
    Refuse,
}

/// <summary>
/// A proxy's resource limits. None is set by default (Toxiproxy has none either): the process's descriptor limit
/// bounds connections, and a scenario that tests hangs must not have them cut short by an idle timeout.
/// </summary>
/// <param name="MaxConnections">Open connections at most; a client beyond it is turned away per <paramref name="OverLimit"/>. Null: no limit.</param>
/// <param name="OverLimit">What a client beyond <paramref name="MaxConnections"/> gets.</param>
/// <param name="IdleTimeout">A connection that relays no byte in either direction for this long is closed with FIN to both sides. Null: never.</param>
public sealed record ProxyLimits(int? MaxConnections, OverLimitAction OverLimit, TimeSpan? IdleTimeout)
{
    /// <summary>The largest <c>max_connections</c> accepted.</summary>
    public const int MaxConnectionsCap = 1_000_000;

    /// <summary>The shortest <c>idle_timeout</c> accepted: below it, ordinary scheduling pauses would close live connections.</summary>
    public static TimeSpan MinIdleTimeout { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>No limits.</summary>
    public static ProxyLimits None { get; } = new(null, OverLimitAction.Reset, null);
}
