namespace Chaos.Scenarios;

/// <summary>A YAML node with the position it was read from. Aliased nodes are shared, not copied.</summary>
internal abstract class SourceNode(SourcePosition position)
{
    public SourcePosition Position { get; } = position;

    /// <summary>Nodes in this subtree, itself included: what an alias to it costs.</summary>
    public abstract int Size { get; }

    /// <summary>Collection levels in this subtree (a scalar has 0).</summary>
    public abstract int Depth { get; }

    /// <summary>What the node is, for "expected X, found Y" messages.</summary>
    public abstract string Kind { get; }
}

internal sealed class ScalarNode(SourcePosition position, string value, bool isPlain) : SourceNode(position)
{
    public string Value { get; } = value;

    /// <summary>Unquoted: only plain scalars can be null, booleans or numbers by the YAML core schema.</summary>
    public bool IsPlain { get; } = isPlain;

    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override int Size => 1;

    public override int Depth => 0;

    public override string Kind => IsNull ? "nothing" : "a scalar";
}

internal sealed class MappingNode(SourcePosition position, IReadOnlyList<KeyValuePair<ScalarNode, SourceNode>> entries, int size, int depth)
    : SourceNode(position)
{
    public IReadOnlyList<KeyValuePair<ScalarNode, SourceNode>> Entries { get; } = entries;

    public override int Size { get; } = size;

    public override int Depth { get; } = depth;

    public override string Kind => "a mapping";
}

internal sealed class SequenceNode(SourcePosition position, IReadOnlyList<SourceNode> items, int size, int depth) : SourceNode(position)
{
    public IReadOnlyList<SourceNode> Items { get; } = items;

    public override int Size { get; } = size;

    public override int Depth { get; } = depth;

    public override string Kind => "a list";
}
