namespace Chaos.Proxy.Engine;

/// <summary>
/// How many connections the process relays at once, shared by every listener: two descriptors each, with room
/// left for everything else. Past the open-files limit accept() and socket() fail, and worse, .NET itself can
/// fail to map code and abort ("Out of memory": measured with 9,960 connections under a limit of 20,000).
/// At the limit the accept loops wait, so new clients queue in the kernel as they do behind haproxy's maxconn.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001",
    Justification = "Lives as long as the process; a SemaphoreSlim whose wait handle is never asked for holds nothing to dispose.")]
internal sealed class ConnectionSlots(int capacity)
{
    /// <summary>Descriptors kept for the runtime, the listeners, the control API and log files (chaos holds ~100).</summary>
    private const int Reserved = 256;

    private readonly SemaphoreSlim _free = new(capacity, capacity);

    /// <summary>For this process, from its open-files limit as it is when first used (after <see cref="OpenFileLimit.Raise"/>).</summary>
    public static ConnectionSlots Shared { get; } = new(FromLimit(OpenFileLimit.Current));

    public int Capacity { get; } = capacity;

    /// <summary>Waits for a free slot; throws <see cref="OperationCanceledException"/> when <paramref name="stop"/> fires first.</summary>
    public Task WaitAsync(CancellationToken stop) => _free.WaitAsync(stop);

    /// <summary>Takes a slot if one is free now.</summary>
    public bool TryTake() => _free.Wait(0);

    public void Release() => _free.Release();

    internal static int FromLimit(ulong? openFiles) =>
        openFiles is { } limit ? (int)Math.Clamp(((long)Math.Min(limit, int.MaxValue) - Reserved) / 2, 1, int.MaxValue) : int.MaxValue;
}
