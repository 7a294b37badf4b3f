namespace Chaos.Proxy.Cli;

/// <summary>The documented exit codes of every <c>chaos</c> command.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>An expectation failed, or the wrapped command did.</summary>
    public const int Failed = 1;

    /// <summary>Bad input: a scenario, a flag, an argument.</summary>
    public const int InvalidInput = 2;

    /// <summary>The environment got in the way, e.g. a listen address that cannot be bound.</summary>
    public const int RuntimeFailure = 3;
}
