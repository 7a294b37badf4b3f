using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine.PassThrough;

/// <summary>
/// Accepts and upstream dials on the loop thread, so (in the CLI, see Continuations) a new connection's accept,
/// dial and relay run on one thread with no hand-over between threads (with .NET's accept, each new connection
/// woke two threads). Every loop watches every listener, so new connections spread over the loops. A socket .NET
/// never waited on also stays out of .NET's epoll set, whose thread would otherwise wake for every chunk the loop
/// reads from it. The dial connects a .NET socket with connect(2) itself: .NET then does not know it is connected,
/// so the dial reads its local address once, for the event.
/// </summary>
internal sealed partial class PassThroughLoop
{
    private readonly ConcurrentQueue<ReadinessWait> _waitsEnded = new();
    private readonly ConcurrentQueue<int> _slotsToRetire = new();

    /// <summary>
    /// Watches <paramref name="listener"/> for an accept loop on this loop's thread, until disposed or
    /// <paramref name="stop"/> fires. The listener must never be used with .NET's asynchronous accept.
    /// </summary>
    public ListenerWatch WatchListener(Socket listener, CancellationToken stop) => TakeSlot((Loop: this, listener, stop), static (slot, state) => new ListenerWatch(state.Loop, state.listener, slot, state.stop));

    /// <summary>Puts a listener in or takes it out of the epoll set; false when its socket is closed.</summary>
    internal bool SetListenerWatched(ListenerWatch watch, bool watched)
    {
        // Every loop watches each listener: a new connection wakes one of those that sleep, not all.
        const uint events = LinuxCalls.Readable | LinuxCalls.WakeOne;
        return LinuxCalls.Rewatch(_epoll, watch.Listener, watched ? 0 : events, watched ? events : 0, Token(watch.Slot, Side.Client));
    }

    /// <summary>Frees a slot after the loop's current batch of events, which may still name it.</summary>
    internal void Retire(int slot)
    {
        _slotsToRetire.Enqueue(slot);
        LinuxCalls.Wake(_wake);
    }

    /// <summary>Dials <paramref name="address"/> from the loop.</summary>
    public ValueTask<DialResult> DialAsync(IPEndPoint address, TimeSpan timeout, CancellationToken stopping)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        LinuxCalls.MakeNonBlocking(socket);
        if (!LinuxCalls.StartConnect(socket, address.Serialize(), out var connected, out var error))
        {
            socket.Dispose();
            return ValueTask.FromResult(UpstreamDialer.Failed(error));
        }
        // On loopback the dial is usually over at once: a ValueTask then costs no allocation.
        return connected ? ValueTask.FromResult(Connected(socket)) : new ValueTask<DialResult>(FinishDialAsync(socket, timeout, stopping));
    }

    private async Task<DialResult> FinishDialAsync(Socket socket, TimeSpan timeout, CancellationToken stopping)
    {
        if (await WaitAsync(socket, LinuxCalls.Writable, timeout, stopping))
        {
            return ConnectOutcome(socket);
        }
        // Closing the socket stops its SYN retransmissions.
        socket.Dispose();
        return UpstreamDialer.Cancelled(stopping);
    }

    /// <summary>The connect is over: the socket, or why not.</summary>
    private static DialResult ConnectOutcome(Socket socket)
    {
        var error = LinuxCalls.SocketErrorOf(socket);
        if (error != SocketError.Success)
        {
            socket.Dispose();
            return UpstreamDialer.Failed(error);
        }
        return Connected(socket);
    }

    private static DialResult Connected(Socket socket) => new(socket, CloseReason.Completed, SocketError.Success);

    /// <summary>True once <paramref name="events"/> are ready on the socket; false when the timeout ran out, the token fired or the socket closed.</summary>
    private Task<bool> WaitAsync(Socket socket, uint events, TimeSpan? timeout, CancellationToken stop)
    {
        var wait = TakeSlot((socket, events), static (slot, state) => new ReadinessWait(state.socket, state.events, slot));
        lock (wait.Gate) // the loop ends a wait under the gate: never before its deadline is set up
        {
            if (!LinuxCalls.Rewatch(_epoll, socket, 0, events, Token(wait.Slot, Side.Server)))
            {
                FreeSlot(wait.Slot);
                return Task.FromResult(false);
            }
            wait.EndOn(timeout, this, stop);
        }
        return wait.Ready.Task;
    }

    public void RequestWaitEnd(ReadinessWait wait)
    {
        _waitsEnded.Enqueue(wait);
        LinuxCalls.Wake(_wake);
    }

    /// <summary>Ready (or failed: an error counts as ready, the waiter finds out), or given up.</summary>
    private void EndWait(ReadinessWait wait, bool ready)
    {
        lock (wait.Gate)
        {
            if (wait.Finished)
            {
                return;
            }
            LinuxCalls.Rewatch(_epoll, wait.Socket, wait.Events, 0, 0);
            wait.Finish();
        }
        _retiring.Add(wait.Slot);
        wait.Ready.SetResult(ready); // outside the gate: the waiter may go on from here, on this thread (Continuations)
    }
}

