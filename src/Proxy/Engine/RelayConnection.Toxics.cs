using System.Net.Sockets;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Toxics;
using Chaos.Scenarios;

namespace Chaos.Proxy.Engine;

/// <summary>How a hold ended: its time came, its toxic was removed, or the connection is ending.</summary>
internal enum HoldOutcome { Elapsed, Released, Aborted }

/// <summary>The hook points where toxics act, and the shared actions that carry out their decisions.</summary>
internal sealed partial class RelayConnection
{
    private readonly ToxicSelection _selection;
    private int _closeHookRan;

    internal bool Discarding => _discarding;

    internal long Now => Time.GetTimestamp();

    internal ToxicSnapshot Toxics => _proxy.Toxics.Current;

    internal ToxicSelection Selection => _selection;

    internal string ProxyName => _proxy.Name;

    /// <summary>True when a data toxic in this direction acts on this connection now.</summary>
    internal bool HasDataToxics(Direction direction)
    {
        var data = Toxics.Data(direction);
        return !data.IsEmpty && data.Any(_selection.IsSelected);
    }

    /// <summary>
    /// The toxics of a kind that act on this connection now (in a direction, where it matters), in order. A proxy
    /// with no toxics, the common case, costs no allocation here: these run several times per connection.
    /// </summary>
    private IEnumerable<(ActiveToxic Toxic, T Behaviour)> Acting<T>(ToxicSnapshot snapshot, Direction? direction = null) where T : IToxic =>
        snapshot.Toxics.IsEmpty ? [] : snapshot.At<T>(direction).Where(pair => _selection.IsSelected(pair.Toxic));

    /// <summary>Accept and connect points: only the client exists yet. False when the connection ended here.</summary>
    private async Task<bool> PassHandshakeAsync<T>(Func<T, Decision> decide) where T : IToxic
    {
        foreach (var (toxic, behaviour) in Acting<T>(Toxics))
        {
            if (!await ActAsync(toxic, decide(behaviour), EndClient))
            {
                return false;
            }
        }
        return !_discarding && Volatile.Read(ref _aborted) == 0;
    }

    /// <summary>The first chunk in a direction: it may be held, or end the connection (both sides) before it is forwarded.</summary>
    private async Task PassFirstByteAsync(Direction direction)
    {
        foreach (var (toxic, behaviour) in Acting<IFirstByteToxic>(Toxics, direction))
        {
            if (!await ActAsync(toxic, behaviour.OnFirstByte(), EndBoth))
            {
                return;
            }
        }
    }

    /// <summary>
    /// The fin point (and the close point, on the connection's first FIN): a side half-closed. By default the
    /// FIN goes on as Shutdown(Send) and the other direction keeps flowing.
    /// </summary>
    internal async Task ForwardFinAsync(Side from, Direction direction, bool lastOnLoop = false)
    {
        Publish(new FinReceived(_proxy.Now, _proxy.Name, Id, from));
        SampleTcpState("fin");
        if (_discarding || Volatile.Read(ref _aborted) == 1)
        {
            return;
        }
        var to = from == Side.Client ? Side.Server : Side.Client;
        var snapshot = Toxics;
        if (Interlocked.Exchange(ref _closeHookRan, 1) == 0)
        {
            foreach (var (toxic, behaviour) in Acting<ICloseToxic>(snapshot))
            {
                if (!await ActAsync(toxic, behaviour.OnClose(), EndBoth))
                {
                    return;
                }
            }
        }
        foreach (var (toxic, behaviour) in Acting<IFinToxic>(snapshot, direction))
        {
            var receiver = to; // captured here, so a FIN with no fin toxic allocates no closure
            if (!await ActAsync(toxic, behaviour.OnFin(), kind => EndReceiver(kind, receiver)))
            {
                return;
            }
        }
        SendFin(SocketOf(to), to, lastOnLoop);
    }

    /// <summary>
    /// Carries out one decision: report it, hold for its delay (or until the toxic is removed, for a hang), then
    /// end the connection through <paramref name="end"/> if it says so. True when the connection goes on.
    /// </summary>
    internal async Task<bool> ActAsync(ActiveToxic toxic, Decision decision, Action<DecisionKind> end)
    {
        Publish(new ToxicActed(_proxy.Now, _proxy.Name, Id, toxic.Name, toxic.Spec.Type, toxic.Point, toxic.Direction, decision.Describe()));
        SampleTcpState("fault");
        var deadline = decision.Kind == DecisionKind.Hang ? long.MaxValue : Time.GetTimestamp() + (long)(decision.Delay.TotalSeconds * Time.TimestampFrequency);
        switch (await HoldUntilAsync(deadline, snapshot => snapshot.Contains(toxic.Id)))
        {
            case HoldOutcome.Aborted:
                return false;
            case HoldOutcome.Released:
                Publish(new ToxicReleased(_proxy.Now, _proxy.Name, Id, toxic.Name));
                return true;
        }
        if (decision.Kind is DecisionKind.CloseWithFin or DecisionKind.ResetWithRst)
        {
            end(decision.Kind);
            return false;
        }
        return true;
    }

