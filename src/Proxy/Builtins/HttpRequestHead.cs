namespace Chaos.Proxy.Builtins;

/// <summary>The parts of an HTTP/1.x request head that <see cref="HttpResponder"/> needs.</summary>
internal sealed record HttpRequestHead(string Method, string Target, long ContentLength, bool KeepAlive)
{
    private const long MaxBody = 64L * 1024 * 1024;

    /// <summary>Null when the head is not a valid HTTP/1.x request.</summary>
    public static HttpRequestHead? Parse(string head)
    {
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return null;
        }

        var keepAlive = requestLine[2] != "HTTP/1.0";
        var contentLength = 0L;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                return null;
            }
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) &&
                (!long.TryParse(value, out contentLength) || contentLength is < 0 or > MaxBody))
            {
                return null;
            }
            if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                keepAlive = value.Equals("keep-alive", StringComparison.OrdinalIgnoreCase) ||
                    (keepAlive && !value.Equals("close", StringComparison.OrdinalIgnoreCase));
            }
        }
        return new HttpRequestHead(requestLine[0], requestLine[1], contentLength, keepAlive);
    }
}
