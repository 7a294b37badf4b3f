using System.Globalization;

namespace Chaos.Scenarios;

/// <summary>
/// Converts nodes to values, reporting a diagnostic at the node when the type is wrong.
/// Every method returns null (or an empty list) after reporting, so binding carries on and finds every problem.
/// </summary>
internal sealed class NodeBinder(DiagnosticBag bag)
{
    public DiagnosticBag Bag { get; } = bag;

    public void Report(SourceNode at, string code, string message, string? hint = null) => Bag.Report(at.Position, code, message, hint);

    /// <summary>The mapping's fields; unknown keys are reported at the key with a suggestion.</summary>
    public Fields? Fields(SourceNode node, string what, params IReadOnlyCollection<string> known) =>
        Fields(node, what, DiagnosticCodes.UnknownKey, known);

    /// <summary>The mapping's fields; unknown keys are reported at the key with <paramref name="unknownCode"/> and a suggestion.</summary>
    public Fields? Fields(SourceNode node, string what, string unknownCode, IReadOnlyCollection<string> known)
    {
        if (node is not MappingNode mapping)
        {
            WrongType(node, what, "a mapping");
            return null;
        }

        foreach (var key in mapping.Entries.Select(entry => entry.Key).Where(key => !known.Contains(key.Value)))
        {
            Report(key, unknownCode, $"'{key.Value}' is not a key of {what}",
                known.Count == 0 ? "it has none" : Suggestions.Hint(key.Value, known, "known keys"));
        }

        return new Fields(mapping, what, known, this);
    }

    /// <summary>The items of a list; an absent or null node is an empty list.</summary>
    public IReadOnlyList<SourceNode> Sequence(SourceNode? node, string what)
    {
        switch (node)
        {
            case null or ScalarNode { IsNull: true }:
                return [];
            case SequenceNode sequence:
                return sequence.Items;
            default:
                WrongType(node, what, "a list");
                return [];
        }
    }

    public string? String(SourceNode node, string what)
    {
        if (node is ScalarNode { IsNull: false } scalar)
        {
            return scalar.Value;
        }

        WrongType(node, what, "a string");
        return null;
    }

    public long? Integer(SourceNode node, string what)
    {
        if (node is ScalarNode scalar && long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        WrongType(node, what, "a whole number");
        return null;
    }

    public double? Number(SourceNode node, string what)
    {
        if (node is ScalarNode scalar
            && double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && double.IsFinite(value))
        {
            return value;
        }

        WrongType(node, what, "a number");
        return null;
    }

    public bool? Boolean(SourceNode node, string what)
    {
        // The YAML 1.2 core schema: yes/no/on/off are strings there, and a typo of them should not flip a proxy.
        if (node is ScalarNode { IsPlain: true } scalar)
        {
            switch (scalar.Value)
            {
                case "true" or "True" or "TRUE":
                    return true;
                case "false" or "False" or "FALSE":
                    return false;
            }
        }

        WrongType(node, what, "true or false");
        return null;
    }

    public TimeSpan? Duration(SourceNode node, string what)
    {
        if (String(node, what) is not { } text)
        {
            return null;
        }

        if (Durations.TryParse(text, out var value, out var error))
        {
            return value;
        }

        Report(node, DiagnosticCodes.BadDuration, $"{what}: {error}", DurationHint);
        return null;
    }

    public const string DurationHint = "write whole milliseconds (250) or a number with a unit: 250ms, 1.5s, 2m (units us, ms, s, m, h)";

    /// <summary>A name: non-empty, printable, no white space at the ends.</summary>
    public string? Name(SourceNode node, string what)
    {
        if (String(node, what) is not { } name)
        {
            return null;
        }

        if (name.Length == 0 || name.Trim() != name || name.Any(char.IsControl) || name.Length > 200)
        {
            Report(node, DiagnosticCodes.BadName, $"{what} '{name}' is empty, too long, or has white space at its ends", "use letters, digits, '-', '_' and '.'");
            return null;
        }

        return name;
    }

    private void WrongType(SourceNode node, string what, string expected) =>
        Report(node, DiagnosticCodes.WrongType, $"{what} must be {expected}, not {Describe(node)}", null);

    private static string Describe(SourceNode node) =>
        node is ScalarNode { IsNull: false } scalar ? $"'{Shorten(scalar.Value)}'" : node.Kind;

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";
}

/// <summary>The entries of one mapping, by key.</summary>
internal sealed class Fields(MappingNode mapping, string what, IReadOnlyCollection<string> known, NodeBinder binder)
{
    public MappingNode Node { get; } = mapping;

    /// <summary>The value of <paramref name="key"/>, or null when absent or written as null.</summary>
    public SourceNode? Optional(string key)
    {
        var value = Node.Entries.FirstOrDefault(entry => entry.Key.Value == key).Value;
        return value is ScalarNode { IsNull: true } ? null : value;
    }

    /// <summary>The value of <paramref name="key"/>; when absent, reports it at the mapping, unless a misspelt key (already reported) stands for it.</summary>
    public SourceNode? Required(string key, string? hint = null)
    {
        var value = Optional(key);
        var misspelt = Node.Entries.Any(entry => !known.Contains(entry.Key.Value) && Suggestions.Closest(entry.Key.Value, [key]) is not null);
        if (value is null && !misspelt)
        {
            binder.Report(Node, DiagnosticCodes.MissingKey, $"{what} has no '{key}'", hint);
        }

        return value;
    }

    /// <summary>The position of <paramref name="key"/> itself, for problems that concern the entry as a whole.</summary>
    public SourceNode? Key(string key) => Node.Entries.FirstOrDefault(entry => entry.Key.Value == key).Key;
}
