using System.Reflection;
using Chaos.Scenarios;

namespace Chaos.Proxy.Lessons;

/// <summary>
/// One classroom lesson: a scenario from <c>scenarios/lessons/</c> (its description is the English text, its first
/// line the title) and the Chinese text from the sibling <c>.zh.md</c> (its first line the title too).
/// </summary>
internal sealed record Lesson(int Number, string Slug, Scenario Scenario, string English, string Chinese)
{
    public string Title(bool chinese) => FirstLine(chinese ? Chinese : English);

    /// <summary>The text without its title line.</summary>
    public string Body(bool chinese) => (chinese ? Chinese : English).Split('\n', 2) is [_, var rest] ? rest.Trim('\n') : "";

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimStart('#', ' ').Trim();
}

/// <summary>The lessons embedded in the executable (from <c>scenarios/lessons/</c>), so <c>chaos lesson</c> needs no files.</summary>
internal static class LessonCatalogue
{
    private const string Prefix = "lessons/";

    public static IReadOnlyList<Lesson> All { get; } = Load();

    public static Lesson? Find(int number) => All.FirstOrDefault(lesson => lesson.Number == number);

    private static List<Lesson> Load()
    {
        var assembly = typeof(LessonCatalogue).Assembly;
        var lessons = new List<Lesson>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var slug = name[Prefix.Length..^".yaml".Length];
            var loaded = ScenarioLoader.LoadText(Read(assembly, name), name);
            var scenario = loaded.Scenario ?? throw new InvalidOperationException($"embedded lesson {name} is invalid: {string.Join("; ", loaded.Diagnostics)}");
            lessons.Add(new Lesson(int.Parse(slug[..2], System.Globalization.CultureInfo.InvariantCulture), slug, scenario,
                (scenario.Description ?? slug).Trim(), Read(assembly, $"{Prefix}{slug}.zh.md").Trim()));
        }
        return lessons;
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"embedded resource {name} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    }
}
