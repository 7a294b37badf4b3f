using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Chaos.Proxy.Engine.PassThrough;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Toxics;

namespace Chaos.Proxy.Engine;

/// <summary>
/// One accepted client and its upstream: dial, relay both directions faithfully, close. The lifecycle points
/// of DESIGN.md come in order: accept and connect in <see cref="RunAsync"/>, first_byte in the pumps, data in
/// <see cref="DirectionPipe"/>, fin and close in <see cref="ForwardFinAsync"/>. Toxics act at those points
/// (RelayConnection.Toxics.cs).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001",
    Justification = "_ending is cancelled asynchronously from other threads and has no timer; disposing it would race CancelAsync for nothing.")]
internal sealed partial class RelayConnection
{
    private const int NoReason = -1;

    private readonly ProxyContext _proxy;
    private readonly Socket _client;
    private readonly long _startTimestamp;
    private readonly CancellationTokenSource _ending = new();
    private volatile Socket? _server;
    private DataStages? _upstreamStages;
    private DataStages? _downstreamStages;
    private volatile bool _discarding;
    private volatile bool _passingThrough;
    private int _reason = NoReason;
    private int _aborted;
    private int _finsSent;
    private bool _closeSendsLastFin;
    private int _wroteAfterFin;
    private long _bytesUpstream;
    private long _bytesDownstream;

    public RelayConnection(ProxyContext proxy, Socket client, long id, PassThroughLoop? loop)
    {
        _proxy = proxy;
        _client = client;
        Id = id;
        Loop = loop;
        _startTimestamp = proxy.Bus.Time.GetTimestamp();
        _sweptSince = _startTimestamp;
        var clientAddress = (client.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        _selection = new ToxicSelection(proxy.Seed, proxy.Name, id, clientAddress);
    }

    public long Id { get; }

    /// <summary>The pass-through loop that accepted it, which dials it and relays it while it passes through; null on the managed path only.</summary>
    private PassThroughLoop? Loop { get; }

    /// <summary>The task running this connection; set by the listener that owns it.</summary>
    public Task Completion { get; set; } = Task.CompletedTask;

    public long BytesUpstream => Volatile.Read(ref _bytesUpstream);

    public long BytesDownstream => Volatile.Read(ref _bytesDownstream);

    private TimeProvider Time => _proxy.Bus.Time;

    public async Task RunAsync(CancellationToken stopping)
    {
        OnAccepted();
        try
        {
            if (await PassHandshakeAsync<IAcceptToxic>(toxic => toxic.OnAccept()) &&
                await PassHandshakeAsync<IConnectToxic>(toxic => toxic.OnConnect()) &&
                await ConnectUpstreamAsync(stopping) is { } server)
            {
                _server = server;
                var passed = await PassThroughAsync(server);
                var upstream = PumpAsync(_client, server, Direction.Upstream, passed.Upstream);
                var downstream = PumpAsync(server, _client, Direction.Downstream, passed.Downstream);
                if (!(upstream.IsCompletedSuccessfully && downstream.IsCompletedSuccessfully && passed.FinsForwarded.IsCompletedSuccessfully))
                {
                    // Only then: a connection the loop saw to its end has nothing left to wait for, and WhenAll allocates.
                    await Task.WhenAll(upstream, downstream, passed.FinsForwarded);
                }
                SampleTcpState("close");
                server.Dispose();
            }
            else if (Volatile.Read(ref _aborted) == 0)
            {
                await CloseClientAloneAsync();
            }
        }
#pragma warning disable CA1031 // a handshake toxic that throws ends this connection only (RelayConnection.Safety.cs)
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fail(ex);
        }
        finally
        {
            _server?.Dispose();
            _client.Dispose();
            OnClosed();
        }
    }

    /// <summary>Proxy stop: FIN to both peers, holds released, and the peers get the drain time to close.</summary>
    public void BeginStop() => CloseBoth(CloseReason.ProxyStopped);

    /// <summary>After the drain time: close whatever is left. Both sides already had their FIN.</summary>
    public void ForceClose()
    {
        _client.Dispose();
        _server?.Dispose();
    }

    private void OnAccepted()
    {
        if (!OperatingSystem.IsLinux())
        {
            _client.NoDelay = true; // elsewhere an accepted socket may not take it from the listener (ProxyListener.Bind)
        }
        Publish(new ConnectionAccepted(_proxy.Now, _proxy.Name, Id, _client.RemoteEndPoint!));
        SampleTcpState("accept");
    }

