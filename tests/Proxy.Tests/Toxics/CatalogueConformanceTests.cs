using Chaos.Proxy.Engine;
using Chaos.Proxy.Tests.Support;
using Chaos.Proxy.Toxics;
using Chaos.Scenarios;

namespace Chaos.Proxy.Tests.Toxics;

/// <summary>Adding a toxic type means a catalogue row and a behaviour; this fails when the second is missing or acts at the wrong point.</summary>
public sealed class CatalogueConformanceTests
{
    public static TheoryData<string> Types => [.. ToxicCatalogue.Names];

    [Theory]
    [MemberData(nameof(Types))]
    public void EveryCatalogueType_HasABehaviourActingAtItsPoint(string type)
    {
        ToxicCatalogue.TryGet(type, out var info);
        var required = string.Join(", ", info!.Attributes.Where(a => a.IsRequired).Select(a => $"{a.Name}: {Math.Max(a.Min, 1)}"));
        var toxic = new ToxicBoard().Publish([TestProxies.Toxic($"{{type: {type}, attributes: {{{required}}}}}")]).Toxics[0];

        Type hook = info.Point switch
        {
            LifecyclePoint.Listen => typeof(IListenToxic),
            LifecyclePoint.Accept => typeof(IAcceptToxic),
            LifecyclePoint.Connect => typeof(IConnectToxic),
            LifecyclePoint.FirstByte => typeof(IFirstByteToxic),
            // slow_close is a data toxic in Toxiproxy's table, but what it delays is the close of the stream.
            LifecyclePoint.Data when type == "slow_close" => typeof(IFinToxic),
            LifecyclePoint.Data => typeof(IDataToxic),
            LifecyclePoint.Fin => typeof(IFinToxic),
            _ => typeof(ICloseToxic),
        };
        Assert.IsAssignableFrom(hook, toxic.Behaviour);
    }
}
