using System.Collections.Immutable;
using System.Globalization;

namespace Chaos.Scenarios;

/// <summary>Binds a toxic's <c>attributes:</c> against its catalogue row: names, units, ranges, required ones, defaults.</summary>
internal sealed class AttributeBinder(NodeBinder binder)
{
    public ToxicAttributes? Bind(ToxicTypeInfo type, SourceNode? node, SourceNode toxicNode)
    {
        var known = type.Attributes.Select(attribute => attribute.Name).ToArray();
        var fields = node is null ? null : binder.Fields(node, $"the attributes of a {type.Name} toxic", DiagnosticCodes.UnknownAttribute, known);
        if (node is not null && fields is null)
        {
            return null;
        }

        var values = ImmutableSortedDictionary.CreateBuilder<string, ToxicAttributeValue>(StringComparer.Ordinal);
        var ok = true;
        foreach (var attribute in type.Attributes)
        {
            var valueNode = fields?.Optional(attribute.Name);
            if (valueNode is null)
            {
                if (attribute.IsRequired)
                {
                    binder.Report(node ?? toxicNode, DiagnosticCodes.MissingAttribute, $"a {type.Name} toxic needs '{attribute.Name}'",
                        $"e.g. attributes: {{ {attribute.Name}: {Example(attribute)} }}");
                    ok = false;
                }
                else if (attribute.Default is { } defaultValue)
                {
                    values[attribute.Name] = defaultValue;
                }

                continue;
            }

            if (Value(type, attribute, valueNode) is { } value)
            {
                values[attribute.Name] = value;
            }
            else
            {
                ok = false;
            }
        }

        return ok && CheckOrder(type, values, fields) ? new ToxicAttributes(values.ToImmutable()) : null;
    }

    private ToxicAttributeValue? Value(ToxicTypeInfo type, ToxicAttributeInfo attribute, SourceNode node)
    {
        var what = $"{type.Name}.{attribute.Name}";
        if (node is not ScalarNode { IsNull: false } scalar)
        {
            binder.Report(node, DiagnosticCodes.BadAttributeValue, $"{what} must be a single value, not {node.Kind}", Range(attribute));
            return null;
        }

        if (attribute.Unit == AttributeUnit.Choice)
        {
            if (attribute.Choices.Contains(scalar.Value))
            {
                return new ToxicAttributeValue(attribute.Unit, 0, scalar.Value);
            }

            binder.Report(node, DiagnosticCodes.BadAttributeValue, $"{what} cannot be '{scalar.Value}'", Range(attribute));
            return null;
        }

        if (!long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            && !TryDuration(attribute, scalar, what, out number))
        {
            return null;
        }

        if (number < attribute.Min || number > attribute.Max)
        {
            binder.Report(node, DiagnosticCodes.AttributeOutOfRange, $"{what} is {number} {attribute.UnitText}, out of range", Range(attribute));
            return null;
        }

        return new ToxicAttributeValue(attribute.Unit, number, null);
    }

    private bool TryDuration(ToxicAttributeInfo attribute, ScalarNode scalar, string what, out long number)
    {
        number = 0;
        if (!attribute.IsDuration)
        {
            binder.Report(scalar, DiagnosticCodes.BadAttributeValue, $"{what} must be a whole number of {attribute.UnitText}, not '{scalar.Value}'", Range(attribute));
            return false;
        }

        if (!Durations.TryParse(scalar.Value, out var duration, out var error))
        {
            binder.Report(scalar, DiagnosticCodes.BadDuration, $"{what}: {error}", NodeBinder.DurationHint);
            return false;
        }

        var unitTicks = attribute.Unit == AttributeUnit.Milliseconds ? TimeSpan.TicksPerMillisecond : TimeSpan.TicksPerMicrosecond;
        if (duration.Ticks % unitTicks != 0)
        {
            binder.Report(scalar, DiagnosticCodes.BadDuration, $"{what} is '{scalar.Value}', not a whole number of {attribute.UnitText}", NodeBinder.DurationHint);
            return false;
        }

        number = duration.Ticks / unitTicks;
        return true;
    }

    private bool CheckOrder(ToxicTypeInfo type, ImmutableSortedDictionary<string, ToxicAttributeValue>.Builder values, Fields? fields)
    {
        foreach (var attribute in type.Attributes.Where(attribute => attribute.LessThan is not null))
        {
            if (values.TryGetValue(attribute.Name, out var value) && values.TryGetValue(attribute.LessThan!, out var limit)
                && value.Number > 0 && value.Number >= limit.Number && fields?.Optional(attribute.Name) is { } node)
            {
                binder.Report(node, DiagnosticCodes.AttributeOutOfRange,
                    $"{type.Name}.{attribute.Name} ({value.Number}) must be less than {attribute.LessThan} ({limit.Number})", null);
                return false;
            }
        }

        return true;
    }

    private static string Range(ToxicAttributeInfo attribute) => attribute.Unit switch
    {
        AttributeUnit.Choice => $"one of: {string.Join(", ", attribute.Choices)}",
        AttributeUnit.Milliseconds => $"{attribute.Min}..{attribute.Max} ms; \"250ms\" and \"1.5s\" work too",
        AttributeUnit.Microseconds => $"{attribute.Min}..{attribute.Max} µs; \"250us\" and \"2ms\" work too",
        _ => $"a whole number of {attribute.UnitText}, {attribute.Min}..{attribute.Max}",
    };

    private static string Example(ToxicAttributeInfo attribute) => attribute.Unit switch
    {
        AttributeUnit.Choice => attribute.Choices[0],
        AttributeUnit.Milliseconds => "250ms",
        _ => Math.Max(attribute.Min, 1).ToString(CultureInfo.InvariantCulture),
    };
}
