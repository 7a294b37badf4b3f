using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Lessons;

/// <summary>
/// What a lesson's client and server programs work with: the proxy's address, the server's listening socket, and a
/// notebook for what each program did and saw (with its own socket's kernel state) and whether the run went as the
/// lesson describes. Both programs are plain sockets on loopback inside this process.
/// </summary>
internal sealed class LessonStage(IPEndPoint proxy, Socket serverListener, TimeProvider time)
{
    private readonly List<ProgramNote> _notes = [];
    private readonly List<(Side Side, string English, string Chinese)> _saw = [];
    private readonly List<string> _problems = [];
    private readonly long _started = Stopwatch.GetTimestamp();

    public IPEndPoint Proxy => proxy;

    public IReadOnlyList<ProgramNote> Notes { get { lock (_notes) { return [.. _notes]; } } }

    public IReadOnlyList<(Side Side, string English, string Chinese)> SawLines { get { lock (_saw) { return [.. _saw]; } } }

    public IReadOnlyList<string> Problems { get { lock (_problems) { return [.. _problems]; } } }

    /// <summary>Milliseconds since the lesson started, for "what each side saw".</summary>
    public double ElapsedMs => Stopwatch.GetElapsedTime(_started).TotalMilliseconds;

    /// <summary>Records what a program did, with the kernel state of its socket right after.</summary>
    public void Note(Side side, Socket socket, string what)
    {
        var info = TcpInfo.TryRead(socket);
        var state = info is { } i && i.TotalRetransmits > 0 && i.State == "SYN_SENT" ? $"{i.State}, {i.TotalRetransmits} retransmits" : info?.State;
        var endPoint = side == Side.Client ? SafeEndPoint(() => socket.LocalEndPoint) : SafeEndPoint(() => socket.RemoteEndPoint);
        lock (_notes)
        {
            _notes.Add(new ProgramNote(time.GetUtcNow(), side, endPoint, what, state));
        }
    }

    /// <summary>Records a program's line for "what each side saw", in both languages.</summary>
    public void Saw(Side side, string english, string chinese)
    {
        lock (_saw)
        {
            _saw.Add((side, english, chinese));
        }
    }

    /// <summary>Records that the run did not go as the lesson describes (the command then exits 1).</summary>
    public void Expect(bool condition, string problem)
    {
        if (!condition)
        {
            lock (_problems)
            {
                _problems.Add(problem);
            }
        }
    }

    /// <summary>The client program's connect() to the proxy.</summary>
    public async Task<Socket> ConnectAsync()
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await client.ConnectAsync(proxy);
        }
        catch (SocketException ex)
        {
            Note(Side.Client, client, $"connect(): {ErrorName(ex.SocketErrorCode)}");
            client.Dispose();
            throw;
        }
        Note(Side.Client, client, "connect() returned");
        return client;
    }

    /// <summary>The server program's accept(), or null when no connection came within <paramref name="timeout"/>.</summary>
    public async Task<Socket?> AcceptAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            var server = await serverListener.AcceptAsync(wait.Token);
            server.NoDelay = true;
            Note(Side.Server, server, "accept() returned");
            return server;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public static async Task SendAsync(Socket socket, string text) => await socket.SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>One read: the bytes, EOF (0 bytes), an error, or nothing within <paramref name="timeout"/>.</summary>
    public static async Task<ReadResult> ReadAsync(Socket socket, TimeSpan timeout)
    {
        var buffer = new byte[16 * 1024];
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
            return new ReadResult(read, read == 0 ? ReadOutcome.Eof : ReadOutcome.Data, null);
        }
        catch (OperationCanceledException)
        {
            return new ReadResult(0, ReadOutcome.TimedOut, null);
        }
        catch (SocketException ex)
        {
            return new ReadResult(0, ReadOutcome.Error, ErrorName(ex.SocketErrorCode));
        }
    }

    /// <summary>Reads until EOF, an error or <paramref name="timeout"/> overall; the bytes read and how it ended.</summary>
    public static async Task<ReadResult> ReadToEndAsync(Socket socket, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var total = 0;
        while (true)
        {
            var left = TimeSpan.FromSeconds(Math.Max(0, deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            var read = await ReadAsync(socket, left);
            if (read.Outcome != ReadOutcome.Data)
            {
                return read with { Bytes = total };
            }
            total += read.Bytes;
        }
    }

    /// <summary>The errno name a C programmer would see, for the socket errors the lessons meet.</summary>
    public static string ErrorName(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "ECONNREFUSED",
        SocketError.ConnectionReset => "ECONNRESET",
        SocketError.TimedOut => "ETIMEDOUT",
        SocketError.Shutdown => "EPIPE",
        SocketError.ConnectionAborted => "ECONNABORTED",
        _ => error.ToString(),
    };

    private static string? SafeEndPoint(Func<EndPoint?> read)
    {
        try
        {
            return read()?.ToString();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }
}

/// <summary>One line of the ladder from a program: its socket's address (to find its connection), what it did, and the kernel state.</summary>
internal sealed record ProgramNote(DateTimeOffset Time, Side Side, string? EndPoint, string What, string? State);

internal enum ReadOutcome { Data, Eof, TimedOut, Error }

/// <summary>How a read ended: <paramref name="Bytes"/> read, and the errno name when it failed.</summary>
internal sealed record ReadResult(int Bytes, ReadOutcome Outcome, string? Error)
{
    public string Describe() => Outcome switch
    {
        ReadOutcome.Eof => "EOF",
        ReadOutcome.TimedOut => "nothing (timeout)",
        ReadOutcome.Error => Error!,
        _ => $"{Bytes} B",
    };
}
