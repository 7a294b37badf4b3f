namespace Chaos.Scenarios;

/// <summary>
/// Collects every problem of one load, up to a cap, so a user sees all of them at once
/// (actions/runner style) without a pathological file producing millions of lines.
/// </summary>
internal sealed class DiagnosticBag(string file)
{
    internal const int MaxDiagnostics = 200;

    private readonly List<Diagnostic> _items = [];

    public string File { get; } = file;

    public bool HasErrors => _items.Count > 0;

    /// <summary>The problems in source order (rules run by concern, a reader wants them top to bottom).</summary>
    public IReadOnlyList<Diagnostic> Items => [.. _items.OrderBy(item => item.Line).ThenBy(item => item.Column)];

    public void Report(SourcePosition at, string code, string message, string? hint = null)
    {
        if (_items.Count < MaxDiagnostics)
        {
            _items.Add(new Diagnostic(File, at.Line, at.Column, code, message, hint));
        }
        else if (_items.Count == MaxDiagnostics)
        {
            _items.Add(new Diagnostic(File, at.Line, at.Column, DiagnosticCodes.TooManyErrors,
                $"more than {MaxDiagnostics} problems; the rest are not shown", "fix the ones above first"));
        }
    }
}
