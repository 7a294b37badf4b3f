using System.Net;
using System.Net.Sockets;

namespace Chaos.Proxy.Tests.Support;

/// <summary>Real loopback peers for socket tests.</summary>
internal static class Peers
{
    /// <summary>A listening socket on an ephemeral loopback port.</summary>
    public static Socket Listen(IPAddress? address = null, int backlog = 512)
    {
        address ??= IPAddress.Loopback;
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(address, 0));
        listener.Listen(backlog);
        return listener;
    }

    public static async Task<Socket> ConnectAsync(EndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint);
        return socket;
    }

    /// <summary>Reads until EOF and returns everything received.</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int count;
        while ((count = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            received.Write(buffer, 0, count);
        }
        return received.ToArray();
    }

    public static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = data[await socket.SendAsync(data, SocketFlags.None)..];
        }
    }

    /// <summary>Closes with linger 0, which puts an RST on the wire.</summary>
    public static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Dispose();
    }

    /// <summary>Connects; null when an RST from the proxy beat the connect's own completion.</summary>
    public static async Task<Socket?> TryConnectAsync(EndPoint endPoint)
    {
        try
        {
            return await ConnectAsync(endPoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return null;
        }
    }

    /// <summary>
    /// Connects and reads once; the error either step gives. An RST that comes right after the handshake can
    /// beat the connect's own completion, so a fast reset surfaces from connect or from the read.
    /// </summary>
    public static async Task<SocketError> ConnectAndReceiveErrorAsync(EndPoint endPoint)
    {
        try
        {
            using var socket = await ConnectAsync(endPoint);
            return await ReceiveErrorAsync(socket);
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
    }

    /// <summary>The error the next receive gives, or Success if it returned data or EOF.</summary>
    public static async Task<SocketError> ReceiveErrorAsync(Socket socket)
    {
        try
        {
            await socket.ReceiveAsync(new byte[1], SocketFlags.None);
            return SocketError.Success;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
    }
}
