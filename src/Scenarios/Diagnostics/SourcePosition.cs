namespace Chaos.Scenarios;

/// <summary>A 1-based line and column in a scenario's source text.</summary>
internal readonly record struct SourcePosition(int Line, int Column)
{
    public static SourcePosition Start { get; } = new(1, 1);
}
