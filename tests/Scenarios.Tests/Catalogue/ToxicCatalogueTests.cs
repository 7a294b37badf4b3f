using System.Text.Json;

namespace Chaos.Scenarios.Tests.Catalogue;

public sealed class ToxicCatalogueTests
{
    // Every type name in SCENARIOS.md's "Toxic types" table: users and tests depend on them.
    private static readonly string[] ScenariosMdTypes =
    [
        "refuse", "syn_drop", "accept_delay", "accept_hang", "accept_reset", "accept_close", "connect_delay", "connect_hang",
        "connect_fail", "first_byte_delay", "first_byte_hang", "first_byte_reset", "first_byte_close", "latency", "bandwidth",
        "slicer", "limit_data", "timeout", "reset_peer", "slow_close", "noop", "fin_delay", "fin_drop", "fin_reset", "close_reset",
    ];

    [Fact]
    public void All_ScenariosMdTypes_AreEachPresent()
    {
        Assert.Empty(ScenariosMdTypes.Except(ToxicCatalogue.Names));
    }

    [Fact]
    public void All_Rows_AreCompleteAndInLifecycleOrder()
    {
        Assert.Equal(ToxicCatalogue.All.OrderBy(type => type.Point).Select(type => type.Name), ToxicCatalogue.Names);
        Assert.All(ToxicCatalogue.All, type =>
        {
            Assert.False(string.IsNullOrWhiteSpace(type.Summary));
            Assert.False(string.IsNullOrWhiteSpace(type.Wire));
            Assert.Equal(type.Fidelity == Fidelity.Emulation, type.FidelityNote is not null);
        });
    }

    [Fact]
    public void All_AttributeDefaults_LieInTheirRanges()
    {
        var numbers = ToxicCatalogue.All.SelectMany(type => type.Attributes).Where(attribute => attribute.Unit != AttributeUnit.Choice);

        Assert.All(numbers, attribute =>
            Assert.True(attribute.Default is null || (attribute.Default.Value.Number >= attribute.Min && attribute.Default.Value.Number <= attribute.Max), attribute.Name));
    }

    [Theory]
    [InlineData("syn_drop")]
    [InlineData("accept_reset")]
    [InlineData("connect_fail")]
    public void All_HandshakeEmulations_SayWhatReallyHappens(string name)
    {
        Assert.True(ToxicCatalogue.TryGet(name, out var type));
        Assert.Equal(Fidelity.Emulation, type.Fidelity);
    }

    [Fact]
    public void All_ToxiproxyTypes_KeepToxiproxyUnits()
    {
        Assert.True(ToxicCatalogue.TryGet("slicer", out var slicer));
        Assert.True(ToxicCatalogue.TryGet("bandwidth", out var bandwidth));
        Assert.True(ToxicCatalogue.TryGet("latency", out var latency));

        Assert.Equal(AttributeUnit.Microseconds, slicer.Attribute("delay")?.Unit);
        Assert.Equal(AttributeUnit.KilobytesPerSecond, bandwidth.Attribute("rate")?.Unit);
        Assert.Equal(AttributeUnit.Milliseconds, latency.Attribute("latency")?.Unit);
    }

    [Fact]
    public void RenderText_GroupsByPoint_NamingEveryType()
    {
        var text = ToxicCatalogue.RenderText();

        Assert.All(Enum.GetValues<LifecyclePoint>(), point => Assert.Contains(ToxicCatalogue.PointName(point), text, StringComparison.Ordinal));
        Assert.All(ToxicCatalogue.Names, name => Assert.Contains(name, text, StringComparison.Ordinal));
        Assert.True(text.IndexOf("listen", StringComparison.Ordinal) < text.IndexOf("close_reset", StringComparison.Ordinal));
    }

    [Fact]
    public void RenderJson_ParsesWithOneObjectPerType()
    {
        using var json = JsonDocument.Parse(ToxicCatalogue.RenderJson());

        var types = json.RootElement.EnumerateArray().Select(type => type.GetProperty("type").GetString()).ToList();
        Assert.Equal(ToxicCatalogue.Names, types);
        var latency = json.RootElement.EnumerateArray().Single(type => type.GetProperty("type").GetString() == "latency");
        Assert.Equal("ms", latency.GetProperty("attributes")[0].GetProperty("unit").GetString());
    }

    [Fact]
    public void RenderMarkdownTable_HasOneRowPerType()
    {
        var rows = ToxicCatalogue.RenderMarkdownTable().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(ToxicCatalogue.All.Length + 2, rows.Length);
        Assert.All(ToxicCatalogue.Names, name => Assert.Contains(rows, row => row.Contains($"| `{name}` |", StringComparison.Ordinal)));
    }
}
