using System.Runtime.CompilerServices;

namespace Chaos.Proxy.Tests.Support;

internal static class ThreadPoolWarmup
{
    /// <summary>
    /// Starting a child process (curl, redis, chaos) from the test host blocks pool threads for ~1 s, which
    /// stretches the timings of the in-process proxies running in parallel tests (measured: a 300 ms latency
    /// toxic seen as 0.97 s). More threads up front keep the timers and socket continuations running.
    /// </summary>
    [ModuleInitializer]
    internal static void RaiseMinimumThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
