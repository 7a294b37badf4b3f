namespace Chaos.Scenarios.Tests.Text;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("250", 250)]
    [InlineData("250ms", 250)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("500us", 0.5)]
    [InlineData("0", 0)]
    public void TryParse_ValidForms_GiveMilliseconds(string text, double milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var value));

        Assert.Equal(milliseconds, value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("-5ms")]
    [InlineData("")]
    [InlineData("1.5")]
    [InlineData("5 parsecs")]
    [InlineData("ms")]
    [InlineData("1..5s")]
    [InlineData("8d")]
    [InlineData("99999999999999999999s")]
    [InlineData("200h")]
    public void TryParse_NegativeMalformedOrHuge_Fails(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }

    [Theory]
    [InlineData(250, "250ms")]
    [InlineData(1500, "1.5s")]
    [InlineData(30_000, "30s")]
    [InlineData(120_000, "2m")]
    public void Format_WritesScenarioForm(int milliseconds, string expected)
    {
        Assert.Equal(expected, Durations.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
