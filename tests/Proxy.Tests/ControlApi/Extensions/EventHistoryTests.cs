using Chaos.Proxy.ControlApi.Extensions;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Tests.ControlApi.Extensions;

public sealed class EventHistoryTests
{
    [Fact]
    public void Handle_BeyondTheLimit_KeepsTheLatestAndCountsTheRest()
    {
        var history = new EventHistory(limit: 3);

        for (var i = 1; i <= 5; i++)
        {
            history.Handle(new ProxyStopped(DateTimeOffset.UnixEpoch.AddSeconds(i), $"p{i}"));
        }

        Assert.Equal(["p3", "p4", "p5"], history.Snapshot().Select(e => e.Proxy));
        Assert.Equal(2, history.Forgotten);
    }

    [Fact]
    public void Handle_NoLimit_KeepsEverything()
    {
        var history = new EventHistory();

        for (var i = 0; i < 1000; i++)
        {
            history.Handle(new ProxyStopped(DateTimeOffset.UnixEpoch, "p"));
        }

        Assert.Equal((1000, 0L), (history.Count, history.Forgotten));
    }

    [Fact]
    public void Handle_LimitZero_KeepsNothingAndCountsEverything()
    {
        var history = new EventHistory(limit: 0);

        for (var i = 0; i < 10; i++)
        {
            history.Handle(new ProxyStopped(DateTimeOffset.UnixEpoch, "p"));
        }

        Assert.Empty(history.Snapshot());
        Assert.Equal(10, history.Forgotten);
    }
}
