using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Chaos.Scenarios;

/// <summary>
/// Every toxic type, in lifecycle order: the one table that validation, <c>chaos toxics</c>, the README table
/// and the JSON Schema are generated from. Adding a toxic type starts with a row here.
/// </summary>
public static partial class ToxicCatalogue
{
    private const long MaxMilliseconds = 7 * 24 * 3600 * 1000L;
    private const long MaxChunkBytes = 16 * 1024 * 1024;

    /// <summary>All toxic types, grouped by lifecycle point in the connection's order.</summary>
    public static ImmutableArray<ToxicTypeInfo> All { get; } =
    [
        Type("refuse", LifecyclePoint.Listen, "closes the listener while active",
            "new connects get ECONNREFUSED: with no listener the kernel answers the SYN with RST"),
        Type("syn_drop", LifecyclePoint.Listen, "plugs the accept queue so new SYNs go unanswered",
            "clients retransmit SYN and time out; after release_after the plug is pulled and waiting clients connect on their next retransmit",
            "an accept-queue plug: the proxy stops calling accept() until the kernel's queue is full, so it affects every client of the listener, and the first few connects still complete before SYNs go unanswered",
            attributes: [Milliseconds("release_after", "pull the plug after this long; absent: while the toxic is active", defaultValue: null)]),
        Type("accept_delay", LifecyclePoint.Accept, "waits after accept() before dialling upstream",
            "connect succeeds; the proxy waits delay before dialling upstream",
            attributes: [Milliseconds("delay", "wait before dialling upstream", required: true)]),
        Type("accept_hang", LifecyclePoint.Accept, "accepts and never serves",
            "connect succeeds; nothing is ever served and upstream is never dialled"),
        Type("accept_reset", LifecyclePoint.Accept, "resets the connection right after accept()",
            "connect succeeds, then RST: the client gets ECONNRESET",
            "cannot refuse the SYN: the kernel finishes the three-way handshake before accept(), so connect() succeeds and the RST follows it",
            attributes: [Milliseconds("delay", "wait before the RST")]),
        Type("accept_close", LifecyclePoint.Accept, "closes the connection right after accept()",
            "connect succeeds, then FIN: the client reads EOF",
            attributes: [Milliseconds("delay", "wait before the FIN")]),
        Type("connect_delay", LifecyclePoint.Connect, "starts the upstream dial late",
            "the client's connect succeeds; the upstream dial starts delay late",
            attributes: [Milliseconds("delay", "wait before dialling upstream", required: true)]),
        Type("connect_hang", LifecyclePoint.Connect, "never dials the upstream",
            "the upstream is never dialled; the client waits"),
        Type("connect_fail", LifecyclePoint.Connect, "fails the upstream dial without making it",
            "the dial is not made; the client gets RST (with: reset) or FIN (with: close)",
            "stands in for a refused or failed upstream: the client's own handshake with the proxy already succeeded, so it sees a reset or EOF after connecting, never ECONNREFUSED",
            attributes: [Choice("with", "how the client's connection ends", "reset", "close")]),
        Type("first_byte_delay", LifecyclePoint.FirstByte, "holds the first chunk in stream",
            "the first chunk in stream arrives delay late; later chunks follow normally",
            attributes: [Milliseconds("delay", "how long the first chunk is held", required: true)]),
        Type("first_byte_hang", LifecyclePoint.FirstByte, "stalls at the first chunk in stream",
            "the first chunk in stream is never forwarded; the connection stays open and silent"),
        Type("first_byte_reset", LifecyclePoint.FirstByte, "resets both sides at the first chunk in stream",
            "on the first chunk in stream, both sides get RST; the chunk is not forwarded"),
        Type("first_byte_close", LifecyclePoint.FirstByte, "closes both sides at the first chunk in stream",
            "on the first chunk in stream, both sides get FIN; the chunk is not forwarded"),
        Type("latency", LifecyclePoint.Data, "delays every chunk by latency ± jitter",
            "Toxiproxy semantics: each chunk in stream is delivered latency ± jitter after it was received",
            fromToxiproxy: true,
            attributes: [Milliseconds("latency", "delay added to each chunk"), Milliseconds("jitter", "random spread around latency")]),
        Type("bandwidth", LifecyclePoint.Data, "limits the throughput of stream",
            "Toxiproxy semantics: data in stream flows at most rate KB/s (1 KB = 1000 bytes); 0 stops it",
            fromToxiproxy: true,
            attributes: [Number("rate", AttributeUnit.KilobytesPerSecond, "throughput cap", 0, 10_000_000)]),
        Type("slicer", LifecyclePoint.Data, "slices chunks into small writes with pauses",
            "Toxiproxy semantics: each chunk in stream arrives as pieces of about average_size bytes, delay µs apart",
            fromToxiproxy: true,
            attributes:
            [
                Number("average_size", AttributeUnit.Bytes, "mean piece size", 1, MaxChunkBytes, required: true),
                Number("size_variation", AttributeUnit.Bytes, "random spread of the piece size", 0, MaxChunkBytes) with { LessThan = "average_size" },
                Number("delay", AttributeUnit.Microseconds, "pause between pieces", 0, MaxMilliseconds * 1000),
            ]),
        Type("limit_data", LifecyclePoint.Data, "closes the connection after some bytes",
            "Toxiproxy semantics: exactly bytes bytes pass in stream, then the connection is closed",
            fromToxiproxy: true,
            attributes: [Number("bytes", AttributeUnit.Bytes, "bytes let through", 0, long.MaxValue)]),
        Type("timeout", LifecyclePoint.Data, "stops data, then closes",
            "Toxiproxy semantics: data in stream is dropped; the connection is closed after timeout (0 = never)",
            fromToxiproxy: true,
            attributes: [Milliseconds("timeout", "close after this long; 0 never closes")]),
        Type("reset_peer", LifecyclePoint.Data, "resets the connection after the first data",
            "Toxiproxy semantics: both sides get RST timeout after the first data in stream",
            fromToxiproxy: true,
            attributes: [Milliseconds("timeout", "wait after the first data before the RST")]),
        Type("slow_close", LifecyclePoint.Data, "delays the close",
            "Toxiproxy semantics: the close in stream is forwarded delay late",
            fromToxiproxy: true,
            attributes: [Milliseconds("delay", "how late the close is forwarded")]),
        Type("noop", LifecyclePoint.Data, "does nothing (useful to count and select)",
            "nothing changes on the wire",
            fromToxiproxy: true),
        Type("fin_delay", LifecyclePoint.Fin, "forwards the FIN in stream late",
            "the receiver sees the sender's FIN delay late; data in the other direction keeps flowing",
            attributes: [Milliseconds("delay", "how late the FIN is forwarded", required: true)]),
        Type("fin_drop", LifecyclePoint.Fin, "never forwards the FIN in stream",
            "the receiver never sees the FIN and stays half-open"),
        Type("fin_reset", LifecyclePoint.Fin, "turns the FIN in stream into an RST",
            "the receiver gets RST where the sender sent FIN"),
        Type("close_reset", LifecyclePoint.Close, "ends connections with RST instead of FIN",
            "when the connection ends, both sides get RST instead of FIN"),
    ];

