using System.Net.Sockets;
using System.Text;

namespace Chaos.Proxy.Builtins;

/// <summary>
/// <c>builtin:http</c>: a tiny HTTP/1.1 responder that answers every request with 200 and says which
/// connection and which request on it it is serving, so retries and keep-alive are visible from curl.
/// </summary>
internal sealed class HttpResponder : BuiltinServer
{
    private const int MaxHeaderBytes = 16 * 1024;

    protected override async Task ServeAsync(Socket socket, long ordinal, CancellationToken stopping)
    {
        var buffer = new byte[MaxHeaderBytes];
        var filled = 0;
        for (var requestNumber = 1; ; requestNumber++)
        {
            int headerEnd;
            while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (filled == buffer.Length)
                {
                    await RespondAsync(socket, "431 Request Header Fields Too Large", "request headers too large\n", ordinal, keepAlive: false, stopping);
                    return;
                }
                var received = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, stopping);
                if (received == 0)
                {
                    return;
                }
                filled += received;
            }

            var request = HttpRequestHead.Parse(Encoding.ASCII.GetString(buffer, 0, headerEnd));
            if (request is null)
            {
                await RespondAsync(socket, "400 Bad Request", "malformed request\n", ordinal, keepAlive: false, stopping);
                return;
            }

            var consumed = headerEnd + 4;
            filled = await SkipBodyAsync(socket, buffer, consumed, filled, request.ContentLength, stopping);
            var body = $"builtin:http connection {ordinal}, request {requestNumber}: {request.Method} {request.Target}\n";
            await RespondAsync(socket, "200 OK", body, ordinal, request.KeepAlive, stopping);
            if (!request.KeepAlive)
            {
                return;
            }
        }
    }

    /// <summary>Drops the request body and keeps any pipelined bytes after it at the buffer's start; returns how many remain.</summary>
    private static async Task<int> SkipBodyAsync(Socket socket, byte[] buffer, int consumed, int filled, long bodyLength, CancellationToken stopping)
    {
        var bufferedBody = (int)Math.Min(bodyLength, filled - consumed);
        consumed += bufferedBody;
        for (var remaining = bodyLength - bufferedBody; remaining > 0;)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(remaining, buffer.Length)), SocketFlags.None, stopping);
            if (received == 0)
            {
                return 0;
            }
            remaining -= received;
        }
        var left = Math.Max(filled - consumed, 0);
        buffer.AsSpan(consumed, left).CopyTo(buffer);
        return left;
    }

    private static async Task RespondAsync(Socket socket, string status, string body, long ordinal, bool keepAlive, CancellationToken stopping)
    {
        var bodyBytes = Encoding.UTF8.GetByteCount(body);
        var response =
            $"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {bodyBytes}\r\n" +
            $"X-Chaos-Connection: {ordinal}\r\nConnection: {(keepAlive ? "keep-alive" : "close")}\r\n\r\n{body}";
        await socket.SendAsync(Encoding.UTF8.GetBytes(response), SocketFlags.None, stopping);
    }
}
