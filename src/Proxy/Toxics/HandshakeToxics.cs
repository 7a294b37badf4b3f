namespace Chaos.Proxy.Toxics;

/// <summary><c>accept_delay</c>: connect succeeds; the proxy waits before dialling upstream.</summary>
internal sealed class AcceptDelay(TimeSpan delay) : IAcceptToxic
{
    public Decision OnAccept() => Decision.After(delay);
}

/// <summary><c>accept_hang</c>: connect succeeds; nothing is ever served (until the toxic is removed).</summary>
internal sealed class AcceptHang : IAcceptToxic
{
    public Decision OnAccept() => Decision.Hang;
}

/// <summary><c>accept_reset</c>: connect succeeds, then RST; the server never sees the connection.</summary>
internal sealed class AcceptReset(TimeSpan delay) : IAcceptToxic
{
    public Decision OnAccept() => Decision.Reset(delay);
}

/// <summary><c>accept_close</c>: connect succeeds, then FIN; the server never sees the connection.</summary>
internal sealed class AcceptClose(TimeSpan delay) : IAcceptToxic
{
    public Decision OnAccept() => Decision.Close(delay);
}

/// <summary><c>connect_delay</c>: the upstream dial starts late.</summary>
internal sealed class ConnectDelay(TimeSpan delay) : IConnectToxic
{
    public Decision OnConnect() => Decision.After(delay);
}

/// <summary><c>connect_hang</c>: the upstream is never dialled; the client waits.</summary>
internal sealed class ConnectHang : IConnectToxic
{
    public Decision OnConnect() => Decision.Hang;
}

/// <summary><c>connect_fail</c>: the dial is not made; the client gets RST (<c>with: reset</c>) or FIN (<c>with: close</c>).</summary>
internal sealed class ConnectFail(bool withClose) : IConnectToxic
{
    public Decision OnConnect() => withClose ? Decision.Close() : Decision.Reset();
}
