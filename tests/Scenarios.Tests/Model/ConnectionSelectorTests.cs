namespace Chaos.Scenarios.Tests.Model;

public sealed class ConnectionSelectorTests
{
    [Theory]
    [InlineData("2", new[] { 2 }, new[] { 1, 3 })]
    [InlineData("1-3", new[] { 1, 2, 3 }, new[] { 4 })]
    [InlineData("2,4,6", new[] { 2, 4, 6 }, new[] { 1, 3, 5, 7 })]
    [InlineData("1-2, 7", new[] { 1, 2, 7 }, new[] { 3, 6, 8 })]
    [InlineData("every 3", new[] { 3, 6, 9 }, new[] { 1, 2, 4 })]
    [InlineData("after 5", new[] { 6, 100 }, new[] { 1, 5 })]
    public void Matches_Grammar_SelectsOrdinals(string text, int[] selected, int[] skipped)
    {
        Assert.True(ConnectionSelector.TryParse(text, out var selector));

        Assert.All(selected, ordinal => Assert.True(selector.Matches(ordinal), $"{ordinal}"));
        Assert.All(skipped, ordinal => Assert.False(selector.Matches(ordinal), $"{ordinal}"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("3-1")]
    [InlineData("1-2-3")]
    [InlineData("every")]
    [InlineData("every 0")]
    [InlineData("after x")]
    [InlineData("2,,4")]
    [InlineData("sometimes")]
    public void TryParse_Malformed_Fails(string text)
    {
        Assert.False(ConnectionSelector.TryParse(text, out _));
    }

    [Fact]
    public void Text_IsCanonical()
    {
        Assert.True(ConnectionSelector.TryParse(" 1 - 3 ,7", out var selector));

        Assert.Equal("1-3,7", selector.ToString());
    }
}
