using System.CommandLine;
using Chaos.Scenarios;

namespace Chaos.Proxy.Cli;

/// <summary><c>chaos toxics</c> and <c>chaos schema</c>: the toxic catalogue and the scenario format, printed from the one model.</summary>
internal static class CatalogueCommands
{
    private static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Print the catalogue as JSON.",
    };

    public static Command CreateToxics()
    {
        var command = new Command("toxics", "List every toxic type by lifecycle point: attributes with units and defaults, and what the peers see on the wire.")
        {
            JsonOption,
        };
        command.SetAction(parsed => Print(parsed, parsed.GetValue(JsonOption) ? ToxicCatalogue.RenderJson() : ToxicCatalogue.RenderText()));
        return command;
    }

    public static Command CreateSchema()
    {
        var command = new Command("schema", "Print the JSON Schema (draft 2020-12) of the scenario format, for editor completion and checking.");
        command.SetAction(parsed => Print(parsed, ScenarioSchema.Generate()));
        return command;
    }

    private static int Print(ParseResult parsed, string text)
    {
        var output = parsed.InvocationConfiguration.Output;
        output.Write(text);
        if (!text.EndsWith('\n'))
        {
            output.WriteLine();
        }
        return ExitCodes.Success;
    }
}
