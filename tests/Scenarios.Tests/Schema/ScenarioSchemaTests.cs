using System.Text.Json;

namespace Chaos.Scenarios.Tests.Schema;

public sealed class ScenarioSchemaTests
{
    [Fact]
    public void Generate_ParsesAsDraft202012Json()
    {
        using var schema = JsonDocument.Parse(ScenarioSchema.Generate());

        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.RootElement.GetProperty("$schema").GetString());
    }

    [Fact]
    public void Generate_NamesEveryToxicTypeWithItsAttributes()
    {
        using var schema = JsonDocument.Parse(ScenarioSchema.Generate());
        var definitions = schema.RootElement.GetProperty("$defs");

        var types = definitions.GetProperty("toxic").GetProperty("properties").GetProperty("type").GetProperty("enum")
            .EnumerateArray().Select(type => type.GetString());
        Assert.Equal(ToxicCatalogue.Names, types);
        Assert.All(ToxicCatalogue.All, type =>
        {
            var properties = definitions.GetProperty($"attributes_{type.Name}").GetProperty("properties");
            Assert.Equal(type.Attributes.Select(attribute => attribute.Name), properties.EnumerateObject().Select(property => property.Name));
        });
    }

    [Fact]
    public void Generate_ExpectationPattern_NamesEveryMetric()
    {
        using var schema = JsonDocument.Parse(ScenarioSchema.Generate());

        var pattern = schema.RootElement.GetProperty("$defs").GetProperty("expectation").GetProperty("pattern").GetString()!;
        Assert.All(ExpectationMetrics.Names, name => Assert.Contains(name.Replace(".", "\\.", StringComparison.Ordinal), pattern, StringComparison.Ordinal));
    }
}
