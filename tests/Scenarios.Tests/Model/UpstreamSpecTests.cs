namespace Chaos.Scenarios.Tests.Model;

public sealed class UpstreamSpecTests
{
    [Theory]
    [InlineData("127.0.0.1:8000")]
    [InlineData("[::1]:6379")]
    [InlineData("builtin:echo")]
    [InlineData("builtin:http")]
    public void TryParse_ValidForms_RoundTrip(string text)
    {
        Assert.True(UpstreamSpec.TryParse(text, out var upstream));

        Assert.Equal(text, upstream!.ToString());
        Assert.True(upstream.Address is null != upstream.Builtin is null);
    }

    [Theory]
    [InlineData("builtin:ftp")]
    [InlineData("builtin:Echo")]
    [InlineData("127.0.0.1:0")]
    [InlineData(":6379")]
    [InlineData("nowhere")]
    public void TryParse_Invalid_Fails(string text)
    {
        Assert.False(UpstreamSpec.TryParse(text, out _));
    }
}
