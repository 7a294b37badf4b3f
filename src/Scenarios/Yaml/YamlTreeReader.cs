using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Chaos.Scenarios;

/// <summary>
/// Reads YAML (and so JSON) parser events into <see cref="SourceNode"/>s that keep their positions.
/// Strict where YAML is lax: duplicate keys, non-scalar keys and several documents are errors.
/// Bounded where YAML is dangerous: nesting depth and the node count, aliases included, are capped, so an
/// alias bomb ("billion laughs") is rejected after a few thousand nodes instead of expanding exponentially,
/// and an alias to its own enclosing node is rejected instead of looping.
/// </summary>
internal sealed class YamlTreeReader
{
    internal const int MaxDepth = 32;
    internal const int MaxNodes = 20_000;

    private readonly Parser _parser;
    private readonly DiagnosticBag _bag;
    private readonly Dictionary<string, SourceNode> _anchors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _openAnchors = new(StringComparer.Ordinal);
    private int _nodes;
    private bool _stopped;

    private YamlTreeReader(string text, DiagnosticBag bag)
    {
        _parser = new Parser(new StringReader(text));
        _bag = bag;
    }

    /// <summary>The document's root node, or null when the input has no usable document (each problem is reported).</summary>
    public static SourceNode? Read(string text, DiagnosticBag bag)
    {
        var reader = new YamlTreeReader(text, bag);
        try
        {
            return reader.ReadStream();
        }
        catch (YamlException e)
        {
            bag.Report(ToPosition(e.Start), DiagnosticCodes.YamlSyntax, WithoutMarks(e.Message), "check the indentation and the brackets and quotes around this point");
            return null;
        }
    }

