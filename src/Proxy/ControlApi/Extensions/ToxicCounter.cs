using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.ControlApi.Extensions;

/// <summary>Counts <see cref="ToxicActed"/> events per proxy name (for <c>chaos_toxics_applied_total</c>).</summary>
internal sealed class ToxicCounter : IInlineEventSubscriber
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _counts = new(StringComparer.Ordinal);

    public long this[string proxy] => _counts.TryGetValue(proxy, out var count) ? Interlocked.Read(ref count.Value) : 0;

    public bool Reads(Type kind) => kind == typeof(ToxicActed);

    public void Handle(ChaosEvent chaosEvent)
    {
        if (chaosEvent is ToxicActed acted)
        {
            Interlocked.Increment(ref _counts.GetOrAdd(acted.Proxy, _ => new StrongBox<long>()).Value);
        }
    }
}
