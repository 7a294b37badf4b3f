using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine;

/// <summary>
/// Failure isolation: an exception inside one connection (a bug, a toxic that throws) ends that connection
/// alone, with RST to both peers, reported once with its id; the listener and every other connection go on.
/// And what <see cref="ConnectionSweep"/> finds: a held peer that reset, an idle connection.
/// </summary>
internal sealed partial class RelayConnection
{
    private int _faulted;
    private long _sweptBytes; // these three: only the listener's sweep touches them
    private long _sweptSince;
    private bool _closedIdle;

    /// <summary>
    /// The listener's sweep, once a period. When nothing moved since the last look, look for a peer that reset
    /// while a toxic held its direction; once nothing moved for the proxy's <c>idle_timeout</c>, close, between
    /// 1 and 1.25 times the timeout after the last byte. Time held by a toxic counts as idle.
    /// </summary>
    internal void Sweep(long now)
    {
        var moved = BytesUpstream + BytesDownstream;
        if (moved != _sweptBytes)
        {
            (_sweptBytes, _sweptSince) = (moved, now);
            return;
        }
        CheckHeldPeers();
        if (!_closedIdle && _proxy.Limits.IdleTimeout is { } limit && Time.GetElapsedTime(_sweptSince, now) >= limit)
        {
            _closedIdle = true;
            CloseIdle();
        }
    }

    /// <summary>No byte moved either way for the proxy's <c>idle_timeout</c>: FIN to both sides, as a graceful stop.</summary>
    internal void CloseIdle() => CloseBoth(CloseReason.IdleTimeout);

    /// <summary>
    /// Nothing moved for a while. A peer that reset while a toxic held its direction (a hang, a long delay) went
    /// unnoticed, since nobody was reading its socket; the kernel shows its leg CLOSE. That is the RST it is: pass
    /// it on, as a relayed RST would be, rather than hold two sockets and an upstream connection for ever.
    /// A leg we already sent a FIN to is left alone: CLOSE there may be an orderly TIME_WAIT.
    /// </summary>
    internal void CheckHeldPeers()
    {
        foreach (var side in (Side[])[Side.Client, Side.Server])
        {
            if (Volatile.Read(ref _aborted) == 0 && (Volatile.Read(ref _finsSent) & (1 << (int)side)) == 0
                && SocketOf(side) is { } socket && TcpInfo.TryRead(socket) is { State: "CLOSE" })
            {
                OnHeldPeerReset(side);
            }
        }
    }

    private void OnHeldPeerReset(Side side)
    {
        RecordReason(side == Side.Client ? CloseReason.ClientReset : CloseReason.ServerReset);
        if (Interlocked.Exchange(ref _aborted, 1) == 1)
        {
            return;
        }
        Publish(new ResetReceived(_proxy.Now, _proxy.Name, Id, side));
        var other = side == Side.Client ? Side.Server : Side.Client;
        if (SocketOf(other) is { } otherSocket)
        {
            ResetSocket(otherSocket, other);
        }
        SocketOf(side)?.Dispose();
        ReleaseHolds();
    }

    internal void Fail(Exception ex)
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
