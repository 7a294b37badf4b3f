using System.Net;

namespace Chaos.Scenarios.Tests.Model;

public sealed class ClientSelectorTests
{
    [Theory]
    [InlineData("127.0.0.1/32", "127.0.0.1", true)]
    [InlineData("127.0.0.1/32", "127.0.0.2", false)]
    [InlineData("10.0.0.0/8", "10.20.30.40", true)]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)]
    [InlineData("::1", "::1", true)]
    [InlineData("fd00::/8", "fd12::1", true)]
    [InlineData("fd00::/8", "fe80::1", false)]
    public void Matches_CidrBlock_ContainsAddress(string block, string address, bool expected)
    {
        Assert.True(ClientSelector.TryParseNetwork(block, out var network));

        Assert.Equal(expected, ClientSelector.Of([network]).Matches(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("banana")]
    [InlineData("10.0.0.0/33")]
    [InlineData("::1/129")]
    [InlineData("10.0.0/8")]
    public void TryParseNetwork_Invalid_Fails(string text)
    {
        Assert.False(ClientSelector.TryParseNetwork(text, out _));
    }
}
