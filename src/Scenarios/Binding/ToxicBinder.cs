namespace Chaos.Scenarios;

/// <summary>Binds one toxic in Toxiproxy's shape: <c>name, type, stream, toxicity, attributes</c>, plus <c>where</c>.</summary>
internal sealed class ToxicBinder(NodeBinder binder)
{
    private static readonly string[] Keys = ["name", "type", "stream", "toxicity", "attributes", "where"];

    private readonly AttributeBinder _attributes = new(binder);
    private readonly SelectorBinder _selectors = new(binder);

    public ToxicSpec? Bind(SourceNode node)
    {
        if (binder.Fields(node, "a toxic", Keys) is not { } fields)
        {
            return null;
        }

        var nameNode = fields.Optional("name");
        var name = nameNode is null ? null : binder.Name(nameNode, "a toxic name");
        var type = Type(fields.Required("type"));
        var stream = Stream(fields.Optional("stream"));
        var toxicity = Toxicity(fields.Optional("toxicity"));
        var attributes = type is null ? null : _attributes.Bind(type, fields.Optional("attributes"), node);
        var where = _selectors.Bind(fields.Optional("where"));
        if (type is null || stream is null || toxicity is null || attributes is null || where is null || (nameNode is not null && name is null))
        {
            return null;
        }

        return new ToxicSpec(name ?? ToxicSpec.DefaultName(type.Name, stream.Value), type.Name, stream.Value, toxicity.Value, attributes, where);
    }

    private ToxicTypeInfo? Type(SourceNode? node)
    {
        if (node is null || binder.String(node, "a toxic type") is not { } text)
        {
            return null;
        }

        if (ToxicCatalogue.TryGet(text, out var type))
        {
            return type;
        }

        binder.Report(node, DiagnosticCodes.UnknownToxicType, $"'{text}' is not a toxic type",
            Suggestions.Hint(text, ToxicCatalogue.Names, "known types"));
        return null;
    }

    private ToxicStream? Stream(SourceNode? node)
    {
        if (node is null)
        {
            return ToxicStream.Downstream;
        }

        // Toxiproxy parses the stream case-insensitively.
        switch (binder.String(node, "stream")?.ToLowerInvariant())
        {
            case null:
                return null;
            case "upstream":
                return ToxicStream.Upstream;
            case "downstream":
                return ToxicStream.Downstream;
            default:
                binder.Report(node, DiagnosticCodes.BadStream, $"stream cannot be '{((ScalarNode)node).Value}'",
                    "upstream (client→server) or downstream (server→client, the default)");
                return null;
        }
    }

    private double? Toxicity(SourceNode? node)
    {
        if (node is null)
        {
            return 1.0;
        }

        if (binder.Number(node, "toxicity") is not { } value)
        {
            return null;
        }

        if (value is >= 0 and <= 1)
        {
            return value;
        }

        binder.Report(node, DiagnosticCodes.ToxicityOutOfRange, $"toxicity {value} is not a probability", "a number from 0 (never) to 1 (every connection)");
        return null;
    }
}
