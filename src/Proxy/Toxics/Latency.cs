namespace Chaos.Proxy.Toxics;

/// <summary>
/// <c>latency</c> (Toxiproxy): each chunk is delivered latency ± jitter after it was received. It is a delay
/// line, not a per-chunk sleep: chunks keep being read while earlier ones wait, so throughput is not capped.
/// </summary>
internal sealed class Latency(TimeSpan latency, TimeSpan jitter) : IDelayToxic
{
    public IDataStage CreateStage(Func<Random> random) => new Stage(latency, jitter, jitter == TimeSpan.Zero ? null : random());

    private sealed class Stage(TimeSpan latency, TimeSpan jitter, Random? random) : IDelayStage
    {
        public void Transform(ChunkPlan plan)
        {
            var delay = NextDelay();
            plan.ReplacePieces(plan.Pieces.Select(piece => piece with { NotBefore = plan.Later(piece.NotBefore, delay) }));
        }

        public TimeSpan NextDelay()
        {
            // Toxiproxy draws the jitter uniformly from [-jitter, +jitter) per chunk; with none, there is nothing to draw.
            var delay = random is null ? latency : latency + (jitter * ((random.NextDouble() * 2) - 1));
            return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        }
    }
}
