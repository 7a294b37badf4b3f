namespace Chaos.Scenarios.Tests;

/// <summary>Finds files in the repository from the test assembly's directory.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Find(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Chaos.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Chaos.sln above {AppContext.BaseDirectory}");
    }
}
