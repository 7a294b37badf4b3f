namespace Chaos.Scenarios.Tests.Model;

public sealed class HostPortTests
{
    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080, "127.0.0.1:8080")]
    [InlineData("localhost:26379", "localhost", 26379, "localhost:26379")]
    [InlineData("[::1]:0", "::1", 0, "[::1]:0")]
    [InlineData("[::]:13306", "::", 13306, "[::]:13306")]
    [InlineData(":8080", HostPort.AnyHost, 8080, "0.0.0.0:8080")]
    [InlineData("database.domain:3306", "database.domain", 3306, "database.domain:3306")]
    public void TryParse_ToxiproxyForms_ParseAndFormat(string text, string host, int port, string formatted)
    {
        Assert.True(HostPort.TryParse(text, out var value));

        Assert.Equal(new HostPort(host, port), value);
        Assert.Equal(formatted, value.ToString());
    }

    [Theory]
    [InlineData("8080")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("::1:80")]
    [InlineData("[nope]:80")]
    [InlineData("bad host:80")]
    [InlineData("")]
    public void TryParse_Malformed_Fails(string text)
    {
        Assert.False(HostPort.TryParse(text, out _));
    }
}
