using System.Net.Sockets;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine.PassThrough;

/// <summary>One direction of a connection in the loop. Only the loop thread touches it.</summary>
internal sealed class LoopDirection(Socket from, Socket to, Direction direction)
{
    public Socket From { get; } = from;

    public Socket To { get; } = to;

    public Direction Direction { get; } = direction;

    public Side FromSide => Direction == Direction.Upstream ? Side.Client : Side.Server;

    public Side ToSide => Direction == Direction.Upstream ? Side.Server : Side.Client;

    /// <summary>Its FIN went on (or the connection ended).</summary>
    public bool Done { get; set; }

    public bool SeenData { get; set; }

    /// <summary>Bytes the receiver would not take yet; while there are any, the sender is not read (back-pressure).</summary>
    public byte[]? Pending { get; private set; }

    public int PendingOffset { get; private set; }

    public int PendingCount { get; private set; }

    /// <summary>Whether the loop reads the sender now.</summary>
    public bool Reading => !Done && Pending is null;

    public void Hold(ReadOnlySpan<byte> unsent)
    {
        Pending = RelayBuffers.Rent(unsent.Length);
        unsent.CopyTo(Pending);
        (PendingOffset, PendingCount) = (0, unsent.Length);
    }

    public void Sent(int count)
    {
        (PendingOffset, PendingCount) = (PendingOffset + count, PendingCount - count);
        if (PendingCount == 0)
        {
            Drop();
        }
    }

    /// <summary>What the managed pump starts from; it takes over any pending bytes.</summary>
    public PumpStart HandOver()
    {
        var pending = Pending;
        if (pending is not null && PendingOffset > 0)
        {
            Buffer.BlockCopy(pending, PendingOffset, pending, 0, PendingCount);
        }
        var start = new PumpStart(Done, SeenData, pending, PendingCount);
        (Pending, PendingOffset, PendingCount) = (null, 0, 0);
        return start;
    }

    public void Drop()
    {
        if (Pending is not null)
        {
            RelayBuffers.Return(Pending);
        }
        (Pending, PendingOffset, PendingCount) = (null, 0, 0);
    }
}

/// <summary>A connection while the loop relays it: both directions, what epoll watches, and how it leaves.</summary>
internal sealed class LoopedConnection(PassThroughLoop loop, RelayConnection owner, Socket client, Socket server, int slot)
{
    private readonly Lock _registrations = new();
    private CancellationTokenRegistration _toxicsChanged;
    private CancellationTokenRegistration _ending;
    private readonly PassThroughLoop _loop = loop;
    private volatile bool _left;

    public RelayConnection Owner { get; } = owner;

    public Socket Client { get; } = client;

    public Socket Server { get; } = server;

    public int Slot { get; } = slot;

    public LoopDirection Upstream { get; } = new(client, server, Direction.Upstream);

    public LoopDirection Downstream { get; } = new(server, client, Direction.Downstream);

    /// <summary>The events registered for each socket (0: not in the epoll set).</summary>
    public uint ClientEvents { get; set; }

    public uint ServerEvents { get; set; }

    public bool Left => _left;

    /// <summary>FINs whose forwarding a fin toxic (added after the check) holds; the connection ends after them.</summary>
    public List<Task>? Fins { get; set; }

    public TaskCompletionSource<PassThroughExit> Exit { get; private set; } = new(PassThroughLoop.Continuations);

    /// <summary>A buffer-filling read gave it to the next loop in turn (maybe this one), once, so bulk connections spread over the loops.</summary>
    public bool Spread { get; set; }

    public CancellationToken ToxicsChanged { get; private set; }

    /// <summary>This is <paramref name="moved"/>, now on another loop: its state and the exit its owner awaits come along (no bytes are pending).</summary>
    public void TakeOver(LoopedConnection moved)
    {
        (Exit, Fins, Spread) = (moved.Exit, moved.Fins, true);
        (Upstream.Done, Upstream.SeenData) = (moved.Upstream.Done, moved.Upstream.SeenData);
        (Downstream.Done, Downstream.SeenData) = (moved.Downstream.Done, moved.Downstream.SeenData);
    }

    /// <summary>What epoll should watch on a socket: readable while its direction reads, writable while the other direction has bytes for it.</summary>
    public uint WantedEvents(Side side) => side == Side.Client
        ? (Upstream.Reading ? LinuxCalls.Readable : 0) | (Downstream.Pending is null ? 0 : LinuxCalls.Writable)
        : (Downstream.Reading ? LinuxCalls.Readable : 0) | (Upstream.Pending is null ? 0 : LinuxCalls.Writable);

    /// <summary>Both directions' FINs went on (or the connection ended).</summary>
    public bool Finished => Upstream.Done && Downstream.Done;

    /// <summary>A toxic change or the connection's end hands it back to the managed pumps; the callbacks only ask the loop.</summary>
    public void WatchForHandback(CancellationToken toxicsChanged, CancellationToken ending)
    {
        lock (_registrations)
        {
            if (_left)
            {
                return;
            }
            ToxicsChanged = toxicsChanged;
            _toxicsChanged = toxicsChanged.UnsafeRegister(RequestHandback, this);
            _ending = ending.UnsafeRegister(RequestHandback, this);
        }
    }

    private static void RequestHandback(object? state)
    {
        var connection = (LoopedConnection)state!;
        connection._loop.RequestHandback(connection);
    }

    /// <summary>Marks it gone from the loop and drops the callbacks. Only the loop thread calls it.</summary>
    public void MarkLeft()
    {
        lock (_registrations)
        {
            _left = true;
            _toxicsChanged.Dispose();
            _ending.Dispose();
        }
    }
}
