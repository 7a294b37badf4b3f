namespace Chaos.Proxy.Tests.Library;

/// <summary>The library's public surface is deliberate: the session API and what it hands out; the engine stays internal.</summary>
public sealed class PublicApiTests
{
    private static readonly string[] Expected =
    [
        "Chaos.Proxy.ChaosProxy",
        "Chaos.Proxy.ChaosSession",
        "Chaos.Proxy.ProxyStartException",
        "Chaos.Proxy.RegistryError",
        "Chaos.Proxy.RegistryException",
        "Chaos.Proxy.Observation.ChaosEvent",
        "Chaos.Proxy.Observation.CloseReason",
        "Chaos.Proxy.Observation.ConnectionAccepted",
        "Chaos.Proxy.Observation.ConnectionClosed",
        "Chaos.Proxy.Observation.ConnectionFaulted",
        "Chaos.Proxy.Observation.ConnectionRejected",
        "Chaos.Proxy.Observation.Direction",
        "Chaos.Proxy.Observation.FinReceived",
        "Chaos.Proxy.Observation.FinSent",
        "Chaos.Proxy.Observation.FirstByte",
        "Chaos.Proxy.Observation.ProxyStarted",
        "Chaos.Proxy.Observation.ProxyStopped",
        "Chaos.Proxy.Observation.ResetReceived",
        "Chaos.Proxy.Observation.ResetSent",
        "Chaos.Proxy.Observation.ScenarioReloadRejected",
        "Chaos.Proxy.Observation.ScenarioReloaded",
        "Chaos.Proxy.Observation.Side",
        "Chaos.Proxy.Observation.SubscriberDetached",
        "Chaos.Proxy.Observation.TcpStateSampled",
        "Chaos.Proxy.Observation.TimelineStepApplied",
        "Chaos.Proxy.Observation.ToxicActed",
        "Chaos.Proxy.Observation.ToxicReleased",
        "Chaos.Proxy.Observation.UpstreamConnected",
        "Chaos.Proxy.Observation.UpstreamConnecting",
        "Chaos.Proxy.Observation.UpstreamFailed",
        "Chaos.Proxy.Observation.WroteAfterFin",
        "Chaos.Proxy.Observation.Reactions.Backoff",
        "Chaos.Proxy.Observation.Reactions.ExpectationResult",
        "Chaos.Proxy.Observation.Reactions.ProxyReactions",
        "Chaos.Proxy.Observation.Reactions.ReactionReport",
        "Chaos.Proxy.Observation.Reactions.RetrySeries",
    ];

    [Fact]
    public void ExportedTypes_OfTheChaosAssembly_AreTheSessionApiAndWhatItHandsOut()
    {
        var exported = typeof(ChaosSession).Assembly.GetExportedTypes().Select(type => type.FullName!).Order(StringComparer.Ordinal);

        Assert.Equal(Expected.Order(StringComparer.Ordinal), exported);
    }
}
