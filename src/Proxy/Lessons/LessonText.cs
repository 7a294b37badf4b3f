using System.Text;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Observation.Diagrams;

namespace Chaos.Proxy.Lessons;

/// <summary>What <c>chaos lesson</c> prints: the list, and a lesson's text, ladder and "what each side saw", in English or Chinese.</summary>
internal static class LessonText
{
    public static string List(IReadOnlyList<Lesson> lessons, bool chinese)
    {
        var text = new StringBuilder(chinese ? "课程（chaos lesson <编号> [--lang zh]）：\n" : "Lessons (chaos lesson <n> [--lang en|zh]):\n");
        foreach (var lesson in lessons)
        {
            text.Append($"  {lesson.Number,2}  {lesson.Title(chinese)}\n");
        }
        return text.ToString();
    }

    public static string Lesson(Lesson lesson, LessonOutcome outcome, bool chinese, bool ascii)
    {
        var text = new StringBuilder();
        var heading = chinese ? $"第 {lesson.Number} 课：{lesson.Title(true)}" : $"Lesson {lesson.Number}: {lesson.Title(false)}";
        text.Append(heading).Append('\n').Append(new string('=', Math.Min(heading.Length * (chinese ? 2 : 1), 100))).Append("\n\n");
        text.Append(lesson.Body(chinese)).Append("\n\n");
        text.Append(chinese
            ? "发生了什么（毫秒，从 chaos 的 accept() 算起，负数表示在它之前：内核早已完成了握手；[client: …] 和 [server: …] 是两个程序自己的套接字及其内核状态，[client leg: …] 和 [server leg: …] 是 chaos 面向它们的套接字）：\n\n"
            : "What happened (ms from chaos's accept(); a negative time is before it, as the kernel had already finished the handshake; [client: ...] and [server: ...] are the programs' own sockets with their kernel state, [client leg: ...] and [server leg: ...] are chaos's sockets facing them):\n\n");
        foreach (var connection in ConnectionGroups.Of(outcome.Events).Connections)
        {
            var ladder = Ladder.Of(connection.Events);
            if (connection.Connection == LessonRun.NeverAccepted)
            {
                ladder = ladder with { Title = $"{connection.Proxy}: the client's attempt, never accepted by chaos" };
            }
            text.Append(LadderDiagram.Render(ladder, ascii)).Append('\n');
        }
        text.Append(chinese ? "双方各自看到了什么：\n" : "What each side saw:\n");
        foreach (var side in new[] { Side.Client, Side.Server })
        {
            foreach (var saw in outcome.Saw.Where(s => s.Side == side))
            {
                var who = side == Side.Client ? (chinese ? "客户端" : "client") : (chinese ? "服务器" : "server");
                text.Append(chinese ? $"  {who}：{saw.Chinese}\n" : $"  {who}: {saw.English}\n");
            }
        }
        text.Append('\n');
        if (outcome.Problems.Count == 0)
        {
            text.Append(chinese ? $"本课按描述运行完毕（{outcome.Took.TotalSeconds:0.0} 秒）。\n" : $"The lesson ran as described ({outcome.Took.TotalSeconds:0.0} s).\n");
        }
        else
        {
            text.Append(chinese ? "这次运行与课程描述不符：\n" : "This run did not go as the lesson describes:\n");
            foreach (var problem in outcome.Problems)
            {
                text.Append("  - ").Append(problem).Append('\n');
            }
        }
        return text.ToString();
    }
}
