namespace Chaos.Scenarios;

/// <summary>
/// One problem found in a scenario, pointing at the offending node.
/// </summary>
/// <param name="File">The source name given to the loader (a path, or e.g. "request body").</param>
/// <param name="Line">1-based line of the offending node (the key for unknown keys, the value for bad values).</param>
/// <param name="Column">1-based column of the offending node.</param>
/// <param name="Code">A stable code from <see cref="DiagnosticCodes"/>.</param>
/// <param name="Message">What is wrong, in one sentence.</param>
/// <param name="Hint">How to fix it (a suggestion, the list of allowed values), or null.</param>
public sealed record Diagnostic(string File, int Line, int Column, string Code, string Message, string? Hint)
{
    /// <summary>Formats as <c>file(line,col): error CODE: message (hint: ...)</c> on one line.</summary>
    public override string ToString()
    {
        var text = $"{File}({Line},{Column}): error {Code}: {Message}";
        if (Hint is not null)
        {
            text += $" (hint: {Hint})";
        }

        return text.ReplaceLineEndings(" ");
    }
}
