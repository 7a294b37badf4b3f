using Chaos.Proxy.Cli;

namespace Chaos.Proxy.Tests.Support;

/// <summary>Runs the <c>chaos</c> command line in-process with its output captured.</summary>
internal static class CliRun
{
    public static async Task<(int Exit, string Output, string Error)> InvokeAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await ChaosCommand.InvokeAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}

/// <summary>A temporary folder for a test's scenario files, scripts and reports; deleted with the test.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    private readonly string _path = Directory.CreateTempSubdirectory("chaos-test-").FullName;

    public string PathOf(string name) => Path.Combine(_path, name);

    /// <summary>Writes <paramref name="text"/> to a file named <paramref name="name"/> and returns its path.</summary>
    public string Write(string name, string text)
    {
        var path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(_path, recursive: true);
}
