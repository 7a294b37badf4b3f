using Chaos.Proxy.Engine;

namespace Chaos.Proxy.Tests.Engine;

public sealed class ConnectionSlotsTests
{
    [Theory]
    [InlineData(20_000UL, 9_872)]
    [InlineData(1_048_576UL, 524_160)]
    [InlineData(1_024UL, 384)]
    [InlineData(100UL, 1)]
    public void FromLimit_OpenFilesLimit_TwoDescriptorsPerConnectionAfterTheReserve(ulong limit, int expected) =>
        Assert.Equal(expected, ConnectionSlots.FromLimit(limit));

    [Fact]
    public void FromLimit_LimitUnknown_Unbounded() => Assert.Equal(int.MaxValue, ConnectionSlots.FromLimit(null));

    [Fact]
    public void TryTake_AllTaken_FalseUntilOneIsReleased()
    {
        var slots = new ConnectionSlots(1);
        Assert.True(slots.TryTake());
        Assert.False(slots.TryTake());
        slots.Release();
        Assert.True(slots.TryTake());
    }
}
