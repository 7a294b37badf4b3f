using System.Collections.Immutable;

namespace Chaos.Scenarios;

/// <summary>
/// Binds the timeline and replays it against the proxies' toxics, so a step that removes a toxic that is
/// not there at that moment, or adds one whose name is taken, is reported with the step's position.
/// </summary>
internal sealed class TimelineBinder(NodeBinder binder, ToxicBinder toxics)
{
    internal static readonly string[] Actions = ["add", "remove", "disable", "enable"];
    private static readonly string[] Keys = ["at", .. Actions];

    /// <param name="node">The <c>timeline:</c> node.</param>
    /// <param name="declared">Each declared proxy with its toxic names, or null when its toxics did not bind (no toxic checks then).</param>
    /// <param name="end">The scenario's duration, if any.</param>
    public ImmutableArray<TimelineStep> BindAll(SourceNode? node, Dictionary<string, HashSet<string>?> declared, TimeSpan? end)
    {
        var steps = ImmutableArray.CreateBuilder<TimelineStep>();
        var previous = TimeSpan.Zero;
        foreach (var item in binder.Sequence(node, "timeline"))
        {
            if (binder.Fields(item, "a timeline step", Keys) is not { } fields)
            {
                continue;
            }

            var atNode = fields.Required("at");
            var at = atNode is null ? null : binder.Duration(atNode, "at");
            if (at is { } offset && atNode is not null)
            {
                CheckOrder(atNode, offset, previous, end);
                previous = offset > previous ? offset : previous;
            }

            var action = Action(fields, item, declared);
            if (at is not null && action is not null)
            {
                steps.Add(new TimelineStep(at.Value, action));
            }
        }

        return steps.ToImmutable();
    }

    private void CheckOrder(SourceNode atNode, TimeSpan at, TimeSpan previous, TimeSpan? end)
    {
        if (at < previous)
        {
            binder.Report(atNode, DiagnosticCodes.TimelineOrder, $"at {Durations.Format(at)} comes after a step at {Durations.Format(previous)}",
                "list the steps in time order");
        }

        if (at >= end)
        {
            binder.Report(atNode, DiagnosticCodes.TimelineAfterEnd, $"at {Durations.Format(at)} is not before the scenario's duration {Durations.Format(end.Value)}",
                "move the step earlier or lengthen 'duration'");
        }
    }

    private TimelineAction? Action(Fields fields, SourceNode item, Dictionary<string, HashSet<string>?> declared)
    {
        var present = Actions.Where(action => fields.Optional(action) is not null).ToArray();
        if (present.Length != 1)
        {
            binder.Report(present.Length == 0 ? item : fields.Key(present[1])!, DiagnosticCodes.TimelineAction,
                present.Length == 0 ? "a timeline step has no action" : $"a timeline step has {present.Length} actions ({string.Join(", ", present)})",
                "give each step exactly one of: add, remove, disable, enable");
            return null;
        }

        var node = fields.Optional(present[0])!;
        return present[0] switch
        {
            "add" => Add(node, declared),
            "remove" => Remove(node, declared),
            "disable" => Proxy(node, declared) is { } disabled ? new DisableProxyAction(disabled) : null,
            _ => Proxy(node, declared) is { } enabled ? new EnableProxyAction(enabled) : null,
        };
    }

    private AddToxicAction? Add(SourceNode node, Dictionary<string, HashSet<string>?> declared)
    {
        var (proxy, toxicNode) = Target(node, "add", declared);
        var toxic = toxicNode is null ? null : toxics.Bind(toxicNode);
        if (proxy is null || toxic is null || toxicNode is null)
        {
            return null;
        }

        if (declared[proxy] is { } names && !names.Add(toxic.Name))
        {
            binder.Report(toxicNode, DiagnosticCodes.DuplicateToxic, $"proxy '{proxy}' already has a toxic named '{toxic.Name}' at this point",
                "remove it first, or give this one another name");
            return null;
        }

        return new AddToxicAction(proxy, toxic);
    }

    private RemoveToxicAction? Remove(SourceNode node, Dictionary<string, HashSet<string>?> declared)
    {
        var (proxy, toxicNode) = Target(node, "remove", declared);
        var toxic = toxicNode is null ? null : binder.Name(toxicNode, "a toxic name");
        if (proxy is null || toxic is null || toxicNode is null)
        {
            return null;
        }

        if (declared[proxy] is { } names && !names.Remove(toxic))
        {
            binder.Report(toxicNode, DiagnosticCodes.UnknownToxic, $"proxy '{proxy}' has no toxic named '{toxic}' at this point",
                names.Count == 0 ? "it has no toxics then" : Suggestions.Hint(toxic, [.. names.Order(StringComparer.Ordinal)], "its toxics then"));
            return null;
        }

        return new RemoveToxicAction(proxy, toxic);
    }

    /// <summary>The <c>{proxy, toxic}</c> of an add or remove step: the proxy checked, the toxic node left to the caller.</summary>
    private (string? Proxy, SourceNode? Toxic) Target(SourceNode node, string action, Dictionary<string, HashSet<string>?> declared)
    {
        if (binder.Fields(node, action, "proxy", "toxic") is not { } fields)
        {
            return (null, null);
        }

        var proxyNode = fields.Required("proxy");
        return (proxyNode is null ? null : Proxy(proxyNode, declared), fields.Required("toxic"));
    }

    private string? Proxy(SourceNode node, Dictionary<string, HashSet<string>?> declared)
    {
        if (binder.String(node, "a proxy name") is not { } name)
        {
            return null;
        }

        if (declared.ContainsKey(name))
        {
            return name;
        }

        binder.Report(node, DiagnosticCodes.UnknownProxy, $"there is no proxy named '{name}'",
            declared.Count == 0 ? "the scenario has no proxies" : Suggestions.Hint(name, [.. declared.Keys.Order(StringComparer.Ordinal)], "proxies"));
        return null;
    }
}
