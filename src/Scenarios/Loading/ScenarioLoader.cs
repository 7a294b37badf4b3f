namespace Chaos.Scenarios;

/// <summary>
/// Loads scenarios from YAML or JSON: a scenario document, or Toxiproxy's proxies array.
/// Never throws for bad input: every problem, a missing file included, comes back as a <see cref="Diagnostic"/>.
/// </summary>
public static class ScenarioLoader
{
    /// <summary>The largest input accepted, in bytes.</summary>
    public const int MaxInputBytes = SourceText.MaxBytes;

    /// <summary>Reads and loads the file at <paramref name="path"/>; the diagnostics name the file as given.</summary>
    public static ScenarioLoadResult LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bag = new DiagnosticBag(path);
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxInputBytes)
            {
                return Fail(bag, DiagnosticCodes.FileTooLarge, $"the file is {info.Length} bytes, over the {MaxInputBytes / 1024} KiB cap",
                    "a scenario is a few kilobytes; split it or remove generated content");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Fail(bag, DiagnosticCodes.FileUnreadable, $"cannot read the file: {e.Message}", "check the path and its permissions");
        }

        var text = SourceText.Decode(bytes, bag);
        return text is null ? Result(null, bag) : Load(text, bag);
    }

    /// <summary>Loads scenario text; <paramref name="sourceName"/> names it in diagnostics (a path, or e.g. "request body").</summary>
    public static ScenarioLoadResult LoadText(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        var bag = new DiagnosticBag(sourceName);
        return SourceText.Check(text, bag) ? Load(text, bag) : Result(null, bag);
    }

    private static ScenarioLoadResult Load(string text, DiagnosticBag bag)
    {
        var root = YamlTreeReader.Read(text, bag);
        var scenario = root is null || bag.HasErrors ? null : new ScenarioBinder(bag).Bind(root);
        return Result(scenario, bag);
    }

    private static ScenarioLoadResult Fail(DiagnosticBag bag, string code, string message, string hint)
    {
        bag.Report(SourcePosition.Start, code, message, hint);
        return Result(null, bag);
    }

    private static ScenarioLoadResult Result(Scenario? scenario, DiagnosticBag bag) =>
        new(bag.HasErrors ? null : scenario, bag.Items);
}