    /// <summary>
    /// Waits until <paramref name="deadline"/> (a timestamp; <see cref="long.MaxValue"/> for ever) unless what
    /// holds it goes away first: each published snapshot wakes the hold to check <paramref name="stillHeld"/>.
    /// </summary>
    internal async Task<HoldOutcome> HoldUntilAsync(long deadline, Func<ToxicSnapshot, bool> stillHeld)
    {
        var forever = deadline == long.MaxValue;
        while (true)
        {
            // Compared with the clock itself, never with a TimeSpan sentinel: Timeout.InfiniteTimeSpan is -1 ms,
            // and a deadline that passed exactly 1 ms ago once turned into a wait without end.
            if (!forever && Time.GetTimestamp() >= deadline)
            {
                return HoldOutcome.Elapsed;
            }
            var snapshot = Toxics;
            if (!stillHeld(snapshot))
            {
                return HoldOutcome.Released;
            }
            if (_ending.IsCancellationRequested)
            {
                return HoldOutcome.Aborted;
            }
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(snapshot.Replaced, _ending.Token);
            try
            {
                await WaitUntilAsync(forever ? null : deadline, wake.Token);
            }
            catch (OperationCanceledException) when (!_ending.IsCancellationRequested)
            {
                // A new snapshot: look again whether the toxic is still there.
            }
            catch (OperationCanceledException)
            {
                return HoldOutcome.Aborted;
            }
        }
    }

    /// <summary>The precise timer for real time; the injected provider's own timers for any other (fake time in tests).</summary>
    private Task WaitUntilAsync(long? deadline, CancellationToken wake) => deadline switch
    {
        null => Task.Delay(Timeout.InfiniteTimeSpan, wake),
        { } due when Time == TimeProvider.System => PreciseTimer.Shared.WaitUntilAsync(due, wake),
        { } due => Task.Delay(Time.GetElapsedTime(Time.GetTimestamp(), due), Time, wake),
    };

    /// <summary>End with FIN (then read and drop until the peers close) or RST, on both sides.</summary>
    internal void EndBoth(DecisionKind kind)
    {
        if (kind == DecisionKind.CloseWithFin)
        {
            CloseBoth(CloseReason.ToxicClosed);
            return;
        }
        RecordReason(CloseReason.ToxicReset);
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            ResetSocket(_client, Side.Client);
            if (_server is { } server)
            {
                ResetSocket(server, Side.Server);
            }
            ReleaseHolds();
        }
    }

    private void EndClient(DecisionKind kind)
    {
        if (kind == DecisionKind.CloseWithFin)
        {
            RecordReason(CloseReason.ToxicClosed);
            return; // RunAsync closes the client with FIN and drains it
        }
        RecordReason(CloseReason.ToxicReset);
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            ResetSocket(_client, Side.Client);
        }
    }

    /// <summary>fin_reset: the side that would have got the FIN gets an RST; the side that sent it gets a FIN back.</summary>
    private void EndReceiver(DecisionKind kind, Side receiver)
    {
        RecordReason(CloseReason.ToxicReset);
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            var sender = receiver == Side.Client ? Side.Server : Side.Client;
            ResetSocket(SocketOf(receiver), receiver);
            SendFin(SocketOf(sender), sender);
            ReleaseHolds();
        }
    }

    private void CloseBoth(CloseReason reason)
    {
        RecordReason(reason);
        if (_discarding)
        {
            return;
        }
        _discarding = true;
        SendFin(_client, Side.Client);
        if (_server is { } server)
        {
            SendFin(server, Side.Server);
        }
        ReleaseHolds();
        _ = ForceCloseAfterDrainAsync();
    }

    /// <summary>Peers get the drain time to close after our FIN; a peer that never does must not keep the connection for ever.</summary>
    private async Task ForceCloseAfterDrainAsync()
    {
        await Task.Delay(_proxy.Options.DrainTimeout, Time);
        ForceClose();
    }

    /// <summary>Wakes every hold of this connection; on the thread pool, so the caller (maybe the control path) never runs connection code.</summary>
    private void ReleaseHolds() => _ = _ending.CancelAsync();

    /// <summary>After a close decision before any upstream: FIN, then read and drop until the client closes, so unread input does not turn the close into an RST.</summary>
    private async Task CloseClientAloneAsync()
    {
        RecordReason(CloseReason.ToxicClosed);
        SendFin(_client, Side.Client);
        using var drain = new CancellationTokenSource(_proxy.Options.DrainTimeout);
        var scratch = new byte[4096];
        try
        {
            while (await _client.ReceiveAsync(scratch, SocketFlags.None, drain.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client reset, or did not close within the drain time: the socket is closed either way.
        }
    }

    private Socket SocketOf(Side side) => side == Side.Client ? _client : _server!;
}