    private async ValueTask<Socket?> ConnectUpstreamAsync(CancellationToken stopping)
    {
        if (Observed<UpstreamConnecting>())
        {
            Publish(new UpstreamConnecting(_proxy.Now, _proxy.Name, Id, _proxy.UpstreamDisplay));
        }
        var started = Time.GetTimestamp();
        var dial = await UpstreamDialer.DialAsync(_proxy.UpstreamEndPoint, _proxy.Options.ConnectTimeout, Loop, stopping);
        var took = Time.GetElapsedTime(started);
        if (dial.Socket is { } socket)
        {
            if (Observed<UpstreamConnected>())
            {
                Publish(new UpstreamConnected(_proxy.Now, _proxy.Name, Id, UpstreamDialer.LocalEndPointOf(socket, _proxy.UpstreamEndPoint), took));
            }
            return socket;
        }

        RecordReason(dial.FailureReason);
        Publish(new UpstreamFailed(_proxy.Now, _proxy.Name, Id, dial.FailureReason, dial.Error, took));
        if (dial.FailureReason != CloseReason.ProxyStopped && Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            // The client's connect() already succeeded in the kernel; an RST is the closest thing to "refused".
            ResetSocket(_client, Side.Client);
        }
        return null;
    }

    /// <summary>
    /// While no toxic is published for the proxy, the pass-through loop relays the connection (Linux); it hands
    /// the connection back, with where each direction stands, when that changes.
    /// </summary>
    private Task<PassThroughExit> PassThroughAsync(Socket server)
    {
        // The token of the snapshot read first: if StaysPassThrough then sees a newer one, that token has fired.
        var toxicsChanged = Toxics.Replaced;
        return StaysPassThrough && Loop is { } loop
            ? loop.RelayAsync(this, _client, server, toxicsChanged)
            : Task.FromResult(PassThroughExit.NotEntered);
    }

    /// <summary>
    /// Whether the pass-through loop may go on relaying: nothing is ending the connection, and the proxy's toxics
    /// are none or delays only. The loop times delays with the system clock, so an injected clock (tests' fake
    /// time) keeps them on the managed relay, whose holds use that clock's timers.
    /// </summary>
    internal bool StaysPassThrough =>
        !_discarding && Volatile.Read(ref _aborted) == 0 && !_ending.IsCancellationRequested &&
        Toxics is var snapshot && (snapshot.Toxics.IsEmpty || (snapshot.OnlyDelays && Time == TimeProvider.System));

    /// <summary>The delay (in timestamp ticks) that the delay toxics acting in <paramref name="direction"/> give a chunk read now; 0 with none.</summary>
    internal long DelayOf(Direction direction)
    {
        var data = Toxics.Data(direction);
        return data.IsEmpty ? 0 : StagesFor(direction).DelayOf(data, Time.TimestampFrequency);
    }

    internal DataStages StagesFor(Direction direction) => direction == Direction.Upstream
        ? _upstreamStages ??= new DataStages(this, direction)
        : _downstreamStages ??= new DataStages(this, direction);

    /// <summary>Whether the pass-through loop relays the connection now.</summary>
    internal bool PassingThrough
    {
        get => _passingThrough;
        set => _passingThrough = value;
    }

    /// <summary>Cancelled when the connection is being ended from outside its pumps (stop, idle timeout, a fault).</summary>
    internal CancellationToken Ending => _ending.Token;

