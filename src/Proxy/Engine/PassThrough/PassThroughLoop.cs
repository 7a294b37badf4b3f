using System.Collections.Concurrent;
using System.Net.Sockets;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine.PassThrough;

/// <summary>
/// Relays connections that no toxic touches, on one thread of its own over epoll (Linux): per chunk one
/// epoll_wait share, one recv and one send, into one shared buffer. .NET's asynchronous socket operations cost
/// three to four times haproxy's user time per relayed request (README, Performance); this is the part of chaos
/// that competes with haproxy. The connection stays a <see cref="RelayConnection"/>: its events, byte counts,
/// FIN forwarding and reset handling are the same calls the managed pumps make. The moment a toxic is published
/// for the proxy, or the connection is being ended from outside (stop, idle timeout, a fault), the loop hands it
/// back to the managed pumps at a chunk boundary, with any bytes the receiver had not yet taken.
/// </summary>
internal sealed unsafe partial class PassThroughLoop
{
    private const int BatchSize = 256;
    private const int BufferSize = 128 * 1024;
    private const ulong WakeToken = ulong.MaxValue;

    private static readonly Lazy<PassThroughLoop?> s_shared = new(Start);

    private readonly int _epoll;
    private readonly int _wake;
    private readonly ConcurrentQueue<LoopedConnection> _handbacks = new();
    private readonly Lock _slotsLock = new();
    private readonly Stack<int> _freeSlots = new();
    private readonly List<int> _retiring = [];
    private object?[] _slots = new object?[256]; // a LoopedConnection, or a ReadinessWait
    private int _slotsUsed;

    private PassThroughLoop(int epoll, int wake)
    {
        _epoll = epoll;
        _wake = wake;
    }

    /// <summary>The process's loop, started on first use; null where it cannot run (not Linux, or epoll unavailable).</summary>
    public static PassThroughLoop? Shared => s_shared.Value;

    /// <summary>
    /// Relays <paramref name="client"/> and <paramref name="server"/> until both FINs went on, a peer reset, or the
    /// connection is handed back; the result says where each direction stands.
    /// </summary>
    public Task<PassThroughExit> RelayAsync(RelayConnection owner, Socket client, Socket server, CancellationToken toxicsChanged)
    {
        var connection = TakeSlot(owner, client, server);
        var slot = connection.Slot;
        if (!LinuxCalls.Rewatch(_epoll, client, 0, LinuxCalls.Readable, Token(slot, Side.Client)))
        {
            FreeSlot(slot);
            return Task.FromResult(PassThroughExit.NotEntered);
        }
        connection.ClientEvents = LinuxCalls.Readable;
        if (!LinuxCalls.Rewatch(_epoll, server, 0, LinuxCalls.Readable, Token(slot, Side.Server)))
        {
            LinuxCalls.Rewatch(_epoll, client, LinuxCalls.Readable, 0, 0);
            FreeSlot(slot);
            return Task.FromResult(PassThroughExit.NotEntered);
        }
        connection.ServerEvents = LinuxCalls.Readable;
        owner.PassingThrough = true;
        connection.WatchForHandback(toxicsChanged, owner.Ending);
        return connection.Exit.Task;
    }

    public void RequestHandback(LoopedConnection connection)
    {
        if (!connection.Left)
        {
            _handbacks.Enqueue(connection);
            LinuxCalls.Wake(_wake);
        }
    }

