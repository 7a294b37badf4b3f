namespace Chaos.Scenarios.Tests.Diagnostics;

public sealed class DiagnosticTests
{
    [Fact]
    public void ToString_WithHint_IsOneCompilerStyleLine()
    {
        var diagnostic = new Diagnostic("a.yaml", 3, 5, "CHAOS101", "'upstrem' is not a key of a proxy", "did you mean 'upstream'?");

        Assert.Equal("a.yaml(3,5): error CHAOS101: 'upstrem' is not a key of a proxy (hint: did you mean 'upstream'?)", diagnostic.ToString());
    }

    [Fact]
    public void ToString_WithoutHintOrWithNewlines_StaysOneLine()
    {
        var diagnostic = new Diagnostic("a.yaml", 1, 1, "CHAOS005", "bad\nthing", null);

        Assert.Equal("a.yaml(1,1): error CHAOS005: bad thing", diagnostic.ToString());
    }

    [Fact]
    public void All_Codes_AreUniqueAndDescribed()
    {
        var constants = typeof(DiagnosticCodes).GetFields().Where(field => field.IsLiteral).Select(field => (string)field.GetRawConstantValue()!).ToList();

        Assert.Equal(constants.Count, constants.Distinct().Count());
        Assert.Equal(constants.Order(), DiagnosticCodes.All.Keys.Order());
    }
}
