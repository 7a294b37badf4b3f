namespace Chaos.Proxy.Cli;

internal static class Signals
{
    /// <summary>Waits until Ctrl+C, SIGTERM or a deadline cancels <paramref name="end"/>: the normal ways a run ends, so no exception.</summary>
    public static async Task WaitAsync(CancellationToken end)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, end);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
