namespace Chaos.Proxy.Toxics;

/// <summary>What the engine does at a hook point when a toxic acts there.</summary>
internal enum DecisionKind
{
    /// <summary>Carry on, after <see cref="Decision.Delay"/>.</summary>
    Proceed,

    /// <summary>Stop here until the toxic is removed, then carry on.</summary>
    Hang,

    /// <summary>After the delay, end with FIN (graceful close).</summary>
    CloseWithFin,

    /// <summary>After the delay, end with RST (abortive close).</summary>
    ResetWithRst,
}

/// <summary>A toxic's verdict at a hook point; the engine carries it out with the socket calls of reference/linux-tcp-facts.md.</summary>
internal readonly record struct Decision(DecisionKind Kind, TimeSpan Delay)
{
    public static Decision After(TimeSpan delay) => new(DecisionKind.Proceed, delay);

    public static Decision Hang => new(DecisionKind.Hang, TimeSpan.Zero);

    public static Decision Close(TimeSpan delay = default) => new(DecisionKind.CloseWithFin, delay);

    public static Decision Reset(TimeSpan delay = default) => new(DecisionKind.ResetWithRst, delay);

    /// <summary>How the decision reads in events and logs, e.g. "reset after 200 ms".</summary>
    public string Describe()
    {
        var action = Kind switch
        {
            DecisionKind.Proceed => "delay",
            DecisionKind.Hang => "hang",
            DecisionKind.CloseWithFin => "close (FIN)",
            _ => "reset (RST)",
        };
        return Delay > TimeSpan.Zero ? $"{action} {Delay.TotalMilliseconds:0.#} ms" : action;
    }
}
