using System.Diagnostics;
using Chaos.Proxy.Engine;

namespace Chaos.Proxy.Tests.Engine;

public sealed class PreciseTimerTests
{
    [Fact(Timeout = 10_000)]
    public async Task WaitUntil_DeadlineOneMillisecondAgo_CompletesAtOnce()
    {
        // A deadline exactly 1 ms in the past once met Timeout.InfiniteTimeSpan (-1 ms) and waited for ever.
        var deadline = TimeProvider.System.GetTimestamp() - (TimeProvider.System.TimestampFrequency / 1000);

        var wait = PreciseTimer.Shared.WaitUntilAsync(deadline, CancellationToken.None);

        Assert.Same(wait, await Task.WhenAny(wait, Task.Delay(2000)));
    }

    [Fact(Timeout = 10_000)]
    public async Task WaitUntil_FutureDeadline_NeverEarly()
    {
        var clock = Stopwatch.StartNew();
        var deadline = TimeProvider.System.GetTimestamp() + (50 * TimeProvider.System.TimestampFrequency / 1000);

        await PreciseTimer.Shared.WaitUntilAsync(deadline, CancellationToken.None);

        Assert.True(TimeProvider.System.GetTimestamp() >= deadline);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(49.9), TimeSpan.FromSeconds(2));
    }

    [Fact(Timeout = 10_000)]
    public async Task WaitUntil_Cancelled_ThrowsWithoutWaitingForTheDeadline()
    {
        using var cancel = new CancellationTokenSource(50);
        var deadline = TimeProvider.System.GetTimestamp() + (60 * TimeProvider.System.TimestampFrequency);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PreciseTimer.Shared.WaitUntilAsync(deadline, cancel.Token));
    }
}