    private static PassThroughLoop? Start()
    {
        if (!LinuxCalls.Supported)
        {
            return null;
        }
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
        var events = new byte[LinuxCalls.EventSize * BatchSize];
        var buffer = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
        fixed (byte* ready = events)
        fixed (byte* chunk = buffer)
        {
            while (true)
            {
                var count = LinuxCalls.Wait(_epoll, ready, BatchSize);
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
                        }
                    }
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
                // Only now: an event later in the same batch must not reach a new connection in a reused slot.
                ReleaseRetiredSlots();
            }
        }
    }

    private void OnReady(LoopedConnection connection, Side side, uint events, byte* chunk)
    {
        try
        {
            var (reading, writing) = side == Side.Client
                ? (connection.Upstream, connection.Downstream)
                : (connection.Downstream, connection.Upstream);
            if (writing.Pending is not null && (events & (LinuxCalls.Writable | LinuxCalls.Error | LinuxCalls.HangUp)) != 0 && !Flush(connection, writing))
            {
                return;
            }
            if (reading.Reading && (events & (LinuxCalls.Readable | LinuxCalls.Error | LinuxCalls.HangUp)) != 0 && !Relay(connection, reading, chunk))
            {
                return;
            }
            if (connection.Finished)
            {
                Leave(connection, handBack: false);
                return;
            }
            UpdateEvents(connection);
        }
#pragma warning disable CA1031 // a bug on one connection ends that connection only, never the loop every other connection runs on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            connection.Owner.Fail(ex);
            if (!connection.Left)
            {
                Leave(connection, handBack: false);
            }
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
        if (received < 0)
        {
            return error == SocketError.WouldBlock || Failed(connection, direction.FromSide, error);
        }
        if (received == 0)
        {
            direction.Done = true;
            var fin = connection.Owner.ForwardFinAsync(direction.FromSide, direction.Direction);
            if (!fin.IsCompletedSuccessfully)
            {
                (connection.Fins ??= []).Add(fin);
            }
            return true;
        }
        connection.Owner.OnPassedThrough(direction.FromSide, direction.Direction, firstChunk: !direction.SeenData);
        direction.SeenData = true;
        var sent = SendAll(connection, direction, chunk, received);
        if (sent < 0)
        {
            return false;
        }
        if (sent < received)
        {
            direction.Hold(new ReadOnlySpan<byte>(chunk + sent, received - sent));
        }
        return true;
    }

    /// <summary>Sends what the receiver had not taken. False when the connection left the loop.</summary>
    private bool Flush(LoopedConnection connection, LoopDirection direction)
    {
        fixed (byte* pending = direction.Pending)
        {
            var sent = SendAll(connection, direction, pending + direction.PendingOffset, direction.PendingCount);
            if (sent < 0)
            {
                return false;
            }
            direction.Sent(sent);
            return true;
        }
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

    private void UpdateEvents(LoopedConnection connection)
    {
        var client = connection.WantedEvents(Side.Client);
        if (LinuxCalls.Rewatch(_epoll, connection.Client, connection.ClientEvents, client, Token(connection.Slot, Side.Client)))
        {
            connection.ClientEvents = client;
        }
        var server = connection.WantedEvents(Side.Server);
        if (LinuxCalls.Rewatch(_epoll, connection.Server, connection.ServerEvents, server, Token(connection.Slot, Side.Server)))
        {
            connection.ServerEvents = server;
        }
    }

    /// <summary>Takes the connection out of the epoll set and hands its state to <see cref="RelayConnection.RunAsync"/>.</summary>
    private void Leave(LoopedConnection connection, bool handBack)
    {
        connection.MarkLeft();
        LinuxCalls.Rewatch(_epoll, connection.Client, connection.ClientEvents, 0, 0);
        LinuxCalls.Rewatch(_epoll, connection.Server, connection.ServerEvents, 0, 0);
        _retiring.Add(connection.Slot);
        if (!handBack)
        {
            connection.Upstream.Drop();
            connection.Downstream.Drop();
            connection.Upstream.Done = connection.Downstream.Done = true;
        }
        var fins = connection.Fins is { } pending ? Task.WhenAll(pending) : Task.CompletedTask;
        connection.Owner.PassingThrough = false;
        connection.Exit.SetResult(new PassThroughExit(connection.Upstream.HandOver(), connection.Downstream.HandOver(), fins));
    }

    private LoopedConnection TakeSlot(RelayConnection owner, Socket client, Socket server) =>
        TakeSlot(slot => new LoopedConnection(this, owner, client, server, slot));

    private T TakeSlot<T>(Func<int, T> create) where T : class
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
            var member = create(slot);
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
