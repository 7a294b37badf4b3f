namespace Chaos.Scenarios;

/// <summary>
/// A scenario, proxy or toxic given in code did not validate. The message lists every problem, one per line,
/// as <c>chaos validate</c> prints them.
/// </summary>
public sealed class InvalidScenarioException : Exception
{
    /// <summary>Wraps the problems found.</summary>
    /// <param name="diagnostics">Every problem found; at least one.</param>
    public InvalidScenarioException(IReadOnlyList<Diagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics))
    {
        Diagnostics = diagnostics;
    }

    /// <summary>Every problem found, with its position and hint.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>The scenario of a load result, or this exception with its problems.</summary>
    public static Scenario ThrowIfInvalid(ScenarioLoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.IsValid ? result.Scenario : throw new InvalidScenarioException(result.Diagnostics);
    }

    /// <summary>The spec of a load result, or this exception with its problems.</summary>
    public static T ThrowIfInvalid<T>(SpecLoadResult<T> result)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.IsValid ? result.Value : throw new InvalidScenarioException(result.Diagnostics);
    }
}
