using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Chaos.Proxy.Observation;

/// <summary>
/// The kernel's view of one TCP socket, read from Linux <c>TCP_INFO</c> (<c>struct tcp_info</c> in
/// <c>&lt;linux/tcp.h&gt;</c>). <see cref="State"/> is the kernel's state name, such as <c>ESTABLISHED</c>,
/// <c>CLOSE_WAIT</c> or <c>FIN_WAIT2</c>. On a LISTEN socket <see cref="Unacked"/> is the accept-queue length.
/// </summary>
/// <param name="State">The kernel state name; an unknown state number is given as its number.</param>
/// <param name="Retransmits">Retransmissions of the current unacknowledged segment (<c>tcpi_retransmits</c>).</param>
/// <param name="Rtt">Smoothed round-trip time.</param>
/// <param name="Unacked">Segments sent and not yet acknowledged.</param>
/// <param name="Rto">Current retransmission timeout.</param>
/// <param name="TotalRetransmits">Retransmissions over the socket's life (<c>tcpi_total_retrans</c>).</param>
internal readonly record struct TcpInfo(
    string State, int Retransmits, TimeSpan Rtt, int Unacked, TimeSpan Rto, int TotalRetransmits)
{
    private const int Level = 6; // IPPROTO_TCP
    private const int Option = 11; // TCP_INFO

    // The kernel copies min(requested, sizeof(tcp_info)), so asking only up to the last field we decode
    // keeps the buffer small and still works on older kernels with a shorter struct.
    private const int Needed = 104;

    private static readonly string[] StateNames =
    [
        "0", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
        "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
    ];

    /// <summary>
    /// Reads <c>TCP_INFO</c>; null where it is not available (not Linux, a disposed or non-TCP socket, a
    /// short answer). Never throws. A socket that went to TIME_WAIT reads CLOSE: the TIME_WAIT lives in a
    /// separate kernel socket.
    /// </summary>
    internal static TcpInfo? TryRead(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[Needed];
        int length;
        try
        {
            length = socket.GetRawSocketOption(Level, Option, buffer);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or PlatformNotSupportedException)
        {
            return null;
        }
        if (length < Needed)
        {
            return null;
        }

        int state = buffer[0];
        return new TcpInfo(
            State: state < StateNames.Length ? StateNames[state] : state.ToString(CultureInfo.InvariantCulture),
            Retransmits: buffer[2],
            Rtt: Micros(U32(buffer, 68)),
            Unacked: (int)Math.Min(U32(buffer, 24), int.MaxValue),
            Rto: Micros(U32(buffer, 8)),
            TotalRetransmits: (int)Math.Min(U32(buffer, 100), int.MaxValue));
    }

    // tcp_info is in host byte order.
    private static uint U32(ReadOnlySpan<byte> buffer, int offset) => MemoryMarshal.Read<uint>(buffer[offset..]);

    private static TimeSpan Micros(uint value) => TimeSpan.FromMicroseconds(value);
}
