using System.Collections;
using System.Collections.Immutable;
using System.Globalization;

namespace Chaos.Scenarios;

/// <summary>One attribute value: a whole number in the attribute's unit, or one of its named choices.</summary>
/// <param name="Unit">The unit of <paramref name="Number"/> (Toxiproxy's unit for Toxiproxy attributes).</param>
/// <param name="Number">The value in <paramref name="Unit"/>; 0 for choices.</param>
/// <param name="Choice">The chosen word for <see cref="AttributeUnit.Choice"/> attributes, else null.</param>
public readonly record struct ToxicAttributeValue(AttributeUnit Unit, long Number, string? Choice)
{
    /// <summary>The value as a duration, for <see cref="AttributeUnit.Milliseconds"/> and <see cref="AttributeUnit.Microseconds"/>.</summary>
    /// <exception cref="InvalidOperationException">The attribute is not a duration.</exception>
    public TimeSpan AsDuration() => Unit switch
    {
        AttributeUnit.Milliseconds => TimeSpan.FromMilliseconds(Number),
        AttributeUnit.Microseconds => TimeSpan.FromMicroseconds(Number),
        _ => throw new InvalidOperationException($"a {Unit} attribute is not a duration"),
    };

    /// <summary>The value as JSON would carry it: a number, or the choice word.</summary>
    public object ToJsonValue() => Choice ?? (object)Number;

    /// <inheritdoc/>
    public override string ToString() => Choice ?? Number.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The attributes of one toxic, every attribute of its type present (defaults filled in), keyed by Toxiproxy's
/// attribute names. Optional attributes without a default (e.g. <c>syn_drop.release_after</c>) are absent when not given.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710", Justification = "Toxiproxy's term: a toxic's 'attributes'.")]
public sealed class ToxicAttributes : IReadOnlyDictionary<string, ToxicAttributeValue>
{
    private readonly ImmutableSortedDictionary<string, ToxicAttributeValue> _values;
    private string? _text;

    internal ToxicAttributes(ImmutableSortedDictionary<string, ToxicAttributeValue> values) => _values = values;

    /// <summary>No attributes.</summary>
    public static ToxicAttributes Empty { get; } = new(ImmutableSortedDictionary<string, ToxicAttributeValue>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>A whole-number attribute in its unit (ms, µs, bytes, KB/s).</summary>
    public long GetNumber(string name) => _values[name].Number;

    /// <summary>A duration attribute, or null when it is optional and absent.</summary>
    public TimeSpan? GetDuration(string name) => _values.TryGetValue(name, out var value) ? value.AsDuration() : null;

    /// <summary>A choice attribute (e.g. <c>connect_fail.with</c>).</summary>
    public string GetChoice(string name) => _values[name].Choice ?? throw new InvalidOperationException($"'{name}' is not a choice attribute");

    /// <summary>A copy with <paramref name="name"/> set, for partial updates (Toxiproxy's PATCH merges attributes).</summary>
    public ToxicAttributes With(string name, ToxicAttributeValue value) => new(_values.SetItem(name, value));

    /// <inheritdoc/>
    public ToxicAttributeValue this[string key] => _values[key];

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc/>
    public IEnumerable<ToxicAttributeValue> Values => _values.Values;

    /// <inheritdoc/>
    public int Count => _values.Count;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, out ToxicAttributeValue value) => _values.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, ToxicAttributeValue>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Formats as <c>{name: value, ...}</c>; made once, as every connection a data toxic shapes reports it.</summary>
    public override string ToString() => _text ??= "{" + string.Join(", ", _values.Select(pair => $"{pair.Key}: {pair.Value}")) + "}";
}
