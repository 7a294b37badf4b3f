using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine;

/// <summary>
/// Failure isolation: an exception inside one connection (a bug, a toxic that throws) ends that connection
/// alone, with RST to both peers, reported once with its id; the listener and every other connection go on.
/// And the idle timeout's close (<see cref="IdleWatch"/>).
/// </summary>
internal sealed partial class RelayConnection
{
    private int _faulted;

    /// <summary>Runs one pump; if it throws, the connection is reset so the other pump ends too.</summary>
    private async Task IsolatedAsync(Task pump)
    {
        try
        {
            await pump;
        }
#pragma warning disable CA1031 // any exception here is this connection's failure, and must stay its own
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fail(ex);
        }
    }

    /// <summary>No byte moved either way for the proxy's <c>idle_timeout</c>: FIN to both sides, as a graceful stop.</summary>
    internal void CloseIdle() => CloseBoth(CloseReason.IdleTimeout);

    private void Fail(Exception ex)
    {
        if (Interlocked.Exchange(ref _faulted, 1) == 1)
        {
            return;
        }
        RecordReason(CloseReason.Error);
        Publish(new ConnectionFaulted(_proxy.Now, _proxy.Name, Id, $"{ex.GetType().Name}: {ex.Message}"));
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            ResetSocket(_client, Side.Client);
            if (_server is { } server)
            {
                ResetSocket(server, Side.Server);
            }
        }
        ReleaseHolds();
    }
}
