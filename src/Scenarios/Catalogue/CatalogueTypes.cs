using System.Collections.Immutable;

namespace Chaos.Scenarios;

/// <summary>Where in a connection's life a toxic acts.</summary>
public enum LifecyclePoint
{
    /// <summary>The proxy's listener itself.</summary>
    Listen,

    /// <summary>After <c>accept()</c>, before dialling upstream.</summary>
    Accept,

    /// <summary>Around the upstream dial.</summary>
    Connect,

    /// <summary>Before the first chunk in a direction is forwarded.</summary>
    FirstByte,

    /// <summary>Every chunk.</summary>
    Data,

    /// <summary>A side half-closed (a 0-byte read).</summary>
    Fin,

    /// <summary>The connection ends.</summary>
    Close,
}

/// <summary>The unit of a toxic attribute; numbers are whole numbers in it.</summary>
public enum AttributeUnit
{
    /// <summary>Milliseconds; <c>"200ms"</c> and <c>"1.5s"</c> are accepted too.</summary>
    Milliseconds,

    /// <summary>Microseconds (Toxiproxy's slicer <c>delay</c>); <c>"200us"</c> and <c>"1ms"</c> are accepted too.</summary>
    Microseconds,

    /// <summary>Bytes.</summary>
    Bytes,

    /// <summary>Kilobytes per second, 1 KB = 1000 bytes (Toxiproxy's bandwidth <c>rate</c>).</summary>
    KilobytesPerSecond,

    /// <summary>One word out of <see cref="ToxicAttributeInfo.Choices"/>.</summary>
    Choice,
}

/// <summary>Whether a toxic does on the wire exactly what its name says, or the closest thing a user-space proxy can do.</summary>
public enum Fidelity
{
    /// <summary>The wire shows exactly the named fault.</summary>
    Exact,

    /// <summary>An emulation; <see cref="ToxicTypeInfo.FidelityNote"/> says what really goes on the wire.</summary>
    Emulation,
}

/// <summary>One attribute of a toxic type.</summary>
/// <param name="Name">Toxiproxy's JSON name.</param>
/// <param name="Unit">The unit of the value.</param>
/// <param name="Default">The value when absent, or null when the attribute is required or absence has its own meaning.</param>
/// <param name="IsRequired">True when the attribute must be given.</param>
/// <param name="Min">The smallest allowed number (ignored for choices).</param>
/// <param name="Max">The largest allowed number (ignored for choices).</param>
/// <param name="Choices">The allowed words for <see cref="AttributeUnit.Choice"/>; empty otherwise.</param>
/// <param name="Summary">What the attribute does, in a few words.</param>
/// <param name="LessThan">The attribute this one must stay below (slicer's <c>size_variation</c> &lt; <c>average_size</c>), or null.</param>
public sealed record ToxicAttributeInfo(
    string Name,
    AttributeUnit Unit,
    ToxicAttributeValue? Default,
    bool IsRequired,
    long Min,
    long Max,
    ImmutableArray<string> Choices,
    string Summary,
    string? LessThan = null)
{
    /// <summary>The unit as written in docs: <c>ms</c>, <c>µs</c>, <c>bytes</c>, <c>KB/s</c>, or the choices.</summary>
    public string UnitText => Unit switch
    {
        AttributeUnit.Milliseconds => "ms",
        AttributeUnit.Microseconds => "µs",
        AttributeUnit.Bytes => "bytes",
        AttributeUnit.KilobytesPerSecond => "KB/s",
        _ => string.Join(" | ", Choices),
    };

    /// <summary>True for duration attributes, which accept <c>"250ms"</c>-style strings.</summary>
    public bool IsDuration => Unit is AttributeUnit.Milliseconds or AttributeUnit.Microseconds;
}

/// <summary>One toxic type: the single row that validation, <c>chaos toxics</c>, the README table and the JSON Schema come from.</summary>
/// <param name="Name">The type name, e.g. <c>latency</c>.</param>
/// <param name="Point">Where in the connection's life it acts.</param>
/// <param name="Attributes">Its attributes, in documentation order.</param>
/// <param name="Summary">What it does, in one line.</param>
/// <param name="Wire">What the client and the server see.</param>
/// <param name="Fidelity">Exact, or an emulation.</param>
/// <param name="FidelityNote">For emulations: what really goes on the wire, and why.</param>
/// <param name="FromToxiproxy">True for Toxiproxy's own types, which keep its semantics and units.</param>
public sealed record ToxicTypeInfo(
    string Name,
    LifecyclePoint Point,
    ImmutableArray<ToxicAttributeInfo> Attributes,
    string Summary,
    string Wire,
    Fidelity Fidelity,
    string? FidelityNote,
    bool FromToxiproxy)
{
    /// <summary>True when <c>stream</c> picks the direction (first_byte, data and fin toxics); handshake toxics ignore it.</summary>
    public bool UsesStream => Point is LifecyclePoint.FirstByte or LifecyclePoint.Data or LifecyclePoint.Fin;

    /// <summary>The attribute called <paramref name="name"/>, or null.</summary>
    public ToxicAttributeInfo? Attribute(string name) => Attributes.FirstOrDefault(attribute => attribute.Name == name);
}
