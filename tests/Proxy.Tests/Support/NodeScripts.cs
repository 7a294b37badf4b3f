using System.Diagnostics;
using Chaos.Proxy.Tests.Cli;

namespace Chaos.Proxy.Tests.Support;

/// <summary>Node.js scripts the tests run (real npm clients, the browser check), each folder installed from its lock file.</summary>
internal static class NodeScripts
{
    private static readonly SemaphoreSlim Install = new(1, 1);

    /// <summary>The folder (relative to the repository), with <c>npm ci</c> run there first when <paramref name="package"/> is not installed (.ci/run also does it).</summary>
    public static async Task<string> FolderAsync(string relative, string package)
    {
        var folder = Path.Combine(CatalogueAndValidateCommandTests.RepositoryRoot(), relative);
        await Install.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(folder, "node_modules", package, "package.json")))
            {
                var (exit, output, error) = await RunAsync("npm", folder, [], "ci", "--no-audit", "--no-fund");
                Assert.True(exit == 0, $"npm ci exited {exit}: {output} {error}");
            }
        }
        finally
        {
            Install.Release();
        }
        return folder;
    }

    public static async Task<(int Exit, string Output, string Error)> RunAsync(string program, string folder, (string Name, string Value)[] environment, params string[] args)
    {
        var start = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, (await output).Trim(), await error);
    }
}
