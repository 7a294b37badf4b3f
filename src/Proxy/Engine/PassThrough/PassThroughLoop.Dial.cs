using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine.PassThrough;

/// <summary>
/// Upstream dials from the loop: a socket .NET never saw, connected without non-blocking connect's extra round
/// through .NET's epoll thread. That matters beyond the dial: a socket .NET connected stays in .NET's epoll set,
/// whose thread then wakes for every chunk the loop reads from it (a quarter of the relay's CPU, measured).
/// </summary>
internal sealed partial class PassThroughLoop
{
    private readonly ConcurrentQueue<PendingDial> _dialsEnded = new();

    /// <summary>Dials <paramref name="target"/> from the loop; null when it cannot (a name, not an address), so the caller dials the managed way.</summary>
    public Task<DialResult>? TryDialAsync(EndPoint target, TimeSpan timeout, CancellationToken stopping)
    {
        if (target is not IPEndPoint address)
        {
            return null;
        }
        var fd = LinuxCalls.StartConnect(address.Serialize(), out var connected, out var error);
        if (fd < 0)
        {
            return Task.FromResult(UpstreamDialer.Failed(error));
        }
        if (connected)
        {
            return Task.FromResult(Connected(fd));
        }
        var dial = TakeSlot(slot => new PendingDial(fd, slot));
        lock (dial.Gate) // the loop finishes a dial under the gate: never before its deadline is set up
        {
            if (!LinuxCalls.Watch(_epoll, fd, LinuxCalls.Writable, Token(dial.Slot, Side.Server)))
            {
                LinuxCalls.CloseDescriptor(fd);
                FreeSlot(dial.Slot);
                return Task.FromResult(UpstreamDialer.Failed(SocketError.SocketError));
            }
            dial.EndAfter(timeout, this, stopping);
        }
        return dial.Result.Task;
    }

    public void RequestDialEnd(PendingDial dial)
    {
        _dialsEnded.Enqueue(dial);
        LinuxCalls.Wake(_wake);
    }

    /// <summary>Writable (or failed): the connect is over one way or the other.</summary>
    private void OnDialReady(PendingDial dial) => Finish(dial, cancelled: false);

    /// <summary>The timeout ran out or the proxy is stopping. Closing the socket stops its SYN retransmissions.</summary>
    private void OnDialCancelled(PendingDial dial) => Finish(dial, cancelled: true);

    private void Finish(PendingDial dial, bool cancelled)
    {
        DialResult result;
        lock (dial.Gate)
        {
            if (dial.Finished)
            {
                return;
            }
            var error = cancelled ? SocketError.TimedOut : LinuxCalls.SocketErrorOf(dial.Fd);
            LinuxCalls.Unwatch(_epoll, dial.Fd);
            if (error != SocketError.Success)
            {
                LinuxCalls.CloseDescriptor(dial.Fd);
            }
            result = cancelled ? UpstreamDialer.Cancelled(dial.Stopping)
                : error == SocketError.Success ? Connected(dial.Fd)
                : UpstreamDialer.Failed(error);
            dial.Finish();
        }
        _retiring.Add(dial.Slot);
        dial.Result.SetResult(result); // outside the gate: the connection goes on from here, on this thread
    }

    private static DialResult Connected(int fd)
    {
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
}

/// <summary>A connect the loop waits on. Only the loop finishes it; the deadline's callback only asks.</summary>
internal sealed class PendingDial(int fd, int slot)
{
    private CancellationTokenSource? _deadline;
    private CancellationTokenRegistration _ended;

    public int Fd { get; } = fd;

    public Lock Gate { get; } = new();

    public int Slot { get; } = slot;

    public CancellationToken Stopping { get; private set; }

    public bool Finished { get; private set; } // read and written under Gate

    public TaskCompletionSource<DialResult> Result { get; } = new();

    public void EndAfter(TimeSpan timeout, PassThroughLoop loop, CancellationToken stopping)
    {
        Stopping = stopping;
        _deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _deadline.CancelAfter(timeout);
        _ended = _deadline.Token.UnsafeRegister(static state =>
        {
            var (dial, loop) = ((PendingDial, PassThroughLoop))state!;
            loop.RequestDialEnd(dial);
        }, (this, loop));
    }

    public void Finish()
    {
        Finished = true;
        _ended.Dispose();
        _deadline?.Dispose();
    }
}