    internal static SourcePosition ToPosition(Mark mark) => new((int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    private SourceNode? ReadStream()
    {
        Next(); // StreamStart
        if (Next() is not DocumentStart)
        {
            _bag.Report(SourcePosition.Start, DiagnosticCodes.Empty, "the file holds no scenario", "start with 'version: 1' and a 'proxies:' list");
            return null;
        }

        var root = ReadNode(Next(), 0);
        if (_stopped)
        {
            return null;
        }

        Next(); // DocumentEnd
        if (Next() is DocumentStart second)
        {
            _bag.Report(ToPosition(second.Start), DiagnosticCodes.MultipleDocuments, "the file holds more than one YAML document", "keep one scenario per file");
        }

        if (root is ScalarNode { IsNull: true })
        {
            _bag.Report(root.Position, DiagnosticCodes.Empty, "the document is empty", "start with 'version: 1' and a 'proxies:' list");
            return null;
        }

        return root;
    }

    private ParsingEvent Next()
    {
        var last = _parser.Current?.End ?? Mark.Empty;
        bool moved;
        try
        {
            moved = _parser.MoveNext();
        }
        catch (Exception e) when (e is not YamlException)
        {
            // YamlDotNet's scanner throws InvalidOperationException on some malformed input (found by fuzzing).
            throw new YamlException(last, last, "malformed YAML after this point", e);
        }

        if (!moved)
        {
            throw new YamlException(Mark.Empty, Mark.Empty, "unexpected end of input");
        }

        return _parser.Current!;
    }

    private SourceNode? ReadNode(ParsingEvent first, int depth)
    {
        if (first is AnchorAlias alias)
        {
            return ResolveAlias(alias, depth);
        }

        if (++_nodes > MaxNodes)
        {
            return Stop(first.Start, DiagnosticCodes.FileTooLarge, $"the document has more than {MaxNodes} nodes", "split the scenario");
        }

        var anchor = first is NodeEvent { Anchor.IsEmpty: false } withAnchor ? withAnchor.Anchor.Value : null;
        if (anchor is not null)
        {
            _openAnchors.Add(anchor);
        }

        var node = first switch
        {
            Scalar scalar => new ScalarNode(ToPosition(scalar.Start), scalar.Value, scalar.Style == ScalarStyle.Plain),
            SequenceStart start => ReadSequence(start, depth + 1),
            MappingStart start => ReadMapping(start, depth + 1),
            _ => throw new YamlException(first.Start, first.End, $"unexpected {first.GetType().Name}"),
        };

        if (anchor is not null && node is not null)
        {
            _openAnchors.Remove(anchor);
            _anchors[anchor] = node;
        }

        return node;
    }

    private SourceNode? ResolveAlias(AnchorAlias alias, int depth)
    {
        var name = alias.Value.Value;
        if (_openAnchors.Contains(name))
        {
            return Stop(alias.Start, DiagnosticCodes.AliasRejected, $"the alias '*{name}' refers to the node that contains it", "an alias cannot include itself");
        }

        if (!_anchors.TryGetValue(name, out var target))
        {
            return Stop(alias.Start, DiagnosticCodes.AliasRejected, $"the alias '*{name}' has no anchor before it", $"define '&{name}' before using '*{name}'");
        }

        _nodes += target.Size;
        if (_nodes > MaxNodes)
        {
            return Stop(alias.Start, DiagnosticCodes.AliasRejected, $"aliases expand the document beyond {MaxNodes} nodes", "this looks like an alias bomb; write the values out");
        }

        return depth + target.Depth > MaxDepth
            ? Stop(alias.Start, DiagnosticCodes.TooDeep, $"the alias '*{name}' nests collections deeper than {MaxDepth} levels", null)
            : target;
    }

    private SourceNode? ReadSequence(SequenceStart start, int depth)
    {
        if (depth > MaxDepth)
        {
            return Stop(start.Start, DiagnosticCodes.TooDeep, $"collections are nested deeper than {MaxDepth} levels", "a scenario needs a handful of levels");
        }

        var items = new List<SourceNode>();
        int size = 1, childDepth = 0;
        for (var next = Next(); next is not SequenceEnd; next = Next())
        {
            var item = ReadNode(next, depth);
            if (item is null)
            {
                return null;
            }

            items.Add(item);
            size += item.Size;
            childDepth = Math.Max(childDepth, item.Depth);
        }

        return new SequenceNode(ToPosition(start.Start), items, size, childDepth + 1);
    }

    private SourceNode? ReadMapping(MappingStart start, int depth)
    {
        if (depth > MaxDepth)
        {
            return Stop(start.Start, DiagnosticCodes.TooDeep, $"collections are nested deeper than {MaxDepth} levels", "a scenario needs a handful of levels");
        }

        var entries = new List<KeyValuePair<ScalarNode, SourceNode>>();
        var seen = new Dictionary<string, ScalarNode>(StringComparer.Ordinal);
        int size = 1, childDepth = 0;
        for (var next = Next(); next is not MappingEnd; next = Next())
        {
            var key = ReadNode(next, depth);
            var value = key is null ? null : ReadNode(Next(), depth);
            if (key is null || value is null)
            {
                return null;
            }

            size += key.Size + value.Size;
            childDepth = Math.Max(childDepth, value.Depth);
            if (key is not ScalarNode scalarKey)
            {
                _bag.Report(key.Position, DiagnosticCodes.WrongType, $"a key must be a plain name, not {key.Kind}", null);
            }
            else if (seen.TryGetValue(scalarKey.Value, out var first))
            {
                _bag.Report(scalarKey.Position, DiagnosticCodes.DuplicateKey, $"the key '{scalarKey.Value}' appears twice in this mapping",
                    $"the first is at line {first.Position.Line}; keep one");
            }
            else
            {
                seen.Add(scalarKey.Value, scalarKey);
                entries.Add(new(scalarKey, value));
            }
        }

        return new MappingNode(ToPosition(start.Start), entries, size, childDepth + 1);
    }

    private SourceNode? Stop(Mark at, string code, string message, string? hint)
    {
        _bag.Report(ToPosition(at), code, message, hint);
        _stopped = true;
        return null;
    }

    private static string WithoutMarks(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: 3, Col: 6, Idx: 21): "; the diagnostic has the position.
        var end = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line", StringComparison.Ordinal) && end >= 0 ? message[(end + 3)..] : message;
    }
}
