using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Chaos.Proxy.Engine.PassThrough;

/// <summary>
/// The Linux calls of the pass-through loop: epoll, an eventfd to wake it, and non-blocking recv/send on a
/// socket's descriptor. Every call on a <see cref="Socket"/> holds a reference on its handle for the call's
/// length, so a socket closed by another thread is never a descriptor number that a new socket now reuses.
/// </summary>
internal static unsafe partial class LinuxCalls
{
    public const uint Readable = 0x001;
    public const uint Writable = 0x004;
    public const uint Error = 0x008;
    public const uint HangUp = 0x010;

    /// <summary>EPOLLRDHUP: the peer's FIN has arrived (it may still sit behind unread data).</summary>
    public const uint PeerClosed = 0x2000;

    /// <summary>EPOLLEXCLUSIVE: of the epoll sets that wait on one socket, one is woken, not all (add only).</summary>
    public const uint WakeOne = 1u << 28;

    /// <summary>EPOLLET: an event when something new happens on the socket (data arrives, space frees), not while it stays ready.</summary>
    public const uint EdgeTriggered = 1u << 31;

    private const int EpollAdd = 1;
    private const int EpollDelete = 2;
    private const int EpollModify = 3;
    private const int CloseOnExec = 0x80000;
    private const int NonBlocking = 0x800;
    private const int DontWait = 0x40;
    private const int NoSignal = 0x4000;
    private const int Again = 11;
    private const int Interrupted = 4;
    private const int InProgress = 115;
    private const int NoSuchCall = 38;
    private const int SetStatusFlags = 4;
    private const int SocketLevel = 1;
    private const int SocketErrorOption = 4;
    private const short PollOut = 0x004;
    private const short PollError = 0x008;
    private const short PollHangUp = 0x010;

    /// <summary>struct epoll_event: packed (12 bytes) on x86-64, naturally aligned (16) on arm64.</summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static readonly int DataOffset = EventSize == 12 ? 4 : 8;

    private static bool s_preciseWait = true;

    /// <summary>Where the loop can run: Linux on the two architectures whose epoll_event layout is known here.</summary>
    public static bool Supported => OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    public static int CreateEpoll() => EpollCreate(CloseOnExec);

    public static int CreateWakeEvent() => EventFd(0, CloseOnExec | NonBlocking);

    public static void Wake(int eventFd)
    {
        ulong one = 1;
        _ = Write(eventFd, &one, sizeof(ulong));
    }

    public static void DrainWake(int eventFd)
    {
        ulong count;
        _ = Read(eventFd, &count, sizeof(ulong));
    }

    public static bool Watch(int epoll, int fd, uint events, ulong token) => Control(epoll, EpollAdd, fd, events, token);

