using System.Collections.Immutable;

namespace Chaos.Scenarios;

/// <summary>
/// A validated scenario: the proxies to run, how their toxics change over time, and what to expect at the end.
/// A YAML document, a Toxiproxy proxies JSON array and an HTTP API body all load into this one model.
/// </summary>
/// <param name="Version">The format version (1).</param>
/// <param name="Name">A short name, or null.</param>
/// <param name="Description">Free text, or null.</param>
/// <param name="Seed">Seed for toxicity rolls, jitter and slicer sizes; null means a fresh seed per run.</param>
/// <param name="Duration">Stop after this long; null means run until stopped or until the wrapped command exits.</param>
/// <param name="Proxies">The proxies, in file order.</param>
/// <param name="Timeline">Changes at offsets from the start, in order.</param>
/// <param name="Expectations">Checks made at the end of a run (the <c>expect:</c> list).</param>
public sealed record Scenario(
    int Version,
    string? Name,
    string? Description,
    long? Seed,
    TimeSpan? Duration,
    ImmutableArray<ProxySpec> Proxies,
    ImmutableArray<TimelineStep> Timeline,
    ImmutableArray<Expectation> Expectations)
{
    /// <summary>The only format version this build reads.</summary>
    public const int CurrentVersion = 1;
}
