using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine.PassThrough;

/// <summary>
/// Accepts and upstream dials on the loop thread, so (in the CLI, see Continuations) a new connection's accept,
/// dial and relay run on one thread with no hand-over between threads (with .NET's accept, each new connection
/// woke two threads). A socket .NET never waited on also stays out of .NET's epoll set, whose thread would
/// otherwise wake for every chunk the loop reads from it. The dial connects a .NET socket with connect(2)
/// itself: .NET then does not know it is connected, so the dial reads its local address once, for the event.
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
            if (!await WaitAsync(listener, LinuxCalls.Readable, null, stop))
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
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        LinuxCalls.MakeNonBlocking(socket);
        if (!LinuxCalls.StartConnect(socket, address.Serialize(), out var connected, out var error))
        {
            socket.Dispose();
            return Task.FromResult(UpstreamDialer.Failed(error));
        }
        return connected ? Task.FromResult(Connected(socket, address)) : FinishDialAsync(socket, address, timeout, stopping);
    }

    private async Task<DialResult> FinishDialAsync(Socket socket, IPEndPoint target, TimeSpan timeout, CancellationToken stopping)
    {
        if (await WaitAsync(socket, LinuxCalls.Writable, timeout, stopping))
        {
            return ConnectOutcome(socket, target);
        }
        // Closing the socket stops its SYN retransmissions.
        socket.Dispose();
        return UpstreamDialer.Cancelled(stopping);
    }

    /// <summary>The connect is over: the socket and its local address, or why not.</summary>
    private static DialResult ConnectOutcome(Socket socket, IPEndPoint target)
    {
        var error = LinuxCalls.SocketErrorOf(socket);
        if (error != SocketError.Success)
        {
            socket.Dispose();
            return UpstreamDialer.Failed(error);
        }
        return Connected(socket, target);
    }

    private static DialResult Connected(Socket socket, IPEndPoint target) =>
        new(socket, CloseReason.Completed, SocketError.Success, LinuxCalls.LocalEndPointOf(socket, target));

    /// <summary>True once <paramref name="events"/> are ready on the socket; false when the timeout ran out, the token fired or the socket closed.</summary>
    private Task<bool> WaitAsync(Socket socket, uint events, TimeSpan? timeout, CancellationToken stop)
    {
        var wait = TakeSlot(slot => new ReadinessWait(socket, events, slot));
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
