using System.Collections;
using System.Diagnostics;
using System.Reflection;
using Chaos.Proxy.Engine;

namespace Chaos.Bench;

/// <summary>What to print when data stops moving: the proxy's own byte counts per connection and the kernel's socket queues.</summary>
internal static class StallProbe
{
    /// <summary>Bytes the proxy has sent each way, per live connection (read through reflection: diagnostics only).</summary>
    public static string ProxyBytes(RunningProxy? proxy)
    {
        try
        {
            var live = typeof(ProxyListener).GetField("_live", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(proxy?.Listener) as IDictionary;
            if (live is null)
            {
                return "proxy connections: n/a";
            }
            var rows = live.Values.Cast<RelayConnection>().Select(c => $"#{c.Id} sent up {c.BytesUpstream} down {c.BytesDownstream}");
            return $"proxy connections ({live.Count}): {string.Join("; ", rows.Take(5))}";
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return $"proxy connections: n/a ({ex.GetType().Name})";
        }
    }

    /// <summary>The kernel's queues for every TCP socket on the given ports (ss), or why not.</summary>
    public static string SocketQueues(params int[] ports)
    {
        try
        {
            var filter = string.Join(" or ", ports.Select(p => $"sport = :{p} or dport = :{p}"));
            using var ss = Process.Start(new ProcessStartInfo("ss", ["-tnoi", filter]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = ss.StandardOutput.ReadToEnd();
            ss.WaitForExit(5000);
            return output.TrimEnd();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return $"ss: n/a ({ex.Message})";
        }
    }
}
