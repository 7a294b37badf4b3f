using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine;

/// <summary>The outcome of one upstream dial: a connected socket, or why there is none.</summary>
internal readonly record struct DialResult(Socket? Socket, CloseReason FailureReason, SocketError Error);

/// <summary>Dials the upstream for one connection, asynchronously and bounded by a timeout.</summary>
internal static class UpstreamDialer
{
    public static async Task<DialResult> DialAsync(EndPoint target, TimeSpan timeout, CancellationToken stopping)
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
            var reason = stopping.IsCancellationRequested ? CloseReason.ProxyStopped : CloseReason.UpstreamTimeout;
            return new DialResult(null, reason, SocketError.TimedOut);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            var reason = ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => CloseReason.UpstreamRefused,
                // The server accepted and reset before this dial's completion was observed.
                SocketError.ConnectionReset => CloseReason.ServerReset,
                SocketError.TimedOut => CloseReason.UpstreamTimeout,
                _ => CloseReason.UpstreamUnreachable,
            };
            return new DialResult(null, reason, ex.SocketErrorCode);
        }
    }
}
