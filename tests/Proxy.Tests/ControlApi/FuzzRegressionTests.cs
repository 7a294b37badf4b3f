using System.Text;
using Chaos.Proxy.ControlApi;

namespace Chaos.Proxy.Tests.ControlApi;

/// <summary>Inputs the coverage-guided fuzzer (fuzz/run.sh) found crashing, kept as tests; the fuzzer also replays them as seeds.</summary>
public sealed class FuzzRegressionTests
{
    [Fact]
    public void ProxyBody_InvalidUtf8InValue_ReadAsReplacementCharacterLikeGo()
    {
        var body = Bytes("{\"name\":\"we", 0x80, "b\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:1\"}");

        var spec = ProxyBodies.ForCreate(RequestBody.Parse(body));

        Assert.Equal("we\uFFFDb", spec.Name);
    }

    [Fact]
    public void ToxicBody_InvalidUtf8InKey_BadRequestNotServerError()
    {
        var body = Bytes("{\"name\":\"lat\",\"t", 0x86, "pe\":\"latency\"}");

        var error = Assert.Throws<ApiException>(() => ToxicBodies.ForCreate(RequestBody.Parse(body), _ => false));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public void ToxicBody_InvalidUtf8InType_BadRequestNotServerError()
    {
        var body = Bytes("{\"type\":\"l", 0x84, "tency\",\"attributes\":{\"latency\":1}}");

        var error = Assert.Throws<ApiException>(() => ToxicBodies.ForCreate(RequestBody.Parse(body), _ => false));

        Assert.Equal((400, "invalid toxic type"), (error.Status, error.Message));
    }

    private static byte[] Bytes(string before, byte invalid, string after) =>
        [.. Encoding.ASCII.GetBytes(before), invalid, .. Encoding.ASCII.GetBytes(after)];
}