/// <summary>A socket the loop watches for one readiness. Only the loop ends it; the deadline's callback only asks.</summary>
internal sealed class ReadinessWait(Socket socket, uint events, int slot)
{
    private CancellationTokenSource? _deadline;
    private CancellationTokenRegistration _ended;

    public Socket Socket { get; } = socket;

    public uint Events { get; } = events;

    public int Slot { get; } = slot;

    public Lock Gate { get; } = new();

    public bool Finished { get; private set; } // read and written under Gate

    public TaskCompletionSource<bool> Ready { get; } = new(PassThroughLoop.Continuations);

    public void EndOn(TimeSpan? timeout, PassThroughLoop loop, CancellationToken stop)
    {
        var token = stop;
        if (timeout is { } limit)
        {
            _deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
            _deadline.CancelAfter(limit);
            token = _deadline.Token;
        }
        _ended = token.UnsafeRegister(static state =>
        {
            var (wait, loop) = ((ReadinessWait, PassThroughLoop))state!;
            loop.RequestWaitEnd(wait);
        }, (this, loop));
    }

    public void Finish()
    {
        Finished = true;
        _ended.Dispose();
        _deadline?.Dispose();
    }
}

/// <summary>
/// A listening socket the loop watches for its accept loop. It stays in the epoll set from one wait to the next:
/// adding and removing it around every wait cost two epoll_ctl calls each time the accept queue ran empty. When it
/// turns readable with nobody waiting (the accept loop is busy, or waits for a connection slot), it leaves the set
/// until the next wait, so that epoll, level-triggered, does not report it over and over meanwhile.
/// </summary>
internal sealed class ListenerWatch : IDisposable
{
    private readonly Lock _gate = new();
    private readonly PassThroughLoop _loop;
    private readonly CancellationToken _stop;
    private readonly CancellationTokenRegistration _stopping;
    private TaskCompletionSource? _waiter;
    private bool _watched;
    private bool _stopped;
    private bool _disposed;

    /// <summary>
    /// Registered on <paramref name="stop"/> once, not for every wait: the accept loops of every loop registering
    /// and unregistering on the one token contended for its lock.
    /// </summary>
    public ListenerWatch(PassThroughLoop loop, Socket listener, int slot, CancellationToken stop)
    {
        (_loop, Listener, Slot, _stop) = (loop, listener, slot, stop);
        _stopping = stop.UnsafeRegister(static state => ((ListenerWatch)state!).GiveUp(), this);
    }

    public Socket Listener { get; }

    public int Slot { get; }

    /// <summary>
    /// Completes once a connection is queued, which another loop may take first; cancelled when the watch's stop
    /// token fires; <see cref="ObjectDisposedException"/> when the socket is closed.
    /// </summary>
    public Task ReadableAsync()
    {
        var waiter = new TaskCompletionSource(PassThroughLoop.Continuations);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_stopped)
            {
                return Task.FromCanceled(_stop);
            }
            if (!_watched)
            {
                _watched = _loop.SetListenerWatched(this, watched: true);
                ObjectDisposedException.ThrowIf(!_watched, Listener);
            }
            _waiter = waiter;
        }
        return waiter.Task;
    }

    /// <summary>The loop saw the listener readable. Only the loop thread calls it.</summary>
    public void OnReadable()
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            (waiter, _waiter) = (_waiter, null);
            if (waiter is null && _watched)
            {
                _loop.SetListenerWatched(this, watched: false);
                _watched = false;
            }
        }
        waiter?.TrySetResult();
    }

    public void Dispose()
    {
        _stopping.Dispose(); // first, and outside the gate: it waits for a GiveUp that may be running
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            if (_watched)
            {
                _loop.SetListenerWatched(this, watched: false);
                _watched = false;
            }
        }
        _loop.Retire(Slot);
    }

    private void GiveUp()
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            _stopped = true;
            (waiter, _waiter) = (_waiter, null);
        }
        waiter?.TrySetCanceled(_stop);
    }
}
