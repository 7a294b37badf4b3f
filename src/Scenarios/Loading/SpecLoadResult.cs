namespace Chaos.Scenarios;

/// <summary>The outcome of loading one spec (a proxy or a toxic, e.g. an HTTP API body): the spec, or every problem found.</summary>
/// <typeparam name="T">The spec type.</typeparam>
/// <param name="Value">The spec; null when there is any error.</param>
/// <param name="Diagnostics">Every problem; empty when valid.</param>
public sealed record SpecLoadResult<T>(T? Value, IReadOnlyList<Diagnostic> Diagnostics)
    where T : class
{
    /// <summary>True when the spec loaded without errors.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Value))]
    public bool IsValid => Value is not null && Diagnostics.Count == 0;
}
