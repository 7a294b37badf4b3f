using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Chaos.Scenarios;

/// <summary>
/// Checks raw input before any YAML parsing: the size cap, UTF-8, no binary control characters, and no tabs
/// in block indentation (YAML forbids them, and a tab that renders as 8 columns silently changes the structure).
/// </summary>
internal static class SourceText
{
    internal const int MaxBytes = 1024 * 1024;

    public static string? Decode(ReadOnlySpan<byte> bytes, DiagnosticBag bag)
    {
        if (bytes.Length > MaxBytes)
        {
            ReportTooLarge(bytes.Length, bag);
            return null;
        }

        var chars = new char[bytes.Length];
        var status = Utf8.ToUtf16(bytes, chars, out var read, out var written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            bag.Report(PositionOf(chars.AsSpan(0, written), written), DiagnosticCodes.NotText,
                $"byte {read} is not UTF-8 text", "scenarios are UTF-8 YAML or JSON, not binary files");
            return null;
        }

        var text = new string(chars, 0, written);
        return Check(text, bag) ? text : null;
    }

    public static bool Check(string text, DiagnosticBag bag)
    {
        if (text.Length > MaxBytes || Encoding.UTF8.GetByteCount(text) > MaxBytes)
        {
            ReportTooLarge(Encoding.UTF8.GetByteCount(text), bag);
            return false;
        }

        var bad = text.AsSpan().IndexOfAny(ControlCharacters);
        if (bad >= 0)
        {
            bag.Report(PositionOf(text, bad), DiagnosticCodes.NotText,
                $"the input holds the control character U+{(int)text[bad]:X4}", "scenarios are UTF-8 YAML or JSON, not binary files");
            return false;
        }

        return !HasIndentationTabs(text, bag);
    }

    public static SourcePosition PositionOf(ReadOnlySpan<char> text, int index)
    {
        var before = text[..index];
        var line = before.Count('\n') + 1;
        return new SourcePosition(line, index - before.LastIndexOf('\n'));
    }

    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        [.. Enumerable.Range(0, 0xA0).Select(c => (char)c).Where(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r'))]);

    private static bool HasIndentationTabs(string text, DiagnosticBag bag)
    {
        // A JSON document is one flow collection, where YAML allows tabs as white space: Go's json.MarshalIndent
        // and many editors indent Toxiproxy config files with tabs.
        var first = text.AsSpan().TrimStart(" \t\r\n\uFEFF");
        if (first.Length > 0 && first[0] is '[' or '{')
        {
            return false;
        }

        var found = false;
        for (var start = 0; start < text.Length; start = text.IndexOf('\n', start) is var end and >= 0 ? end + 1 : text.Length)
        {
            var line = text.AsSpan(start);
            var indent = line.Length - line.TrimStart(" \t").Length;
            var tab = line[..indent].IndexOf('\t');
            if (tab >= 0)
            {
                bag.Report(PositionOf(text, start + tab), DiagnosticCodes.TabIndentation, "a tab is used for indentation", "indent with spaces");
                found = true;
            }
        }

        return found;
    }

    private static void ReportTooLarge(int size, DiagnosticBag bag) =>
        bag.Report(SourcePosition.Start, DiagnosticCodes.FileTooLarge,
            $"the input is {size} bytes, over the {MaxBytes / 1024} KiB cap", "a scenario is a few kilobytes; split it or remove generated content");
}
