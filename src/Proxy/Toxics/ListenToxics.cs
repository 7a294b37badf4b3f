namespace Chaos.Proxy.Toxics;

/// <summary><c>refuse</c>: the listener is closed while the toxic is present, so the kernel answers SYNs with RST.</summary>
internal sealed class Refuse : IListenToxic
{
    public ListenFault Fault { get; } = new(Refuse: true, ReleaseAfter: null);
}

/// <summary>
/// <c>syn_drop</c>, an emulation: the proxy stops accepting and fills the kernel's accept queue, so further
/// SYNs are dropped and clients retransmit. It affects every client of the listener.
/// </summary>
internal sealed class SynDrop(TimeSpan? releaseAfter) : IListenToxic
{
    public ListenFault Fault { get; } = new(Refuse: false, ReleaseAfter: releaseAfter);
}
