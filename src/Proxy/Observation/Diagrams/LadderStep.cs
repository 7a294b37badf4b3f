namespace Chaos.Proxy.Observation.Diagrams;

/// <summary>A vertical line of a ladder diagram: one of the three parties a relayed connection involves.</summary>
internal enum Lane { Client, Chaos, Server }

/// <summary>How a ladder step is drawn.</summary>
internal enum StepKind
{
    /// <summary>An ordinary message between two lanes (connect, data, FIN).</summary>
    Message,

    /// <summary>An RST between two lanes.</summary>
    Reset,

    /// <summary>A message that did not arrive: a failed upstream dial.</summary>
    Failed,

    /// <summary>A toxic acted, or let go of what it held.</summary>
    Fault,

    /// <summary>A remark on one lane, such as a kernel TCP state.</summary>
    Note,
}

/// <summary>
/// One row of a ladder, whatever it is drawn with: an arrow from <paramref name="From"/> to <paramref name="To"/>
/// labelled <paramref name="Text"/>, or a note on <paramref name="From"/> (then equal to <paramref name="To"/>).
/// <paramref name="Detail"/> says more than fits on an arrow.
/// </summary>
internal sealed record LadderStep(TimeSpan Offset, StepKind Kind, Lane From, Lane To, string Text, string? Detail = null)
{
    public bool IsArrow => Kind is StepKind.Message or StepKind.Reset or StepKind.Failed;
}