    /// <summary>
    /// Relays one direction, from where <paramref name="start"/> says it stands, until its FIN or the end of the
    /// connection. If it throws (a bug, a toxic), this connection alone is reset.
    /// </summary>
    private async Task PumpAsync(Socket from, Socket to, Direction direction, PumpStart start)
    {
        if (start.Done)
        {
            return;
        }
        var (fromSide, toSide) = direction == Direction.Upstream ? (Side.Client, Side.Server) : (Side.Server, Side.Client);
        byte[]? buffer = null;
        var seenData = start.SeenData;
        var filledBuffer = false;
        try
        {
            await using var pipe = new DirectionPipe(this, to, direction, toSide);
            if (!await ForwardHeldAsync(pipe, start.Held))
            {
                return;
            }
            if (start.FinRead)
            {
                await pipe.FinishAsync(fromSide);
                return;
            }
            while (true)
            {
                if (buffer is null || !filledBuffer)
                {
                    // Idle connections hold no buffer: wait for readability with a zero-byte receive first.
                    // Only after a receive that filled the buffer is more data likely waiting, so skip the wait.
                    ReturnBuffer(ref buffer);
                    if (await ReceiveAsync(from, Memory<byte>.Empty, fromSide) < 0)
                    {
                        return;
                    }
                    buffer = RelayBuffers.Rent(_proxy.Options.BufferSize);
                }

                var received = await ReceiveAsync(from, buffer, fromSide);
                filledBuffer = received == buffer.Length;
                if (received < 0)
                {
                    return;
                }
                if (received == 0)
                {
                    await pipe.FinishAsync(fromSide);
                    return;
                }
                if (_discarding)
                {
                    continue;
                }
                OnPassedThrough(fromSide, direction, firstChunk: !seenData);
                if (!seenData)
                {
                    seenData = true;
                    await PassFirstByteAsync(direction);
                    if (_discarding)
                    {
                        continue;
                    }
                }
                switch (await pipe.ForwardAsync(buffer, received, Now))
                {
                    case ForwardOutcome.Ended:
                        return;
                    case ForwardOutcome.Queued:
                        buffer = null; // the pipe owns it now and returns it to the pool
                        break;
                }
            }
        }
#pragma warning disable CA1031 // a pump that throws (a bug, a toxic) ends this connection only: RelayConnection.Safety.cs
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fail(ex);
        }
        finally
        {
            ReturnBuffer(ref buffer);
        }
    }

    /// <summary>
    /// Forwards the chunks the pass-through loop had read but not sent, in order, each as of when it was read (so a
    /// delay still counts from then). False when the receiver is gone.
    /// </summary>
    private static async Task<bool> ForwardHeldAsync(DirectionPipe pipe, HeldChunk[]? held)
    {
        for (var i = 0; i < held?.Length; i++)
        {
            switch (await pipe.ForwardAsync(held[i].Buffer, held[i].Count, held[i].ReceivedAt))
            {
                case ForwardOutcome.Sent:
                    RelayBuffers.Return(held[i].Buffer);
                    break;
                case ForwardOutcome.Ended:
                    foreach (var unsent in held.AsSpan(i))
                    {
                        RelayBuffers.Return(unsent.Buffer);
                    }
                    return false;
            }
        }
        return true;
    }

    /// <summary>Bytes read, 0 for a FIN, or -1 when this direction is over (peer reset, or we aborted).</summary>
    // Pooled: a receive that waits would otherwise allocate its state machine once per chunk.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveAsync(Socket from, Memory<byte> buffer, Side fromSide)
    {
        try
        {
            return await from.ReceiveAsync(buffer, SocketFlags.None);
        }
        catch (SocketException ex)
        {
            OnSocketFailed(fromSide, ex.SocketErrorCode);
            return -1;
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }

    /// <summary>Sends all of <paramref name="data"/>; false when the receiver is gone.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<bool> SendAsync(Socket to, ReadOnlyMemory<byte> data, Side toSide)
    {
        try
        {
            var length = data.Length;
            while (!data.IsEmpty)
            {
                data = data[await to.SendAsync(data, SocketFlags.None)..];
            }
            CountRelayed(toSide, length);
            return true;
        }
        catch (SocketException ex)
        {
            OnSocketFailed(toSide, ex.SocketErrorCode);
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    internal void CountRelayed(Side toSide, long count)
    {
        if (toSide == Side.Server)
        {
            Interlocked.Add(ref _bytesUpstream, count);
        }
        else
        {
            Interlocked.Add(ref _bytesDownstream, count);
        }
    }

    /// <summary>A chunk read from <paramref name="from"/>, before the first_byte point and the data point see it.</summary>
    internal void OnPassedThrough(Side from, Direction direction, bool firstChunk)
    {
        NoteWriteAfterFin(from);
        if (firstChunk)
        {
            if (Observed<FirstByte>())
            {
                Publish(new FirstByte(_proxy.Now, _proxy.Name, Id, direction));
            }
            SampleTcpState("first_byte");
        }
    }

    /// <summary>Data from a side we already passed a FIN to: a reaction worth knowing (once per side).</summary>
    private void NoteWriteAfterFin(Side from)
    {
        var bit = 1 << (int)from;
        if ((Volatile.Read(ref _finsSent) & bit) != 0 && (Interlocked.Or(ref _wroteAfterFin, bit) & bit) == 0)
        {
            Publish(new WroteAfterFin(_proxy.Now, _proxy.Name, Id, from));
        }
    }

    /// <summary>At most one FIN per side, however the stop, the toxics and the relay race.</summary>
    private void SendFin(Socket socket, Side to, bool lastOnLoop = false)
    {
        var bit = 1 << (int)to;
        if ((Interlocked.Or(ref _finsSent, bit) & bit) != 0)
        {
            return;
        }
        if (LastFinGoesWithClose(lastOnLoop))
        {
            _closeSendsLastFin = true;
            return;
        }
        if (SocketActions.TrySendFin(socket) && Observed<FinSent>())
        {
            Publish(new FinSent(_proxy.Now, _proxy.Name, Id, to));
        }
    }

    /// <summary>
    /// Whether the connection's last FIN may go out with the close instead of a shutdown of its own: the loop forwards
    /// it on its own thread and closes both sockets straight after (<see cref="CloseIfLastFinWaits"/>), so no other
    /// thread holds a socket then (.NET closes a socket abortively, with an RST, if one does); both sockets were read to
    /// their FIN, so close() sends a FIN, not an RST; and nothing records the moment apart (TCP state samples, FIN-sent
    /// events). One system call fewer for every connection. A kept-alive connection that moved to another loop is not
    /// on <see cref="Loop"/>'s thread and keeps its shutdown: safe, and its close is a small share of its cost.
    /// </summary>
    private bool LastFinGoesWithClose(bool lastOnLoop) =>
        lastOnLoop && Loop is { OnOwnThread: true } && !_proxy.Options.SampleTcpState && !Observed<FinSent>();

    /// <summary>The loop finished the connection: where its last FIN waits for the close, both sockets close now, on the loop's thread.</summary>
    internal void CloseIfLastFinWaits()
    {
        if (_closeSendsLastFin)
        {
            SocketActions.CloseDrained(_server!);
            SocketActions.CloseDrained(_client);
        }
    }

    /// <summary>A peer reset (or its socket died): pass the RST on to the other peer, once.</summary>
    internal void OnSocketFailed(Side failed, SocketError error)
    {
        if (error == SocketError.OperationAborted || Volatile.Read(ref _aborted) == 1)
        {
            return; // our own abort woke this operation up
        }
        var isReset = SocketActions.IsPeerReset(error);
        RecordReason(!isReset ? CloseReason.Error : failed == Side.Client ? CloseReason.ClientReset : CloseReason.ServerReset);
        if (Interlocked.Exchange(ref _aborted, 1) == 1)
        {
            return;
        }

        Publish(new ResetReceived(_proxy.Now, _proxy.Name, Id, failed));
        var (failedSocket, otherSocket, otherSide) = failed == Side.Client
            ? (_client, _server!, Side.Server)
            : (_server!, _client, Side.Client);
        ResetSocket(otherSocket, otherSide);
        failedSocket.Dispose();
        ReleaseHolds();
    }

    /// <summary>The kernel's view of each leg that exists (skipped quietly where TCP_INFO is not available).</summary>
    internal void SampleTcpState(string moment)
    {
        if (!_proxy.Options.SampleTcpState)
        {
            return;
        }
        Sample(_client, Side.Client);
        if (_server is { } server)
        {
            Sample(server, Side.Server);
        }

        void Sample(Socket socket, Side side)
        {
            if (TcpInfo.TryRead(socket) is { } info)
            {
                Publish(new TcpStateSampled(_proxy.Now, _proxy.Name, Id, side, moment, info.State, info.Retransmits, info.Rtt, info.Unacked));
            }
        }
    }

    private void ResetSocket(Socket socket, Side side)
    {
        SocketActions.Reset(socket);
        Publish(new ResetSent(_proxy.Now, _proxy.Name, Id, side));
    }

    private void OnClosed()
    {
        var reason = _reason == NoReason ? CloseReason.Completed : (CloseReason)_reason;
        Publish(new ConnectionClosed(_proxy.Now, _proxy.Name, Id, reason, Time.GetElapsedTime(_startTimestamp), BytesUpstream, BytesDownstream));
    }

    private void RecordReason(CloseReason reason) => Interlocked.CompareExchange(ref _reason, (int)reason, NoReason);

    internal void Publish(ChaosEvent chaosEvent) => _proxy.Bus.Publish(chaosEvent);

    /// <summary>Whether anything reads this kind of event: the relay asks before making those a plain run never reads.</summary>
    private bool Observed<TEvent>() where TEvent : ChaosEvent => _proxy.Bus.Observes<TEvent>();

    private static void ReturnBuffer(ref byte[]? buffer)
    {
        if (buffer is not null)
        {
            RelayBuffers.Return(buffer);
            buffer = null;
        }
    }
}
