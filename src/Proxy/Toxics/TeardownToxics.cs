namespace Chaos.Proxy.Toxics;

/// <summary><c>fin_delay</c>: the FIN is forwarded late; the closer waits in FIN_WAIT2, the proxy's socket in CLOSE_WAIT.</summary>
internal sealed class FinDelay(TimeSpan delay) : IFinToxic
{
    public Decision OnFin() => Decision.After(delay);
}

/// <summary><c>fin_drop</c>: the FIN is never forwarded (until the toxic is removed): the receiver stays half-open.</summary>
internal sealed class FinDrop : IFinToxic
{
    public Decision OnFin() => Decision.Hang;
}

/// <summary><c>fin_reset</c>: the receiver gets RST where the sender sent FIN; the sender gets a FIN back.</summary>
internal sealed class FinReset : IFinToxic
{
    public Decision OnFin() => Decision.Reset();
}

/// <summary><c>slow_close</c> (Toxiproxy): the close in the stream is forwarded late.</summary>
internal sealed class SlowClose(TimeSpan delay) : IFinToxic
{
    public Decision OnFin() => Decision.After(delay);
}

/// <summary><c>close_reset</c>: when the connection ends, both sides get RST instead of FIN.</summary>
internal sealed class CloseReset : ICloseToxic
{
    public Decision OnClose() => Decision.Reset();
}
