namespace Chaos.Scenarios;

/// <summary>The outcome of loading a scenario: the scenario, or every problem found.</summary>
/// <param name="Scenario">The scenario; null when there is any error (a scenario with problems is never half-run).</param>
/// <param name="Diagnostics">Every problem, in source order per rule; empty when valid.</param>
public sealed record ScenarioLoadResult(Scenario? Scenario, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>True when the scenario loaded without errors.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Scenario))]
    public bool IsValid => Scenario is not null && Diagnostics.Count == 0;
}
