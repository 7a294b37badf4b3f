using System.Collections.Concurrent;

namespace Chaos.Proxy.Engine;

/// <summary>
/// Looks after a listener's open connections from the side, without touching the data path: once a period
/// (1 s, or a quarter of the idle timeout if shorter) each connection compares its relayed byte counts with the
/// last look (<see cref="RelayConnection.Sweep"/>). One loop per listener rather than a timer per connection, so
/// an idle connection costs two numbers, not a timer, a task and a cancellation source.
/// </summary>
internal static class ConnectionSweep
{
    private static readonly TimeSpan LongestPeriod = TimeSpan.FromSeconds(1);

    /// <param name="proxy">The listener's current proxy context (its idle timeout sets the period).</param>
    /// <param name="live">The open connections; enumerated live, without a copy or a lock.</param>
    /// <param name="stop">Ends the sweep.</param>
    public static async Task RunAsync(Func<ProxyContext> proxy, ConcurrentDictionary<long, RelayConnection> live, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                var current = proxy();
                await Task.Delay(Period(current.Limits.IdleTimeout), current.Bus.Time, stop);
                var now = current.Bus.Time.GetTimestamp();
                foreach (var (_, connection) in live)
                {
                    connection.Sweep(now);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The listener stopped.
        }
    }

    private static TimeSpan Period(TimeSpan? idleTimeout) =>
        idleTimeout is { } idle && idle / 4 < LongestPeriod ? idle / 4 : LongestPeriod;
}
