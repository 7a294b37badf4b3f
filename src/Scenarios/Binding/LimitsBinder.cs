namespace Chaos.Scenarios;

/// <summary>Binds a proxy's <c>max_connections</c>, <c>over_limit</c> and <c>idle_timeout</c>.</summary>
internal sealed class LimitsBinder(NodeBinder binder)
{
    /// <returns>The limits (<see cref="ProxyLimits.None"/> when none is given), or null when one is wrong (reported).</returns>
    public ProxyLimits? Bind(Fields fields)
    {
        var ok = true;
        int? max = null;
        if (fields.Optional("max_connections") is { } maxNode)
        {
            var number = binder.Integer(maxNode, "max_connections");
            if (number is < 1 or > ProxyLimits.MaxConnectionsCap)
            {
                binder.Report(maxNode, DiagnosticCodes.BadLimit, $"max_connections {number} is out of range",
                    $"write a whole number from 1 to {ProxyLimits.MaxConnectionsCap}, or leave it out for no limit");
            }
            max = number is >= 1 and <= ProxyLimits.MaxConnectionsCap ? (int)number : null;
            ok = max is not null;
        }

        var overLimit = OverLimitAction.Reset;
        if (fields.Optional("over_limit") is { } actionNode)
        {
            switch (binder.String(actionNode, "over_limit"))
            {
                case "reset":
                    break;
                case "refuse":
                    overLimit = OverLimitAction.Refuse;
                    break;
                case { } other:
                    binder.Report(actionNode, DiagnosticCodes.BadLimit, $"over_limit '{other}' is not a choice",
                        "write reset (RST at once, the default) or refuse (FIN before any byte)");
                    ok = false;
                    break;
                default:
                    ok = false;
                    break;
            }
        }

        TimeSpan? idle = null;
        if (fields.Optional("idle_timeout") is { } idleNode)
        {
            idle = binder.Duration(idleNode, "idle_timeout");
            if (idle is null)
            {
                ok = false;
            }
            else if (idle < ProxyLimits.MinIdleTimeout)
            {
                binder.Report(idleNode, DiagnosticCodes.BadLimit, $"idle_timeout {Durations.Format(idle.Value)} is too short",
                    $"write at least {Durations.Format(ProxyLimits.MinIdleTimeout)}, or leave it out for no idle timeout");
                ok = false;
            }
        }

        return ok ? new ProxyLimits(max, overLimit, idle) : null;
    }
}
