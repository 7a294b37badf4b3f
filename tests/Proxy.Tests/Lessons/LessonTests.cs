using Chaos.Proxy.Cli;
using Chaos.Proxy.Lessons;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Lessons;

public sealed class LessonTests
{
    public static TheoryData<int, string> Lessons => new()
    {
        { 1, "ESTABLISHED" },
        { 2, "ECONNREFUSED" },
        { 3, "SYN_SENT" },
        { 4, "nothing (timeout)" },
        { 5, "ECONNRESET" },
        { 6, "first_byte_delay" },
        { 7, "CLOSE_WAIT" },
        { 8, "FIN_WAIT2" },
        { 9, "ECONNRESET" },
        { 10, "ECONNRESET" },
    };

    [Fact]
    public void LessonCatalogue_All_TenNumberedLessonsWithEnglishAndChineseText()
    {
        Assert.Equal(Enumerable.Range(1, 10), LessonCatalogue.All.Select(lesson => lesson.Number));
        Assert.All(LessonCatalogue.All, lesson =>
        {
            Assert.False(string.IsNullOrWhiteSpace(lesson.Title(chinese: false)));
            Assert.Contains(lesson.Title(chinese: true), c => c is >= '\u4e00' and <= '\u9fff');
            Assert.True(lesson.Body(chinese: false).Length > 300, $"lesson {lesson.Number}'s English text is too short");
            Assert.True(lesson.Body(chinese: true).Length > 150, $"lesson {lesson.Number}'s Chinese text is too short");
        });
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Lessons))]
    public async Task LessonRun_EachLesson_RunsAsDescribedWithinThirtySeconds(int number, string shown)
    {
        var lesson = LessonCatalogue.Find(number)!;

        var outcome = await LessonRun.RunAsync(lesson);

        Assert.Empty(outcome.Problems);
        Assert.True(outcome.Took < TimeSpan.FromSeconds(30), $"took {outcome.Took}");
        Assert.Contains(outcome.Events, e => e is PeerObserved { Side: Side.Client });
        Assert.Contains(outcome.Saw, saw => saw.Side == Side.Server);
        var text = LessonText.Lesson(lesson, outcome, chinese: false, ascii: false);
        Assert.Contains(shown, text);
        Assert.Contains("The lesson ran as described", text);
    }

    [Fact(Timeout = 30_000)]
    public async Task LessonCommand_NoNumber_ListsEveryLesson()
    {
        var (exit, output, _) = await CliRun.InvokeAsync("lesson");

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains(" 1  A normal connection", output);
        Assert.Contains("10  An RST in mid-stream", output);
    }

    [Fact(Timeout = 30_000)]
    public async Task LessonCommand_UnknownNumber_OneLineErrorAndExitTwo()
    {
        var (exit, output, error) = await CliRun.InvokeAsync("lesson", "99");

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Empty(output);
        Assert.Equal("error: there is no lesson 99: lessons are 1 to 10 ('chaos lesson' lists them)", error.Trim());
    }

    [Fact(Timeout = 30_000)]
    public async Task LessonCommand_LangZh_PrintsChineseTextLadderAndWhatEachSideSaw()
    {
        var (exit, output, _) = await CliRun.InvokeAsync("lesson", "7", "--lang", "zh");

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("第 7 课：正常的四次挥手与半关闭", output);
        Assert.Contains("client  ", output); // the ladder's header
        Assert.Contains("双方各自看到了什么", output);
        Assert.Contains("  客户端：发出自己的 FIN 之后", output);
        Assert.Contains("本课按描述运行完毕", output);
    }
}
