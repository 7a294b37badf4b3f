namespace Chaos.Scenarios.Tests.Expectations;

public sealed class ExpectationTests
{
    [Theory]
    [InlineData("client.retries >= 1", null, "client.retries", ComparisonOperator.GreaterOrEqual, 1)]
    [InlineData("web.connections.total==2", "web", "connections.total", ComparisonOperator.Equal, 2)]
    [InlineData("my.proxy.server.resets != 0", "my.proxy", "server.resets", ComparisonOperator.NotEqual, 0)]
    [InlineData("client.gave_up_after < 10s", null, "client.gave_up_after", ComparisonOperator.Less, 10_000)]
    [InlineData("client.max_retry_interval <= 1500", null, "client.max_retry_interval", ComparisonOperator.LessOrEqual, 1500)]
    [InlineData("bytes.upstream > 0.5", null, "bytes.upstream", ComparisonOperator.Greater, 0.5)]
    public void TryParse_Valid_GivesParts(string text, string? proxy, string metric, ComparisonOperator op, double value)
    {
        Assert.True(Expectation.TryParse(text, out var expectation, out var error), error);

        Assert.Equal((proxy, metric, op, value), (expectation.Proxy, expectation.Metric.Name, expectation.Operator, expectation.Value.Number));
    }

    [Theory]
    [InlineData("client.retries")]
    [InlineData("client.retries >>= 1")]
    [InlineData("client.retrys >= 1")]
    [InlineData("client.retries >= 2s")]
    [InlineData(">= 1")]
    [InlineData("client.retries >= lots")]
    public void TryParse_Invalid_Fails(string text)
    {
        Assert.False(Expectation.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData("client.retries >= 1", 1, true)]
    [InlineData("client.retries >= 1", 0, false)]
    [InlineData("client.gave_up_after < 2s", 1999, true)]
    [InlineData("client.gave_up_after < 2s", 2000, false)]
    [InlineData("server.resets == 0", 0, true)]
    public void IsSatisfiedBy_ComparesInMetricUnits(string text, double actual, bool expected)
    {
        Assert.True(Expectation.TryParse(text, out var expectation, out _));

        Assert.Equal(expected, expectation.IsSatisfiedBy(actual));
    }

    [Fact]
    public void ToString_WritesScenarioForm()
    {
        Assert.True(Expectation.TryParse("web.client.gave_up_after<1.5s", out var expectation, out _));

        Assert.Equal("web.client.gave_up_after < 1.5s", expectation.ToString());
    }
}
