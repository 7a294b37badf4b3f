using System.Net.Sockets;

namespace Chaos.Proxy.Engine;

/// <summary>
/// The exact socket calls that put a FIN or an RST on the wire (reference/linux-tcp-facts.md §1c).
/// Every close in the engine goes through here so the wire effect of each path is stated once.
/// </summary>
internal static class SocketActions
{
    /// <summary>Half-close: sends a FIN; the other direction keeps flowing. False if the socket is already dead.</summary>
    public static bool TrySendFin(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Abortive close: linger 0 makes close() send an RST instead of a FIN.</summary>
    public static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed or already reset by the peer: nothing left to put on the wire.
        }
        socket.Dispose();
    }

    /// <summary>
    /// Graceful close. Shutdown(Send) first, because disposing a socket with a pending receive is
    /// abortive in .NET and would send an RST instead of the FIN we want.
    /// </summary>
    public static void Close(Socket socket)
    {
        TrySendFin(socket);
        socket.Dispose();
    }

    /// <summary>
    /// Close that sends the FIN too, in one call: close() sends a FIN when nothing is left unread, so only for a socket
    /// read to its peer's FIN, and only where no other thread holds it (.NET then closes abortively, with an RST).
    /// </summary>
    public static void CloseDrained(Socket socket) => socket.Dispose();

    /// <summary>True for errors that mean the peer reset the connection (or it died under us).</summary>
    public static bool IsPeerReset(SocketError error) => error is
        SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted or
        SocketError.TimedOut or SocketError.NotConnected or SocketError.HostUnreachable or SocketError.NetworkReset;
}
