using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine.PassThrough;

/// <summary>
/// Accepts and upstream dials on the loop thread, so (in the CLI, see Continuations) a new connection's accept, dial and relay run on one
/// thread with no hand-over between threads (with .NET's accept, each new connection woke two threads). A
/// socket .NET never waited on also stays out of .NET's epoll set, whose thread would otherwise wake for
/// every chunk the loop reads from it.
/// </summary>
internal sealed partial class PassThroughLoop
{
    private readonly ConcurrentQueue<ReadinessWait> _waitsEnded = new();

    /// <summary>
    /// The next connection of a listening socket: accepted when one is queued, else after the loop saw the
    /// listener readable. The listener must be non-blocking and never used with .NET's asynchronous accept.
    /// </summary>
    public async ValueTask<Socket> AcceptAsync(Socket listener, CancellationToken stop)
    {
        while (true)
        {
            if (listener.Poll(0, SelectMode.SelectRead))
            {
                try
                {
                    return listener.Accept();
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock)
                {
                    // It died in the queue between the poll and the accept.
                }
            }
            if (!await WaitAsync(listener, -1, LinuxCalls.Readable, null, stop))
            {
                stop.ThrowIfCancellationRequested();
                throw new ObjectDisposedException(nameof(listener));
            }
        }
    }

    /// <summary>Dials <paramref name="target"/> from the loop; null when it cannot (a name, not an address), so the caller dials the managed way.</summary>
    public Task<DialResult>? TryDialAsync(EndPoint target, TimeSpan timeout, CancellationToken stopping)
    {
        if (target is not IPEndPoint address)
        {
            return null;
        }
        var fd = LinuxCalls.StartConnect(address.Serialize(), out var finished, out var error);
        return fd < 0 ? Task.FromResult(UpstreamDialer.Failed(error))
            : finished ? Task.FromResult(ConnectOutcome(fd))
            : FinishDialAsync(fd, timeout, stopping);
    }

    private async Task<DialResult> FinishDialAsync(int fd, TimeSpan timeout, CancellationToken stopping)
    {
        if (await WaitAsync(null, fd, LinuxCalls.Writable, timeout, stopping))
        {
            return ConnectOutcome(fd);
        }
        // Closing the socket stops its SYN retransmissions.
        LinuxCalls.CloseDescriptor(fd);
        return UpstreamDialer.Cancelled(stopping);
    }

    /// <summary>The connect is over: a socket for it, or why not.</summary>
    private static DialResult ConnectOutcome(int fd)
    {
        var error = LinuxCalls.SocketErrorOf(fd);
        if (error != SocketError.Success)
        {
            LinuxCalls.CloseDescriptor(fd);
            return UpstreamDialer.Failed(error);
        }
        var handle = new SafeSocketHandle(fd, ownsHandle: true);
        try
        {
            // .NET reads the connected socket's addresses from the descriptor, as for an accepted one.
            return new DialResult(new Socket(handle), CloseReason.Completed, SocketError.Success);
        }
        catch (SocketException ex)
        {
            // The server reset it before .NET could read its addresses.
            handle.Dispose();
            return UpstreamDialer.Failed(ex.SocketErrorCode);
        }
    }

    /// <summary>True once <paramref name="events"/> are ready on the socket (or our own descriptor); false when the timeout ran out, the token fired or the socket closed.</summary>
    private Task<bool> WaitAsync(Socket? socket, int fd, uint events, TimeSpan? timeout, CancellationToken stop)
    {
        var wait = TakeSlot(slot => new ReadinessWait(socket, fd, events, slot));
        lock (wait.Gate) // the loop ends a wait under the gate: never before its deadline is set up
        {
            var token = Token(wait.Slot, Side.Server);
            if (!(socket is null ? LinuxCalls.Watch(_epoll, fd, events, token) : LinuxCalls.Rewatch(_epoll, socket, 0, events, token)))
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
            if (wait.Socket is { } socket)
            {
                LinuxCalls.Rewatch(_epoll, socket, wait.Events, 0, 0);
            }
            else
            {
                LinuxCalls.Unwatch(_epoll, wait.Fd);
            }
            wait.Finish();
        }
        _retiring.Add(wait.Slot);
        wait.Ready.SetResult(ready); // outside the gate: the waiter may go on from here, on this thread (Continuations)
    }
}

/// <summary>A socket the loop watches for one readiness. Only the loop ends it; the deadline's callback only asks.</summary>
internal sealed class ReadinessWait(Socket? socket, int fd, uint events, int slot)
{
    private CancellationTokenSource? _deadline;
    private CancellationTokenRegistration _ended;

    /// <summary>The socket waited on, or null for a descriptor of the loop's own (<see cref="Fd"/>).</summary>
    public Socket? Socket { get; } = socket;

    public int Fd { get; } = fd;

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
