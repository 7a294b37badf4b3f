namespace Chaos.Proxy.Engine;

/// <summary>Engine-wide settings. Defaults suit loopback services and CI.</summary>
internal sealed record RelayOptions
{
    /// <summary>How long an upstream dial may take before the client is reset. A SYN into a full accept queue gets no answer at all, so this bound is what saves the client.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>On stop, how long open connections get after their FIN to finish before they are closed hard.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How many of the latest events the run keeps (for the API's history and report, diagrams, the live view);
    /// null keeps all. A long-lived server sets a limit so memory stays bounded; its report then covers the latest
    /// events. 0 keeps none, for a run that reads none back.
    /// </summary>
    public int? EventHistoryLimit { get; init; }

    /// <summary>
    /// Whether connections sample the kernel's TCP state (<c>TCP_INFO</c>) at accept, first byte, FIN, fault and
    /// close. Only diagrams, the event log and the live event stream show the samples, and they cost eleven
    /// getsockopt calls and events per connection, so a run that shows none of those turns them off.
    /// </summary>
    public bool SampleTcpState { get; init; } = true;

    /// <summary>
    /// Whether connections of a proxy with no toxics are relayed by the pass-through loop (one epoll thread, Linux
    /// x64/arm64) rather than .NET's asynchronous socket operations; they move to the managed pumps as soon as a
    /// toxic is published. Off only to compare the two or to rule the loop out.
    /// </summary>
    public bool PassThroughLoop { get; init; } = true;

    /// <summary>Bytes per receive; large buffers cut syscalls on bulk transfers (reference/linux-tcp-facts.md §4).</summary>
    public int BufferSize { get; init; } = 128 * 1024;
}
