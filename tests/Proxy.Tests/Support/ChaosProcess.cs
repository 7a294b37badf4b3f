using System.Diagnostics;
using System.Net;
using System.Text;

namespace Chaos.Proxy.Tests.Support;

/// <summary>The real <c>chaos</c> executable as a child process, for what only a process shows: signals and exit codes.</summary>
internal sealed class ChaosProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private ChaosProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, line) => Append(_output, line.Data);
        _process.ErrorDataReceived += (_, line) => Append(_error, line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    /// <summary>Resident memory of the process now, from /proc (Linux).</summary>
    public long ResidentBytes =>
        long.Parse(File.ReadLines($"/proc/{Id}/status").First(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;

    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    public string Error
    {
        get { lock (_error) { return _error.ToString(); } }
    }

    public static ChaosProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>Starts chaos with <paramref name="environment"/> added to this process's environment.</summary>
    public static ChaosProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var chaos = Path.Combine(AppContext.BaseDirectory, "chaos.dll");
        var start = new ProcessStartInfo("dotnet", [chaos, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        return new ChaosProcess(Process.Start(start)!);
    }

    /// <summary>Waits for <paramref name="text"/> on stdout or stderr (errors go to stderr).</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!Output.Contains(text, StringComparison.Ordinal) && !Error.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new TimeoutException($"'{text}' never appeared. stdout: {Output} stderr: {Error}");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Where the proxy named <paramref name="proxy"/> listens, from the line chaos prints once it does.</summary>
    public async Task<IPEndPoint> ProxyAddressAsync(string proxy)
    {
        var marker = $"{proxy} listening on ";
        await WaitForOutputAsync(marker);
        var text = Output;
        var start = text.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return IPEndPoint.Parse(text[start..text.IndexOf(' ', start)]);
    }

    /// <summary>Sends SIGTERM, as a service manager or a CI runner stopping the job would.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit(); // flushes the redirected streams
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    private static void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (target)
        {
            target.AppendLine(line);
        }
    }
}
