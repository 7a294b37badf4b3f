namespace Chaos.Proxy.Engine;

/// <summary>
/// Looks after one connection from the side, without touching the data path: it reads the relayed byte counts
/// once a period (1 s, or a quarter of the idle timeout if shorter). When nothing moved for a period, it asks the
/// connection to look for a peer that reset while a toxic held its direction (nobody was reading its socket to
/// notice); and once nothing moved for the proxy's <c>idle_timeout</c>, it closes the connection, between 1 and
/// 1.25 times the timeout after the last byte. Time held by a toxic counts as idle.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001",
    Justification = "_stop has no timer; the watch task may still read its token after Stop, so it is never disposed.")]
internal sealed class ConnectionWatch
{
    private static readonly TimeSpan LongestPeriod = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _stop = new();

    private ConnectionWatch()
    {
    }

    public static ConnectionWatch Start(RelayConnection connection, TimeSpan? idleTimeout, TimeProvider time)
    {
        var watch = new ConnectionWatch();
        _ = WatchAsync(connection, idleTimeout, time, watch._stop.Token);
        return watch;
    }

    public void Stop() => _stop.Cancel();

    private static async Task WatchAsync(RelayConnection connection, TimeSpan? idleTimeout, TimeProvider time, CancellationToken stop)
    {
        var period = idleTimeout is { } idle && idle / 4 < LongestPeriod ? idle / 4 : LongestPeriod;
        var moved = Moved(connection);
        var since = time.GetTimestamp();
        try
        {
            while (true)
            {
                await Task.Delay(period, time, stop);
                if (Moved(connection) is var now && now != moved)
                {
                    (moved, since) = (now, time.GetTimestamp());
                    continue;
                }
                connection.CheckHeldPeers();
                if (idleTimeout is { } limit && time.GetElapsedTime(since) >= limit)
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
