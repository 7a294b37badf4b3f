using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine.PassThrough;

/// <summary>
/// Relays connections that no toxic touches but delays, on one thread of its own over epoll (Linux): per chunk
/// one epoll_wait share, one recv and one send, into one shared buffer; a chunk that a latency toxic delays (or
/// that the receiver will not take yet) is copied aside and sent when due, the wait for the earliest due chunk
/// being epoll's timeout. .NET's asynchronous socket operations cost
/// three to four times haproxy's user time per relayed request (README, Performance); this is the part of chaos
/// that competes with haproxy. The connection stays a <see cref="RelayConnection"/>: its events, byte counts,
/// FIN forwarding and reset handling are the same calls the managed pumps make. The moment the proxy's toxics
/// change, or the connection is being ended from outside (stop, idle timeout, a fault), the loop hands it back to
/// the managed pumps at a chunk boundary, with the chunks it still held.
/// </summary>
internal sealed unsafe partial class PassThroughLoop
{
    private const int BatchSize = 256;
    private const int BufferSize = 128 * 1024;
    private const ulong WakeToken = ulong.MaxValue;
    private const int BusyAfterChunks = 64;

    /// <summary>
    /// A connection's sockets are watched for edges. Level-triggered, a direction that had read its FIN had to leave
    /// the set, or epoll would report the socket over and over: an epoll_ctl for every short connection (its client's
    /// FIN). Edges stay quiet after the FIN. Read edges are dropped only while a direction pauses (back-pressure, a full
    /// delay line), so that arriving data does not wake the loop for nothing; write edges, once added, stay.
    /// </summary>
    private const uint Edges = LinuxCalls.PeerClosed | LinuxCalls.EdgeTriggered;

    private static readonly Lazy<PassThroughLoop[]> s_loops = new(StartAll);

    /// <summary>
    /// Whether what waits on the loop (a connection's relay, an accept, a dial) goes on on the loop's thread. Only
    /// where .NET's own socket completions run inline too (the CLI sets that): a library user's test code awaiting
    /// a proxy's stop must never end up running on, and maybe blocking, the thread that relays every connection.
    /// </summary>
    public static TaskCreationOptions Continuations { get; } =
        Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1"
            ? TaskCreationOptions.None
            : TaskCreationOptions.RunContinuationsAsynchronously;
    private static int s_nextForBusy;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly ConcurrentQueue<LoopedConnection> _handbacks = new();
    private readonly ConcurrentQueue<LoopedConnection> _arrivals = new();
    private readonly Lock _slotsLock = new();
    private readonly Stack<int> _freeSlots = new();
    private readonly List<int> _retiring = [];
    private readonly PriorityQueue<LoopedConnection, long> _timers = new();
    private readonly Queue<(LoopedConnection Connection, LoopDirection Direction)> _readAgain = new();
    private object?[] _slots = new object?[256]; // a LoopedConnection, or a ReadinessWait
    private int _slotsUsed;
    private int _threadId;
    private byte* _firstRead; // pinned for the loop's life

    private PassThroughLoop(int epoll, int wake)
    {
        _epoll = epoll;
        _wake = wake;
    }

    /// <summary>
    /// One loop per core, started on first use; empty where loops cannot run (not Linux, or epoll unavailable). Each
    /// accepts from every listener, and a connection is dialled and first relayed by the loop that accepted it. A busy
    /// connection (see IsBusy) moves once to the next loop in turn, so bulk transfers and kept-alive clients use every
    /// core, while short connections stay on the thread that accepted them.
    /// </summary>
    public static IReadOnlyList<PassThroughLoop> All => s_loops.Value;

    /// <summary>
    /// Relays <paramref name="client"/> and <paramref name="server"/> until both FINs went on, a peer reset, or the
    /// connection is handed back; the result says where each direction stands.
    /// </summary>
    public Task<PassThroughExit> RelayAsync(RelayConnection owner, Socket client, Socket server, CancellationToken toxicsChanged)
    {
        var connection = TakeSlot(owner, client, server);
        connection.ToxicsChanged = toxicsChanged;
        owner.PassingThrough = true; // before the loop may see it, and so before it may leave
        Arrive(connection);
        return connection.Exit.Task;
    }

