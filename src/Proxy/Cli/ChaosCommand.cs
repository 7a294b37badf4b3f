using System.CommandLine;

namespace Chaos.Proxy.Cli;

/// <summary>The <c>chaos</c> root command and the parse-error policy shared by every subcommand.</summary>
internal static class ChaosCommand
{
    public static RootCommand Create() => new("Chaos: a scriptable TCP chaos proxy. Breaks connections at chosen points of their life and shows how each side reacts.")
    {
        RunCommand.Create(),
        ValidateCommand.Create(),
        CatalogueCommands.CreateToxics(),
        CatalogueCommands.CreateSchema(),
        ReportCommand.Create(),
        ServeCommand.Create(),
        LessonCommand.Create(),
        Remote.CliCommand.Create(),
    };

    public static async Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var parsed = Create().Parse(args);
        // System.CommandLine exits 1 on parse errors; ours is 2 for any bad input, with one line per problem.
        var problems = parsed.Errors.Select(parseError => parseError.Message).Concat(RunCommand.Problems(parsed)).ToList();
        if (problems.Count > 0 && parsed.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var problem in problems)
            {
                await error.WriteLineAsync($"error: {problem}");
            }
            await error.WriteLineAsync("See 'chaos --help'.");
            return ExitCodes.InvalidInput;
        }
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // Ctrl+C and SIGTERM cancel the run; it then needs time to drain connections before exiting.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(15),
        };
        return await parsed.InvokeAsync(configuration);
    }
}