    private static readonly FrozenDictionary<string, ToxicTypeInfo> ByName = All.ToFrozenDictionary(type => type.Name, StringComparer.Ordinal);

    /// <summary>The type names, in catalogue order.</summary>
    public static ImmutableArray<string> Names { get; } = [.. All.Select(type => type.Name)];

    /// <summary>The lifecycle point as scenarios and docs write it: <c>listen</c>, <c>first_byte</c>, ...</summary>
    public static string PointName(LifecyclePoint point) => point switch
    {
        LifecyclePoint.FirstByte => "first_byte",
        _ => point.ToString().ToLowerInvariant(),
    };

    /// <summary>Finds a type by its exact name.</summary>
    public static bool TryGet(string name, [NotNullWhen(true)] out ToxicTypeInfo? type) => ByName.TryGetValue(name, out type);

    private static ToxicTypeInfo Type(
        string name,
        LifecyclePoint point,
        string summary,
        string wire,
        string? emulation = null,
        bool fromToxiproxy = false,
        ImmutableArray<ToxicAttributeInfo> attributes = default) =>
        new(name, point, attributes.IsDefault ? [] : attributes, summary, wire,
            emulation is null ? Fidelity.Exact : Fidelity.Emulation, emulation, fromToxiproxy);

    private static ToxicAttributeInfo Milliseconds(string name, string summary, bool required = false, long? defaultValue = 0) =>
        new(name, AttributeUnit.Milliseconds, required ? null : Value(AttributeUnit.Milliseconds, defaultValue), required, 0, MaxMilliseconds, [], summary);

    private static ToxicAttributeInfo Number(string name, AttributeUnit unit, string summary, long min, long max, bool required = false) =>
        new(name, unit, required ? null : new ToxicAttributeValue(unit, 0, null), required, min, max, [], summary);

    private static ToxicAttributeInfo Choice(string name, string summary, params ImmutableArray<string> choices) =>
        new(name, AttributeUnit.Choice, new ToxicAttributeValue(AttributeUnit.Choice, 0, choices[0]), false, 0, 0, choices, summary);

    private static ToxicAttributeValue? Value(AttributeUnit unit, long? number) =>
        number is { } value ? new ToxicAttributeValue(unit, value, null) : null;
}
