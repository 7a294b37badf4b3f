using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Engine.PassThrough;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine;

/// <summary>The outcome of one upstream dial: a connected socket, or why there is none.</summary>
internal readonly record struct DialResult(Socket? Socket, CloseReason FailureReason, SocketError Error);

/// <summary>Dials the upstream for one connection, asynchronously and bounded by a timeout.</summary>
internal static class UpstreamDialer
{
    /// <summary>
    /// From the connection's pass-through <paramref name="loop"/> where it has one and the target is an address (not a
    /// name to resolve), else through .NET's asynchronous connect.
    /// </summary>
    public static ValueTask<DialResult> DialAsync(EndPoint target, TimeSpan timeout, PassThroughLoop? loop, CancellationToken stopping) =>
        loop is not null && target is IPEndPoint address
            ? loop.DialAsync(address, timeout, stopping)
            : DialManagedAsync(target, timeout, stopping);

    public static DialResult Failed(SocketError error) => new(null, error switch
    {
        SocketError.ConnectionRefused => CloseReason.UpstreamRefused,
        // The server accepted and reset before this dial's completion was observed.
        SocketError.ConnectionReset => CloseReason.ServerReset,
        SocketError.TimedOut => CloseReason.UpstreamTimeout,
        _ => CloseReason.UpstreamUnreachable,
    }, error);

    /// <summary>
    /// The dialled socket's own address (for the event that shows it, so asked only where something reads that). .NET
    /// knows it for a socket it connected; for one the pass-through loop connected, the kernel is asked.
    /// </summary>
    public static EndPoint LocalEndPointOf(Socket socket, EndPoint target) =>
        socket.LocalEndPoint ?? (target is IPEndPoint ip ? LinuxCalls.LocalEndPointOf(socket, ip) : null) ?? new IPEndPoint(IPAddress.None, 0);

    /// <summary>The dial's own timeout ran out, or the proxy is stopping.</summary>
    public static DialResult Cancelled(CancellationToken stopping) =>
        new(null, stopping.IsCancellationRequested ? CloseReason.ProxyStopped : CloseReason.UpstreamTimeout, SocketError.TimedOut);

    private static async ValueTask<DialResult> DialManagedAsync(EndPoint target, TimeSpan timeout, CancellationToken stopping)
    {
        var socket = target is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(target, deadline.Token);
            socket.NoDelay = true;
            return new DialResult(socket, CloseReason.Completed, SocketError.Success);
        }
        catch (OperationCanceledException)
        {
            // Cancelling ConnectAsync leaves the socket in SYN-SENT, still retransmitting; only Dispose stops it.
            socket.Dispose();
            return Cancelled(stopping);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            return Failed(ex.SocketErrorCode);
        }
    }
}
