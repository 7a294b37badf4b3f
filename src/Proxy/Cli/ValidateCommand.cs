using System.CommandLine;
using Chaos.Scenarios;

namespace Chaos.Proxy.Cli;

/// <summary><c>chaos validate a.yaml b.yaml</c>: every problem of every file, without starting anything.</summary>
internal static class ValidateCommand
{
    private static readonly Argument<FileInfo[]> FilesArgument = new("files")
    {
        Description = "Scenario files to check.",
        Arity = ArgumentArity.OneOrMore,
    };

    public static Command Create()
    {
        var command = new Command("validate", "Check scenario files and print every problem as file(line,col): error CODE: message. Exit 0 when all are valid, 2 otherwise.")
        {
            FilesArgument,
        };
        command.SetAction(async (parsed, cancellation) =>
        {
            var output = parsed.InvocationConfiguration.Output;
            var error = parsed.InvocationConfiguration.Error;
            var allValid = true;
            foreach (var file in parsed.GetRequiredValue(FilesArgument))
            {
                var loaded = ScenarioLoader.LoadFile(file.FullName);
                await WriteDiagnosticsAsync(error, loaded.Diagnostics);
                if (loaded.Scenario is { } scenario)
                {
                    await output.WriteLineAsync($"{file.FullName}: valid ({Describe(scenario)})");
                }
                allValid &= loaded.IsValid;
            }
            return allValid ? ExitCodes.Success : ExitCodes.InvalidInput;
        });
        return command;
    }

    public static async Task WriteDiagnosticsAsync(TextWriter writer, IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            await writer.WriteLineAsync(diagnostic.ToString());
        }
    }

    private static string Describe(Scenario scenario)
    {
        var toxics = scenario.Proxies.Sum(proxy => proxy.Toxics.Length);
        return $"{Count(scenario.Proxies.Length, "proxy", "proxies")}, {Count(toxics, "toxic", "toxics")}, " +
            $"{Count(scenario.Timeline.Length, "timeline step", "timeline steps")}, {Count(scenario.Expectations.Length, "expectation", "expectations")}";
    }

    private static string Count(int count, string one, string many) => $"{count} {(count == 1 ? one : many)}";
}
