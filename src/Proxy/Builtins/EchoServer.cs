using System.Net.Sockets;

namespace Chaos.Proxy.Builtins;

/// <summary><c>builtin:echo</c>: sends back every byte; after the client's FIN it half-closes in turn.</summary>
internal sealed class EchoServer : BuiltinServer
{
    protected override async Task ServeAsync(Socket socket, long ordinal, CancellationToken stopping)
    {
        var buffer = new byte[64 * 1024];
        int received;
        while ((received = await socket.ReceiveAsync(buffer, SocketFlags.None, stopping)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, received), SocketFlags.None, stopping);
        }
    }
}
