using Chaos.Scenarios;

namespace Chaos.Proxy.Toxics;

/// <summary>Builds the behaviour of a validated toxic spec. Every type of the catalogue has a row here (a test checks it).</summary>
internal static class ToxicFactory
{
    public static IToxic Create(ToxicSpec spec)
    {
        var a = spec.Attributes;
        TimeSpan Duration(string name) => a.GetDuration(name) ?? TimeSpan.Zero;
        return spec.Type switch
        {
            "refuse" => new Refuse(),
            "syn_drop" => new SynDrop(a.GetDuration("release_after")),
            "accept_delay" => new AcceptDelay(Duration("delay")),
            "accept_hang" => new AcceptHang(),
            "accept_reset" => new AcceptReset(Duration("delay")),
            "accept_close" => new AcceptClose(Duration("delay")),
            "connect_delay" => new ConnectDelay(Duration("delay")),
            "connect_hang" => new ConnectHang(),
            "connect_fail" => new ConnectFail(withClose: a.GetChoice("with") == "close"),
            "first_byte_delay" => new FirstByteDelay(Duration("delay")),
            "first_byte_hang" => new FirstByteHang(),
            "first_byte_reset" => new FirstByteReset(),
            "first_byte_close" => new FirstByteClose(),
            "latency" => new Latency(Duration("latency"), Duration("jitter")),
            "bandwidth" => new Bandwidth(a.GetNumber("rate")),
            "slicer" => new Slicer((int)a.GetNumber("average_size"), (int)a.GetNumber("size_variation"), Duration("delay")),
            "limit_data" => new LimitData(a.GetNumber("bytes")),
            "timeout" => new DataTimeout(Duration("timeout")),
            "reset_peer" => new ResetPeer(Duration("timeout")),
            "slow_close" => new SlowClose(Duration("delay")),
            "noop" => new Noop(),
            "fin_delay" => new FinDelay(Duration("delay")),
            "fin_drop" => new FinDrop(),
            "fin_reset" => new FinReset(),
            "close_reset" => new CloseReset(),
            _ => throw new ArgumentException($"no behaviour for toxic type '{spec.Type}'", nameof(spec)),
        };
    }
}