    /// <summary>
    /// Hands a connection to the loop's thread, which puts its sockets in the epoll set. Only that thread changes a
    /// connection's registrations: registered from another thread, the loop could handle the client socket's first
    /// events, and change both registrations, before the server socket was in the set; a bulk transfer then
    /// stalled for good, about one in 25 (seen with a connection moving to another loop). On that thread (the CLI's
    /// accept and dial) it enters at once, so a new client's request follows the upstream connect within
    /// microseconds, not after the rest of the batch: the server wakes for both at once (+2% connections/s).
    /// Its first read then goes to a buffer of its own, as the batch's chunk buffer may be in use further up.
    /// </summary>
    private void Arrive(LoopedConnection connection)
    {
        if (OnOwnThread)
        {
            Enter(connection, _firstRead);
            return;
        }
        _arrivals.Enqueue(connection);
        LinuxCalls.Wake(_wake);
    }

    /// <summary>
    /// An arrived connection joins the epoll set; if a socket closed meanwhile it leaves at once, to the managed pumps
    /// that end it. A new one's client is read at once.
    /// </summary>
    private void Enter(LoopedConnection connection, byte* chunk)
    {
        if (!Register(connection))
        {
            Leave(connection, handBack: true);
            return;
        }
        connection.WatchForHandback();
        if (!connection.Upstream.SeenData)
        {
            // A new client has usually sent its request by the time it is accepted (haproxy reads at once too): relayed
            // now, it reaches the server along with its connection rather than one epoll round later, and the
            // server's thread wakes once, not twice (redis-benchmark without keep-alive: +4% connections/s).
            OnReady(connection, Side.Client, LinuxCalls.Readable, chunk);
        }
    }

    /// <summary>Whether the caller runs on the loop's thread.</summary>
    public bool OnOwnThread => Environment.CurrentManagedThreadId == Volatile.Read(ref _threadId);

    public void RequestHandback(LoopedConnection connection)
    {
        if (!connection.Left)
        {
            _handbacks.Enqueue(connection);
            LinuxCalls.Wake(_wake);
        }
    }

