namespace Chaos.Proxy.Engine;

/// <summary>
/// Deadlines kept to a fraction of a millisecond. .NET's timers tick on the kernel's coarse clock (4 ms steps
/// on this kind of machine), which put a 100 ms latency toxic 6 ms off at p99; one thread sleeping on a
/// condition variable until the earliest deadline wakes within about 0.1 ms instead.
/// </summary>
internal sealed class PreciseTimer
{
    public static readonly PreciseTimer Shared = new();

    private readonly object _gate = new();
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(1);

    private readonly PriorityQueue<TaskCompletionSource, long> _due = new();

    private PreciseTimer()
    {
        new Thread(Run) { IsBackground = true, Name = "chaos precise timer" }.Start();
    }

    /// <summary>Completes at <paramref name="deadline"/> (a <see cref="TimeProvider.System"/> timestamp) or throws when cancelled.</summary>
    public Task WaitUntilAsync(long deadline, CancellationToken cancellation)
    {
        var done = new TaskCompletionSource();
        lock (_gate)
        {
            _due.Enqueue(done, deadline);
            Monitor.Pulse(_gate);
        }
        return cancellation.CanBeCanceled ? done.Task.WaitAsync(cancellation) : done.Task;
    }

    private void Run()
    {
        while (true)
        {
            TaskCompletionSource due;
            lock (_gate)
            {
                if (!_due.TryPeek(out var next, out var deadline))
                {
                    Monitor.Wait(_gate);
                    continue;
                }
                var remaining = TimeProvider.System.GetElapsedTime(TimeProvider.System.GetTimestamp(), deadline);
                if (remaining > TimeSpan.Zero)
                {
                    // Monitor.Wait counts whole milliseconds; waking a little early and looking again costs nothing.
                    Monitor.Wait(_gate, remaining < MinimumWait ? MinimumWait : remaining);
                    continue;
                }
                due = _due.Dequeue();
            }
            // Run on this thread: the waiter only sends a piece and waits again, and a pool hop adds its own lateness.
            due.TrySetResult();
        }
    }
}
