using System.Net.Sockets;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine.PassThrough;

/// <summary>
/// One direction of a connection in the loop: the chunks it holds back (for a delay toxic, or because the
/// receiver would not take them yet) and where its FIN stands. Only the loop thread touches it.
/// </summary>
internal sealed class LoopDirection(Socket from, Socket to, Direction direction)
{
    private Queue<HeldChunk>? _held;

    public Socket From { get; } = from;

    public Socket To { get; } = to;

    public Direction Direction { get; } = direction;

    public Side FromSide => Direction == Direction.Upstream ? Side.Client : Side.Server;

    public Side ToSide => Direction == Direction.Upstream ? Side.Server : Side.Client;

    /// <summary>Its FIN went on (or the connection ended).</summary>
    public bool Done { get; set; }

    public bool SeenData { get; set; }

    /// <summary>The sender's FIN was read behind held chunks; it goes on after them.</summary>
    public bool FinRead { get; set; }

    /// <summary>The receiver's buffer is full: the loop waits for it to drain and does not read the sender meanwhile (back-pressure).</summary>
    public bool Blocked { get; set; }

    /// <summary>
    /// The sender may have data (or a FIN, or an error) waiting: an edge came, and no read since found it drained. The
    /// loop watches edges, so this is what remembers readiness while the direction does not read (back-pressure, a full
    /// delay line) or has read one chunk of several.
    /// </summary>
    public bool SenderReadable { get; set; }

    /// <summary>
    /// The sender's FIN (or an error) has arrived, so a read that returns less than asked for has not drained the socket:
    /// the FIN or the error is still to be read, and no further edge will announce it.
    /// </summary>
    public bool SenderEnded { get; set; }

    /// <summary>In the loop's list of directions to read again after the current round.</summary>
    public bool Requeued { get; set; }

    /// <summary>The due time a loop timer is set for, so one chunk after another due later does not add a timer each (0: none).</summary>
    public long ScheduledFor { get; set; }

    public bool HasHeld => _held is { Count: > 0 };

    /// <summary>Bytes of the first held chunk already sent.</summary>
    public int HeadSent { get; private set; }

    /// <summary>Whether the loop reads the sender now: as a delay line, up to as many chunks as the managed one holds.</summary>
    public bool Reading => !Done && !FinRead && !Blocked && (_held?.Count ?? 0) < DirectionPipe.QueuedChunks;

    public void Hold(ReadOnlySpan<byte> data, long receivedAt, long due)
    {
        var buffer = RelayBuffers.Rent(data.Length);
        data.CopyTo(buffer);
        (_held ??= new()).Enqueue(new HeldChunk(buffer, data.Length, receivedAt, due));
    }

    public bool TryPeekHead(out HeldChunk head)
    {
        head = default;
        return _held is not null && _held.TryPeek(out head);
    }

    /// <summary>Counts bytes of the first held chunk as sent; true when all of it went (its buffer is back in the pool).</summary>
    public bool SentFromHead(int count)
    {
        HeadSent += count;
        var head = _held!.Peek();
        if (HeadSent < head.Count)
        {
            return false;
        }
        _held.Dequeue();
        RelayBuffers.Return(head.Buffer);
        HeadSent = 0;
        return true;
    }

    /// <summary>What the managed pump starts from; it takes over the held chunks.</summary>
    public PumpStart HandOver()
    {
        HeldChunk[]? held = null;
        if (HasHeld)
        {
            held = _held!.ToArray();
            if (HeadSent > 0)
            {
                var head = held[0];
                Buffer.BlockCopy(head.Buffer, HeadSent, head.Buffer, 0, head.Count - HeadSent);
                held[0] = head with { Count = head.Count - HeadSent };
            }
            _held.Clear();
            HeadSent = 0;
        }
        return new PumpStart(Done, SeenData, held, FinRead);
    }

    public void Drop()
    {
        while (_held?.TryDequeue(out var chunk) == true)
        {
            RelayBuffers.Return(chunk.Buffer);
        }
        HeadSent = 0;
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

    /// <summary>The edges registered for each socket (0: not in the epoll set).</summary>
    public uint ClientEvents { get; set; }

    public uint ServerEvents { get; set; }

    public bool Left => _left;

    /// <summary>FINs whose forwarding a fin toxic (added after the check) holds; the connection ends after them.</summary>
    public List<Task>? Fins { get; set; }

    public TaskCompletionSource<PassThroughExit> Exit { get; private set; } = new(PassThroughLoop.Continuations);

    /// <summary>Being busy gave it to the next loop in turn (maybe this one), once, so busy connections spread over the loops.</summary>
    public bool Spread { get; set; }

    /// <summary>Chunks relayed on this loop, counted until the connection counts as busy.</summary>
    public int ChunksRelayed { get; set; }

    /// <summary>Fires when the proxy's toxics change: the connection then goes back to the managed pumps.</summary>
    public CancellationToken ToxicsChanged { get; set; }

    /// <summary>This is <paramref name="moved"/>, now on another loop: its state and the exit its owner awaits come along (it holds no chunks).</summary>
    public void TakeOver(LoopedConnection moved)
    {
        (Exit, Fins, Spread, ToxicsChanged) = (moved.Exit, moved.Fins, true, moved.ToxicsChanged);
        (Upstream.Done, Upstream.SeenData) = (moved.Upstream.Done, moved.Upstream.SeenData);
        (Downstream.Done, Downstream.SeenData) = (moved.Downstream.Done, moved.Downstream.SeenData);
    }

    /// <summary>The direction that reads from <paramref name="side"/>'s socket.</summary>
    public LoopDirection ReadingFrom(Side side) => side == Side.Client ? Upstream : Downstream;

    /// <summary>The direction that sends to <paramref name="side"/>'s socket.</summary>
    public LoopDirection SendingTo(Side side) => side == Side.Client ? Downstream : Upstream;

    /// <summary>Both directions' FINs went on (or the connection ended).</summary>
    public bool Finished => Upstream.Done && Downstream.Done;

    /// <summary>A toxic change or the connection's end hands it back to the managed pumps; the callbacks only ask the loop.</summary>
    public void WatchForHandback()
    {
        lock (_registrations)
        {
            if (_left)
            {
                return;
            }
            _toxicsChanged = ToxicsChanged.UnsafeRegister(RequestHandback, this);
            _ending = Owner.Ending.UnsafeRegister(RequestHandback, this);
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
