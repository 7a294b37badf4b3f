using Xunit.Sdk;

namespace Chaos.Proxy.Tests.Observation;

public sealed class GoldenTextTests
{
    [Fact]
    public void AssertMatches_SameTextOtherLineEndings_Passes()
    {
        GoldenText.AssertMatches("a\nb", "a\r\nb\r\n");
    }

    [Fact]
    public void AssertMatches_ChangedLine_FailsWithLineDiffAndNewText()
    {
        var failure = Assert.Throws<FailException>(() => GoldenText.AssertMatches("a\nb\nc", "a\nB\nc\nd"));

        Assert.Contains("  a\n- b\n+ B\n  c\n+ d\n", failure.Message, StringComparison.Ordinal);
        Assert.EndsWith("a\nB\nc\nd", failure.Message, StringComparison.Ordinal);
    }
}