    /// <summary>
    /// Starts connecting a non-blocking socket; false with the error when it failed at once (on loopback, a refusal
    /// too). <paramref name="connected"/>: the handshake is already done. Otherwise the connect is over when the
    /// socket turns writable, and <see cref="SocketErrorOf"/> tells how it went. .NET does not know the socket
    /// connected: its end points stay unset.
    /// </summary>
    public static bool StartConnect(Socket socket, SocketAddress address, out bool connected, out SocketError error)
    {
        connected = false;
        var added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            var fd = (int)socket.SafeHandle.DangerousGetHandle();
            int result;
            fixed (byte* raw = address.Buffer.Span)
            {
                result = Connect(fd, raw, address.Size);
            }
            var errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
            if (result != 0 && errno != InProgress)
            {
                error = ToSocketError(errno);
                return false;
            }
            // On loopback the kernel has usually finished the handshake by the time connect() returns EINPROGRESS:
            // writable with no error flag means connected, without asking for the socket's pending error.
            var ready = result == 0 ? PollOut : ReadyNow(fd, PollOut);
            if ((ready & (PollError | PollHangUp)) != 0)
            {
                error = SocketErrorOf(socket);
                return error == SocketError.Success;
            }
            connected = ready == PollOut;
            error = SocketError.Success;
            return true;
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Makes a new socket's descriptor non-blocking in one fcntl, where .NET's <see cref="Socket.Blocking"/> costs two
    /// (it reads the flags first). .NET still takes the socket for blocking, which nothing here relies on: the loop
    /// sends and receives with MSG_DONTWAIT, and .NET's asynchronous operations, after a hand-back, set the flag
    /// again themselves.
    /// </summary>
    public static void MakeNonBlocking(Socket socket)
    {
        if (SetFlags((int)socket.SafeHandle.DangerousGetHandle(), SetStatusFlags, NonBlocking) != 0)
        {
            socket.Blocking = false;
        }
    }

    /// <summary>The address the kernel gave a socket's end (getsockname), for a socket .NET does not know is connected.</summary>
    public static EndPoint? LocalEndPointOf(Socket socket, IPEndPoint like)
    {
        var address = like.Serialize();
        var length = address.Buffer.Length;
        int result;
        fixed (byte* raw = address.Buffer.Span)
        {
            result = GetSockName((int)socket.Handle, raw, &length);
        }
        address.Size = length;
        return result == 0 ? like.Create(address) : null;
    }

    /// <summary>Which of <paramref name="events"/> (and error, hang-up) the descriptor has now, without waiting.</summary>
    private static short ReadyNow(int fd, short events)
    {
        var entry = new PollEntry(fd, events, 0);
        return Poll(&entry, 1, 0) == 1 ? entry.Returned : (short)0;
    }

    /// <summary>The pending error of a socket whose connect finished (Success when it connected).</summary>
    public static SocketError SocketErrorOf(Socket socket)
    {
        var fd = (int)socket.Handle;
        var errno = 0;
        var length = sizeof(int);
        return GetSockOpt(fd, SocketLevel, SocketErrorOption, &errno, &length) != 0
            ? ToSocketError(Marshal.GetLastPInvokeError())
            : errno == 0 ? SocketError.Success : ToSocketError(errno);
    }

    /// <summary>Adds, changes or removes a socket's registration; false when the socket is already closed.</summary>
    public static bool Rewatch(int epoll, Socket socket, uint before, uint after, ulong token)
    {
        var op = (before, after) switch
        {
            (0, 0) => 0,
            (0, _) => EpollAdd,
            (_, 0) => EpollDelete,
            _ when before == after => 0,
            _ => EpollModify,
        };
        if (op == 0)
        {
            return true;
        }
        if (socket.SafeHandle.IsClosed)
        {
            return false; // as below, without the cost of an exception: the usual case when a finished connection leaves
        }
        var added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            return Control(epoll, op, (int)socket.SafeHandle.DangerousGetHandle(), after, token);
        }
        catch (ObjectDisposedException)
        {
            return false; // closed: the kernel took it out of the epoll set with the descriptor
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Waits for events, or until <paramref name="timeout"/> (null: no limit). epoll_pwait2 takes the timeout to the
    /// nanosecond, so a short delay is not rounded up to a whole millisecond; where the C library or kernel lacks
    /// it (glibc before 2.35, Linux before 5.11), epoll_wait rounds up.
    /// </summary>
    public static int Wait(int epoll, byte* events, int capacity, TimeSpan? timeout)
    {
        if (timeout is not { } limit)
        {
            return EpollWait(epoll, events, capacity, -1);
        }
        limit = limit < TimeSpan.Zero ? TimeSpan.Zero : limit;
        if (s_preciseWait)
        {
            var spec = stackalloc long[] { limit.Ticks / TimeSpan.TicksPerSecond, limit.Ticks % TimeSpan.TicksPerSecond * 100 };
            try
            {
                var count = EpollPreciseWait(epoll, events, capacity, spec, null);
                if (count >= 0 || Marshal.GetLastPInvokeError() != NoSuchCall)
                {
                    return count;
                }
            }
            catch (EntryPointNotFoundException)
            {
            }
            s_preciseWait = false;
        }
        return EpollWait(epoll, events, capacity, (int)Math.Min(int.MaxValue, Math.Ceiling(limit.TotalMilliseconds)));
    }

    public static uint EventsAt(byte* events, int index) => *(uint*)(events + (index * EventSize));

    public static ulong TokenAt(byte* events, int index) => *(ulong*)(events + (index * EventSize) + DataOffset);

    /// <summary>Bytes read, 0 at the peer's FIN, or -1 with <paramref name="error"/> set (<see cref="SocketError.WouldBlock"/> when nothing is waiting).</summary>
    public static int Receive(Socket socket, byte* buffer, int length, out SocketError error) =>
        Transfer(socket, buffer, length, receive: true, out error);

    /// <summary>Bytes sent, or -1 with <paramref name="error"/> set (<see cref="SocketError.WouldBlock"/> when the send buffer is full).</summary>
    public static int Send(Socket socket, byte* buffer, int length, out SocketError error) =>
        Transfer(socket, buffer, length, receive: false, out error);

    private static int Transfer(Socket socket, byte* buffer, int length, bool receive, out SocketError error)
    {
        var added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            var fd = (int)socket.SafeHandle.DangerousGetHandle();
            nint done;
            do
            {
                done = receive ? Recv(fd, buffer, length, DontWait) : SendTo(fd, buffer, length, DontWait | NoSignal);
            }
            while (done < 0 && Marshal.GetLastPInvokeError() == Interrupted);
            error = done >= 0 ? SocketError.Success : ToSocketError(Marshal.GetLastPInvokeError());
            return (int)done;
        }
        catch (ObjectDisposedException)
        {
            error = SocketError.OperationAborted;
            return -1;
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>The errno values a relayed socket meets, as .NET names them (the rest are a plain socket error).</summary>
    private static SocketError ToSocketError(int errno) => errno switch
    {
        Again => SocketError.WouldBlock,
        32 => SocketError.Shutdown, // EPIPE
        103 => SocketError.ConnectionAborted,
        104 => SocketError.ConnectionReset,
        107 => SocketError.NotConnected,
        101 => SocketError.NetworkUnreachable,
        110 => SocketError.TimedOut,
        111 => SocketError.ConnectionRefused,
        113 => SocketError.HostUnreachable,
        _ => SocketError.SocketError,
    };

    private static bool Control(int epoll, int op, int fd, uint events, ulong token)
    {
        var entry = stackalloc byte[16];
        *(uint*)entry = events;
        *(ulong*)(entry + DataOffset) = token;
        return EpollCtl(epoll, op, fd, entry) == 0;
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int op, int fd, byte* entry);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epoll, byte* events, int capacity, int timeout);

    [LibraryImport("libc", EntryPoint = "epoll_pwait2", SetLastError = true)]
    private static partial int EpollPreciseWait(int epoll, byte* events, int capacity, long* timeout, void* signalMask);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, void* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, void* buffer, nint count);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollEntry(int fd, short events, short returned)
    {
        public int Fd = fd;
        public short Events = events;
        public short Returned = returned;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int SetFlags(int fd, int command, int flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollEntry* entries, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    private static partial int GetSockName(int fd, byte* address, int* length);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    private static partial int Connect(int fd, byte* address, int length);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static partial int GetSockOpt(int fd, int level, int option, void* value, int* length);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint SendTo(int fd, byte* buffer, nint length, int flags);
}
