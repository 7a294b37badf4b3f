using System.Collections.Immutable;

namespace Chaos.Scenarios;

/// <summary>
/// Binds a document to a <see cref="Scenario"/>, running every rule and reporting every problem.
/// A top-level list is Toxiproxy's proxies array (its <c>-config</c> file and <c>/populate</c> body) and means <c>proxies:</c>.
/// </summary>
internal sealed class ScenarioBinder
{
    private static readonly string[] Keys = ["version", "name", "description", "seed", "duration", "proxies", "timeline", "expect"];

    private readonly NodeBinder _binder;
    private readonly ToxicBinder _toxics;
    private readonly ProxyBinder _proxies;

    public ScenarioBinder(DiagnosticBag bag)
    {
        _binder = new NodeBinder(bag);
        _toxics = new ToxicBinder(_binder);
        _proxies = new ProxyBinder(_binder);
    }

    public Scenario? Bind(SourceNode root)
    {
        if (root is SequenceNode toxiproxyList)
        {
            var listed = _proxies.BindAll(toxiproxyList.Items, []);
            return _binder.Bag.HasErrors ? null : new Scenario(Scenario.CurrentVersion, null, null, null, null, listed, [], []);
        }

        if (root is ScalarNode)
        {
            _binder.Report(root, DiagnosticCodes.WrongType, $"a scenario must be a mapping (or Toxiproxy's list of proxies), not {root.Kind}",
                "start with 'version: 1' and a 'proxies:' list");
            return null;
        }

        if (_binder.Fields(root, "a scenario", Keys) is not { } fields)
        {
            return null;
        }

        var version = Version(fields.Optional("version"));
        var name = Optional(fields.Optional("name"), node => _binder.Name(node, "the scenario name"));
        var description = Optional(fields.Optional("description"), node => _binder.String(node, "description"));
        var seed = fields.Optional("seed") is { } seedNode ? _binder.Integer(seedNode, "seed") : null;
        var duration = fields.Optional("duration") is { } durationNode ? _binder.Duration(durationNode, "duration") : null;
        var declared = new Dictionary<string, HashSet<string>?>(StringComparer.Ordinal);
        var proxyNodes = fields.Required("proxies", "add a 'proxies:' list with at least one proxy");
        var proxies = _proxies.BindAll(_binder.Sequence(proxyNodes, "proxies"), declared);
        var timeline = new TimelineBinder(_binder, _toxics).BindAll(fields.Optional("timeline"), declared, duration);
        var expectations = new ExpectationBinder(_binder).BindAll(fields.Optional("expect"), declared.Keys.ToHashSet(StringComparer.Ordinal));
        return _binder.Bag.HasErrors
            ? null
            : new Scenario(version, name, description, seed, duration, proxies, timeline, expectations);
    }

    private int Version(SourceNode? node)
    {
        if (node is null)
        {
            return Scenario.CurrentVersion;
        }

        var version = _binder.Integer(node, "version");
        if (version is not null and not Scenario.CurrentVersion)
        {
            _binder.Report(node, DiagnosticCodes.UnsupportedVersion, $"version {version} is not supported", $"this build reads version {Scenario.CurrentVersion}");
        }

        return Scenario.CurrentVersion;
    }

    private static string? Optional(SourceNode? node, Func<SourceNode, string?> bind) => node is null ? null : bind(node);
}
