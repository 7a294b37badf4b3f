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

            if (ReadCapped(path) is not { } read)
            {
                return Fail(bag, DiagnosticCodes.FileTooLarge, $"the file is over the {MaxInputBytes / 1024} KiB cap",
                    "a scenario is a few kilobytes; split it or remove generated content");
            }
            bytes = read;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Fail(bag, DiagnosticCodes.FileUnreadable, $"cannot read the file: {e.Message}", "check the path and its permissions");
        }

        var text = SourceText.Decode(bytes, bag);
        return Result(text is null ? null : Bind(text, bag, root => new ScenarioBinder(bag).Bind(root)), bag);
    }

    /// <summary>
    /// Reads at most one byte over the cap: a device or a pipe (<c>/dev/zero</c>, <c>/dev/stdin</c>) reports length 0
    /// and would otherwise be read without end. Null when the file is over the cap.
    /// </summary>
    private static byte[]? ReadCapped(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.None);
        var buffer = new byte[MaxInputBytes + 1];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = file.Read(buffer, filled, buffer.Length - filled)) > 0)
        {
            filled += read;
        }
        return filled > MaxInputBytes ? null : buffer[..filled];
    }

    /// <summary>Loads scenario text (YAML or JSON); <paramref name="sourceName"/> names it in diagnostics (a path, or e.g. "request body").</summary>
    public static ScenarioLoadResult LoadText(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        var bag = new DiagnosticBag(sourceName);
        return Result(Check(text, bag, root => new ScenarioBinder(bag).Bind(root)), bag);
    }

    /// <summary>
    /// Loads one proxy in Toxiproxy's shape (<c>{name, listen, upstream, enabled, toxics}</c>), e.g. the body of
    /// <c>POST /proxies</c>, with the same rules as in a scenario.
    /// </summary>
    public static SpecLoadResult<ProxySpec> LoadProxy(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bag = new DiagnosticBag(sourceName);
        var proxy = Check(text, bag, root => new ProxyBinder(new NodeBinder(bag)).BindAll([root], []).SingleOrDefault());
        return new(bag.HasErrors ? null : proxy, bag.Items);
    }

    /// <summary>
    /// Loads one toxic in Toxiproxy's shape (<c>{name, type, stream, toxicity, attributes}</c> plus <c>where</c>),
    /// e.g. the body of <c>POST /proxies/{proxy}/toxics</c>, with the same rules as in a scenario.
    /// </summary>
    public static SpecLoadResult<ToxicSpec> LoadToxic(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bag = new DiagnosticBag(sourceName);
        var toxic = Check(text, bag, root => new ToxicBinder(new NodeBinder(bag)).Bind(root));
        return new(bag.HasErrors ? null : toxic, bag.Items);
    }

    private static T? Check<T>(string text, DiagnosticBag bag, Func<SourceNode, T?> bind)
        where T : class =>
        SourceText.Check(text, bag) ? Bind(text, bag, bind) : null;

    private static T? Bind<T>(string text, DiagnosticBag bag, Func<SourceNode, T?> bind)
        where T : class
    {
        var root = YamlTreeReader.Read(text, bag);
        return root is null || bag.HasErrors ? null : bind(root);
    }

    private static ScenarioLoadResult Fail(DiagnosticBag bag, string code, string message, string hint)
    {
        bag.Report(SourcePosition.Start, code, message, hint);
        return Result(null, bag);
    }

    private static ScenarioLoadResult Result(Scenario? scenario, DiagnosticBag bag) =>
        new(bag.HasErrors ? null : scenario, bag.Items);
}
