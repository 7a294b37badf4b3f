namespace Chaos.Proxy.Engine;

/// <summary>
/// A proxy's <c>idle_timeout</c> for one connection: it looks at the relayed byte counts every quarter of the
/// timeout, so it costs the data path nothing, and closes the connection once no byte has moved either way for
/// the whole timeout (so between 1 and 1.25 times the timeout after the last byte). Time held by a toxic counts
/// as idle too: a scenario that tests hangs leaves idle_timeout unset.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001",
    Justification = "_stop has no timer; the watch task may still read its token after Stop, so it is never disposed.")]
internal sealed class IdleWatch
{
    private readonly CancellationTokenSource _stop = new();

    private IdleWatch()
    {
    }

    /// <summary>Starts watching; null when the proxy has no idle timeout.</summary>
    public static IdleWatch? Start(RelayConnection connection, TimeSpan? timeout, TimeProvider time)
    {
        if (timeout is not { } limit)
        {
            return null;
        }
        var watch = new IdleWatch();
        _ = WatchAsync(connection, limit, time, watch._stop.Token);
        return watch;
    }

    public void Stop() => _stop.Cancel();

    private static async Task WatchAsync(RelayConnection connection, TimeSpan timeout, TimeProvider time, CancellationToken stop)
    {
        var moved = Moved(connection);
        var since = time.GetTimestamp();
        try
        {
            while (true)
            {
                await Task.Delay(timeout / 4, time, stop);
                if (Moved(connection) is var now && now != moved)
                {
                    (moved, since) = (now, time.GetTimestamp());
                }
                else if (time.GetElapsedTime(since) >= timeout)
                {
                    connection.CloseIdle();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The connection ended first.
        }
    }

    private static long Moved(RelayConnection connection) => connection.BytesUpstream + connection.BytesDownstream;
}
