using System.Runtime.InteropServices;

namespace Chaos.Proxy.Engine;

/// <summary>
/// Raises the soft limit on open files to the hard limit (Linux). A relayed connection holds two sockets, so the
/// usual soft limit of 1024 would cap chaos at about 500 connections, far below what a connection pool opens.
/// The .NET runtime does this itself on glibc but not on musl (Alpine images), so chaos does not rely on it.
/// </summary>
internal static partial class OpenFileLimit
{
    private const int RlimitNofile = 7;

    /// <summary>The soft limit now; null where it cannot be read (not Linux).</summary>
    public static ulong? Current => OperatingSystem.IsLinux() && GetRLimit(RlimitNofile, out var limit) == 0 ? limit.Current : null;

    /// <summary>The soft limit after raising it; null where it cannot be read (not Linux).</summary>
    public static ulong? Raise()
    {
        if (!OperatingSystem.IsLinux() || GetRLimit(RlimitNofile, out var limit) != 0)
        {
            return null;
        }
        if (limit.Current < limit.Maximum && SetRLimit(RlimitNofile, limit with { Current = limit.Maximum }) == 0)
        {
            return limit.Maximum;
        }
        return limit.Current;
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct RLimit(ulong Current, ulong Maximum);

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetRLimit(int resource, in RLimit limit);
}
