using System.CommandLine;
using Chaos.Proxy.Lessons;

namespace Chaos.Proxy.Cli;

/// <summary><c>chaos lesson [n] [--lang en|zh]</c>: lists the classroom lessons, or runs one end to end with its own client and server.</summary>
internal static class LessonCommand
{
    private static readonly Argument<int?> NumberArgument = new("n")
    {
        Description = "The lesson to run; without it, the list.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string> LangOption = new("--lang")
    {
        Description = "The language of the lesson text and of what each side saw: en or zh (Chinese, zh-CN).",
        DefaultValueFactory = _ => "en",
    };

    private static readonly Option<bool> AsciiOption = new("--ascii")
    {
        Description = "Draw the ladder with ASCII only, for terminals without Unicode.",
    };

    public static Command Create()
    {
        LangOption.AcceptOnlyFromAmong("en", "zh");
        var command = new Command("lesson", "Classroom: run one TCP lesson end to end (its own client and server, the fault, the ladder with each side's kernel TCP state); without a number, list them.")
        {
            NumberArgument,
            LangOption,
            AsciiOption,
        };
        command.SetAction(async (parsed, cancellation) =>
        {
            var chinese = parsed.GetValue(LangOption) == "zh";
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(NumberArgument) is not { } number)
            {
                await output.WriteAsync(LessonText.List(LessonCatalogue.All, chinese));
                return ExitCodes.Success;
            }
            if (LessonCatalogue.Find(number) is not { } lesson)
            {
                await parsed.InvocationConfiguration.Error.WriteLineAsync(
                    $"error: there is no lesson {number}: lessons are 1 to {LessonCatalogue.All.Count} ('chaos lesson' lists them)");
                return ExitCodes.InvalidInput;
            }
            var outcome = await LessonRun.RunAsync(lesson);
            await output.WriteAsync(LessonText.Lesson(lesson, outcome, chinese, parsed.GetValue(AsciiOption)));
            return outcome.Problems.Count == 0 ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }
}