    private static PassThroughLoop[] StartAll() =>
        LinuxCalls.Supported
            ? [.. Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Start()).TakeWhile(loop => loop is not null).Select(loop => loop!)]
            : [];

    private static PassThroughLoop? Start()
    {
        var epoll = LinuxCalls.CreateEpoll();
        var wake = epoll < 0 ? -1 : LinuxCalls.CreateWakeEvent();
        if (wake < 0 || !LinuxCalls.Watch(epoll, wake, LinuxCalls.Readable, WakeToken))
        {
            return null;
        }
        var loop = new PassThroughLoop(epoll, wake);
        new Thread(loop.Run) { IsBackground = true, Name = "chaos pass-through" }.Start();
        return loop;
    }

    private void Run()
    {
        Volatile.Write(ref _threadId, Environment.CurrentManagedThreadId);
        var events = new byte[LinuxCalls.EventSize * BatchSize];
        var buffer = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
        var firstRead = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
        fixed (byte* ready = events)
        fixed (byte* chunk = buffer)
        fixed (byte* first = firstRead)
        {
            _firstRead = first;
            while (true)
            {
                var count = LinuxCalls.Wait(_epoll, ready, BatchSize, _readAgain.Count > 0 ? TimeSpan.Zero : TimeToNextDue());
                for (var i = 0; i < count; i++)
                {
                    var token = LinuxCalls.TokenAt(ready, i);
                    if (token == WakeToken)
                    {
                        LinuxCalls.DrainWake(_wake);
                    }
                    else
                    {
                        switch (Volatile.Read(ref _slots)[(int)(token >> 1)])
                        {
                            case LoopedConnection { Left: false } connection:
                                OnReady(connection, (token & 1) == 0 ? Side.Client : Side.Server, LinuxCalls.EventsAt(ready, i), chunk);
                                break;
                            case ReadinessWait wait:
                                EndWait(wait, ready: true);
                                break;
                            case ListenerWatch watch:
                                watch.OnReadable();
                                break;
                        }
                    }
                }
                RunDueTimers();
                ReadAgain(chunk);
                while (_arrivals.TryDequeue(out var arrived))
                {
                    Enter(arrived, chunk);
                }
                while (_handbacks.TryDequeue(out var connection))
                {
                    if (!connection.Left)
                    {
                        Leave(connection, handBack: true);
                    }
                }
                while (_waitsEnded.TryDequeue(out var wait))
                {
                    EndWait(wait, ready: false);
                }
                while (_slotsToRetire.TryDequeue(out var slot))
                {
                    _retiring.Add(slot);
                }
                // Only now: an event later in the same batch must not reach a new connection in a reused slot.
                ReleaseRetiredSlots();
            }
        }
    }

    private void OnReady(LoopedConnection connection, Side side, uint events, byte* chunk)
    {
        try
        {
            var (reading, writing) = (connection.ReadingFrom(side), connection.SendingTo(side));
            if ((events & (LinuxCalls.Readable | LinuxCalls.Error | LinuxCalls.HangUp)) != 0)
            {
                reading.SenderReadable = true;
            }
            if ((events & (LinuxCalls.PeerClosed | LinuxCalls.Error | LinuxCalls.HangUp)) != 0)
            {
                reading.SenderEnded = true;
            }
            if (writing.Blocked && (events & (LinuxCalls.Writable | LinuxCalls.Error | LinuxCalls.HangUp)) != 0 && !Flush(connection, writing))
            {
                return;
            }
            if (reading.Reading && reading.SenderReadable && !Relay(connection, reading, chunk))
            {
                return;
            }
            Settle(connection);
        }
#pragma warning disable CA1031 // a bug on one connection ends that connection only, never the loop every other connection runs on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Crashed(connection, ex);
        }
    }

    /// <summary>A held chunk of the connection may be due: send what is.</summary>
    private void OnDue(LoopedConnection connection, long due)
    {
        try
        {
            foreach (var direction in (ReadOnlySpan<LoopDirection>)[connection.Upstream, connection.Downstream])
            {
                if (direction.ScheduledFor <= due)
                {
                    direction.ScheduledFor = 0;
                }
            }
            if (Flush(connection, connection.Upstream) && Flush(connection, connection.Downstream))
            {
                Settle(connection);
            }
        }
#pragma warning disable CA1031 // as in OnReady
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Crashed(connection, ex);
        }
    }

    private void Settle(LoopedConnection connection)
    {
        if (connection.Finished)
        {
            Leave(connection, handBack: false);
            return;
        }
        foreach (var side in (ReadOnlySpan<Side>)[Side.Client, Side.Server])
        {
            Rewatch(connection, side);
            var reading = connection.ReadingFrom(side);
            if (reading.Reading && reading.SenderReadable && !reading.Requeued)
            {
                // No edge will come for what is already waiting: read it after this round, as a level-triggered epoll would report it.
                reading.Requeued = true;
                _readAgain.Enqueue((connection, reading));
            }
        }
    }

    /// <summary>The directions that were left readable in the last round, one chunk each: those queued before it, not those it queued.</summary>
    private void ReadAgain(byte* chunk)
    {
        for (var count = _readAgain.Count; count > 0; count--)
        {
            var (connection, direction) = _readAgain.Dequeue();
            direction.Requeued = false;
            if (!connection.Left)
            {
                OnReady(connection, direction.FromSide, 0, chunk);
            }
        }
    }

    private void Crashed(LoopedConnection connection, Exception ex)
    {
        connection.Owner.Fail(ex);
        if (!connection.Left)
        {
            Leave(connection, handBack: false);
        }
    }

    /// <summary>How long epoll may wait: until the earliest held chunk is due, or (null) for events only.</summary>
    private TimeSpan? TimeToNextDue() =>
        _timers.TryPeek(out _, out var due) ? Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due) : null;

    private void RunDueTimers()
    {
        while (_timers.TryPeek(out var connection, out var due) && due <= Stopwatch.GetTimestamp())
        {
            _timers.Dequeue();
            if (!connection.Left)
            {
                OnDue(connection, due);
            }
        }
    }

    /// <summary>Wakes the loop when the held chunk is due, unless a timer for that time is set already.</summary>
    private void Schedule(LoopedConnection connection, LoopDirection direction, long due)
    {
        if (direction.ScheduledFor != due)
        {
            direction.ScheduledFor = due;
            _timers.Enqueue(connection, due);
        }
    }

    /// <summary>Reads one chunk and sends it on. False when the connection left the loop.</summary>
    private bool Relay(LoopedConnection connection, LoopDirection direction, byte* chunk)
    {
        if (!connection.Owner.StaysPassThrough)
        {
            Leave(connection, handBack: true);
            return false;
        }
        var received = LinuxCalls.Receive(direction.From, chunk, BufferSize, out var error);
        // Less than asked for: the socket was drained then, so what comes next brings an edge; unless its FIN or an error
        // had come already, which a read of the data before it leaves waiting.
        direction.SenderReadable = received == BufferSize || (received > 0 && direction.SenderEnded);
        if (received < 0)
        {
            return error == SocketError.WouldBlock || Failed(connection, direction.FromSide, error);
        }
        if (received == 0)
        {
            direction.FinRead = true;
            if (!direction.HasHeld)
            {
                ForwardFin(connection, direction);
            }
            return true;
        }
        connection.Owner.OnPassedThrough(direction.FromSide, direction.Direction, firstChunk: !direction.SeenData);
        direction.SeenData = true;
        var delay = connection.Owner.DelayOf(direction.Direction);
        if (direction.HasHeld || delay > 0)
        {
            // Behind held chunks, or delayed itself: it waits its turn in a buffer of its own.
            var now = connection.Owner.Now;
            direction.Hold(new ReadOnlySpan<byte>(chunk, received), now, now + delay);
            return Flush(connection, direction) && !(IsBusy(connection, received) && MoveToNextLoop(connection));
        }
        var sent = SendAll(connection, direction, chunk, received);
        if (sent < 0)
        {
            return false;
        }
        if (sent < received)
        {
            var now = connection.Owner.Now;
            direction.Hold(new ReadOnlySpan<byte>(chunk + sent, received - sent), now, now);
            direction.Blocked = true;
        }
        return !(IsBusy(connection, received) && MoveToNextLoop(connection));
    }

    private static void ForwardFin(LoopedConnection connection, LoopDirection direction)
    {
        (direction.FinRead, direction.Done) = (false, true);
        // The other way's FIN went already (none held back): the connection ends with this one.
        var last = connection.Finished && connection.Fins is null;
        var fin = connection.Owner.ForwardFinAsync(direction.FromSide, direction.Direction, last);
        if (!fin.IsCompletedSuccessfully)
        {
            (connection.Fins ??= []).Add(fin);
        }
    }

    /// <summary>
    /// A connection worth spreading over the loops: a read filled the buffer (a bulk transfer), or it has relayed
    /// <see cref="BusyAfterChunks"/> chunks (kept-alive request-response traffic). A short connection never is, so it
    /// pays no hand-over between threads; kept-alive ones no longer all share the accepting loop's thread.
    /// </summary>
    private static bool IsBusy(LoopedConnection connection, int received) =>
        received == BufferSize || ++connection.ChunksRelayed == BusyAfterChunks;

    /// <summary>Gives a busy connection, once, to the next loop in turn. True when it moved.</summary>
    private bool MoveToNextLoop(LoopedConnection connection)
    {
        var loops = s_loops.Value;
        if (connection.Spread || loops.Length < 2 || connection.Upstream.HasHeld || connection.Downstream.HasHeld)
        {
            return false;
        }
        // In turn over all loops, this one included: with two, every other busy connection stays.
        connection.Spread = true;
        var target = loops[(int)((uint)Interlocked.Increment(ref s_nextForBusy) % (uint)loops.Length)];
        if (target == this)
        {
            return false;
        }
        Detach(connection);
        target.Adopt(connection);
        return true;
    }

    /// <summary>Adds both sockets to the epoll set. False (and neither in the set) if a socket is closed.</summary>
    private bool Register(LoopedConnection connection)
    {
        var client = EdgesFor(connection, Side.Client, 0);
        var server = EdgesFor(connection, Side.Server, 0);
        if (!LinuxCalls.Rewatch(_epoll, connection.Client, 0, client, Token(connection.Slot, Side.Client)))
        {
            return false;
        }
        if (!LinuxCalls.Rewatch(_epoll, connection.Server, 0, server, Token(connection.Slot, Side.Server)))
        {
            LinuxCalls.Rewatch(_epoll, connection.Client, client, 0, 0);
            return false;
        }
        (connection.ClientEvents, connection.ServerEvents) = (client, server);
        return true;
    }

    /// <summary>Takes over a connection another loop relayed; this loop's thread registers it.</summary>
    private void Adopt(LoopedConnection moved)
    {
        var connection = TakeSlot(moved.Owner, moved.Client, moved.Server);
        connection.TakeOver(moved);
        Arrive(connection);
    }

    /// <summary>Sends the held chunks that are due, in order, then a FIN read behind them. False when the connection left the loop.</summary>
    private bool Flush(LoopedConnection connection, LoopDirection direction)
    {
        direction.Blocked = false;
        while (direction.TryPeekHead(out var head))
        {
            if (head.Due > connection.Owner.Now)
            {
                Schedule(connection, direction, head.Due);
                return true;
            }
            int sent;
            fixed (byte* data = head.Buffer)
            {
                sent = SendAll(connection, direction, data + direction.HeadSent, head.Count - direction.HeadSent);
            }
            if (sent < 0)
            {
                return false;
            }
            if (!direction.SentFromHead(sent))
            {
                direction.Blocked = true;
                return true;
            }
        }
        if (direction.FinRead)
        {
            ForwardFin(connection, direction);
        }
        return true;
    }

    /// <summary>Bytes sent before the receiver's buffer filled (all of them, usually), or -1 when the connection left the loop.</summary>
    private int SendAll(LoopedConnection connection, LoopDirection direction, byte* data, int count)
    {
        var offset = 0;
        while (offset < count)
        {
            var sent = LinuxCalls.Send(direction.To, data + offset, count - offset, out var error);
            if (sent < 0)
            {
                if (error == SocketError.WouldBlock)
                {
                    break;
                }
                Failed(connection, direction.ToSide, error);
                return -1;
            }
            connection.Owner.CountRelayed(direction.ToSide, sent);
            offset += sent;
        }
        return offset;
    }

    /// <summary>A peer reset (or its socket was closed under us): the connection's own handling passes it on, and the connection is over.</summary>
    private bool Failed(LoopedConnection connection, Side side, SocketError error)
    {
        connection.Owner.OnSocketFailed(side, error);
        Leave(connection, handBack: false);
        return false;
    }

    /// <summary>
    /// What a socket is watched for: read edges unless its direction pauses (once it read its FIN they stay, as
    /// nothing more comes), write edges from the first time a chunk waited for its buffer to drain.
    /// </summary>
    private static uint EdgesFor(LoopedConnection connection, Side side, uint registered)
    {
        var reading = connection.ReadingFrom(side);
        var read = reading.Reading || reading.Done || reading.FinRead ? LinuxCalls.Readable : 0;
        var write = connection.SendingTo(side).Blocked ? LinuxCalls.Writable : registered & LinuxCalls.Writable;
        return Edges | read | write;
    }

    /// <summary>Changes a socket's registration where what it should be watched for changed.</summary>
    private void Rewatch(LoopedConnection connection, Side side)
    {
        var (socket, registered) = side == Side.Client
            ? (connection.Client, connection.ClientEvents)
            : (connection.Server, connection.ServerEvents);
        var wanted = EdgesFor(connection, side, registered);
        if (wanted == registered || !LinuxCalls.Rewatch(_epoll, socket, registered, wanted, Token(connection.Slot, side)))
        {
            return;
        }
        if (side == Side.Client)
        {
            connection.ClientEvents = wanted;
        }
        else
        {
            connection.ServerEvents = wanted;
        }
    }

    /// <summary>Out of this loop's epoll set and callbacks; its slot is freed after the current batch.</summary>
    private void Detach(LoopedConnection connection)
    {
        Unwatch(connection);
        Forget(connection);
    }

    /// <summary>Out of this loop's callbacks; its slot is freed after the current batch.</summary>
    private void Forget(LoopedConnection connection)
    {
        connection.MarkLeft();
        _retiring.Add(connection.Slot);
    }

    private void Unwatch(LoopedConnection connection)
    {
        LinuxCalls.Rewatch(_epoll, connection.Client, connection.ClientEvents, 0, 0);
        LinuxCalls.Rewatch(_epoll, connection.Server, connection.ServerEvents, 0, 0);
    }

    /// <summary>Hands the connection's state to <see cref="RelayConnection.RunAsync"/>: to the managed pumps, or to close it.</summary>
    private void Leave(LoopedConnection connection, bool handBack)
    {
        if (handBack)
        {
            Detach(connection);
        }
        else
        {
            Forget(connection);
            connection.Upstream.Drop();
            connection.Downstream.Drop();
            connection.Upstream.Done = connection.Downstream.Done = true;
            connection.Owner.CloseIfLastFinWaits();
        }
        var fins = connection.Fins is { } pending ? Task.WhenAll(pending) : Task.CompletedTask;
        connection.Owner.PassingThrough = false;
        connection.Exit.SetResult(new PassThroughExit(connection.Upstream.HandOver(), connection.Downstream.HandOver(), fins));
        if (!handBack)
        {
            // Where the owner closed the sockets already (its continuation ran inline), the kernel took them out of
            // the epoll set with their descriptors: an epoll_ctl per socket saved. Else they leave it now, before a
            // new connection can take the slot their events name.
            Unwatch(connection);
        }
    }

    // The state goes in as an argument, so the lambda captures nothing: a closure per connection was an allocation each.
    private LoopedConnection TakeSlot(RelayConnection owner, Socket client, Socket server) =>
        TakeSlot((Loop: this, owner, client, server), static (slot, state) => new LoopedConnection(state.Loop, state.owner, state.client, state.server, slot));

    private T TakeSlot<T, TState>(TState state, Func<int, TState, T> create) where T : class
    {
        lock (_slotsLock)
        {
            var slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : _slotsUsed++;
            if (slot == _slots.Length)
            {
                var grown = new object?[_slots.Length * 2];
                _slots.CopyTo(grown, 0);
                Volatile.Write(ref _slots, grown);
            }
            var member = create(slot, state);
            _slots[slot] = member;
            return member;
        }
    }

    private void FreeSlot(int slot)
    {
        lock (_slotsLock)
        {
            _slots[slot] = null;
            _freeSlots.Push(slot);
        }
    }

    private void ReleaseRetiredSlots()
    {
        foreach (var slot in _retiring)
        {
            FreeSlot(slot);
        }
        _retiring.Clear();
    }

    private static ulong Token(int slot, Side side) => ((ulong)slot << 1) | (side == Side.Client ? 0UL : 1UL);
}
