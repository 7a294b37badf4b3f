namespace Chaos.Scenarios;

/// <summary>A toxic in Toxiproxy's shape (<c>name, type, stream, toxicity, attributes</c>) plus an optional selector.</summary>
/// <param name="Name">Unique within its proxy across both streams; defaults to <c>&lt;type&gt;_&lt;stream&gt;</c>.</param>
/// <param name="Type">A type name from <see cref="ToxicCatalogue"/>.</param>
/// <param name="Stream">The direction for first_byte, data and fin toxics; handshake toxics ignore it. Default downstream.</param>
/// <param name="Toxicity">Probability in 0..1 that the toxic acts on a connection, rolled once per connection. Default 1.</param>
/// <param name="Attributes">Every attribute of the type, defaults filled in, in Toxiproxy units.</param>
/// <param name="Where">Which connections the toxic may act on; <see cref="ToxicWhere.Everything"/> when absent.</param>
public sealed record ToxicSpec(string Name, string Type, ToxicStream Stream, double Toxicity, ToxicAttributes Attributes, ToxicWhere Where)
{
    /// <summary>Toxiproxy's default name for a toxic: <c>&lt;type&gt;_&lt;stream&gt;</c>.</summary>
    public static string DefaultName(string type, ToxicStream stream) => $"{type}_{stream.ToString().ToLowerInvariant()}";
}
