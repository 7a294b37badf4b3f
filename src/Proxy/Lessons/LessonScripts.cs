using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Lessons;

/// <summary>
/// The client and server programs of each lesson, run side by side. Each does what a real program does at that
/// step, notes its socket's kernel state, says what it saw in both languages, and checks the lesson's claim.
/// </summary>
internal static class LessonScripts
{
    private const string Request = "hello, server\n";
    private const string Answer = "hello, client: here is your answer\n";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan NobodyCame = TimeSpan.FromSeconds(1.5);

    /// <summary>How long the client of lesson 3 lets connect() wait, far below the kernel's two minutes.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3.5);

    public static Func<LessonStage, Task> For(int lesson) => lesson switch
    {
        1 => NormalConnectionAsync,
        2 => NobodyListeningAsync,
        3 => SynNeverAnsweredAsync,
        4 => AcceptedNeverServedAsync,
        5 => ResetAfterConnectAsync,
        6 => SlowFirstByteAsync,
        7 => NormalTeardownAsync,
        8 => FinNeverForwardedAsync,
        9 => FinTurnedIntoRstAsync,
        10 => RstMidStreamAsync,
        _ => throw new ArgumentOutOfRangeException(nameof(lesson), lesson, "no such lesson"),
    };

    private static string Ms(double ms) => ms.ToString("0", CultureInfo.InvariantCulture);

    private static async Task NormalConnectionAsync(LessonStage stage)
    {
        var server = EchoOnceAsync(stage);
        var start = stage.ElapsedMs;
        using var client = await stage.ConnectAsync();
        var connected = stage.ElapsedMs - start;
        await LessonStage.SendAsync(client, Request);
        stage.Note(Side.Client, client, $"send {Request.Length} B");
        var answer = await LessonStage.ReadAsync(client, Patience);
        stage.Note(Side.Client, client, $"read {answer.Describe()}");
        client.Close(); // no read pending: a FIN
        await server;
        stage.Saw(Side.Client, $"connect() returned after {Ms(connected)} ms (the kernels did the handshake), the answer came, then it closed.",
            $"connect() 在 {Ms(connected)} 毫秒后返回（握手由内核完成），收到了回答，然后关闭。");
        stage.Expect(answer.Outcome == ReadOutcome.Data, $"the client read {answer.Describe()}, not the answer");
    }

    /// <summary>The usual server: accept, read the request, answer, read until the client closes, close.</summary>
    private static async Task EchoOnceAsync(LessonStage stage)
    {
        using var server = await ExpectConnectionAsync(stage);
        if (server is null)
        {
            return;
        }
        var request = await LessonStage.ReadAsync(server, Patience);
        stage.Note(Side.Server, server, $"read {request.Describe()}");
        await LessonStage.SendAsync(server, Answer);
        var end = await LessonStage.ReadAsync(server, Patience);
        stage.Note(Side.Server, server, $"read {end.Describe()}");
        server.Close();
        stage.Saw(Side.Server, $"accept() handed over a connection that was already ESTABLISHED; it read the request, answered, and closed after the client's EOF.",
            "accept() 交给它的连接已经是 ESTABLISHED；它读到请求，作了回答，读到客户端的 EOF 后关闭。");
    }

    private static async Task NobodyListeningAsync(LessonStage stage)
    {
        var server = NobodyComesAsync(stage);
        var start = stage.ElapsedMs;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        SocketError? error = null;
        try
        {
            await client.ConnectAsync(stage.Proxy);
        }
        catch (SocketException ex)
        {
            error = ex.SocketErrorCode;
        }
        var took = stage.ElapsedMs - start;
        var name = error is { } e ? LessonStage.ErrorName(e) : "success";
        stage.Note(Side.Client, client, $"connect(): {name}");
        await server;
        stage.Saw(Side.Client, $"connect() failed with {name} after {took:0.00} ms: the RST came at once.",
            $"connect() 在 {took:0.00} 毫秒后失败，错误是 {name}：RST 立刻就到了。");
        stage.Expect(error == SocketError.ConnectionRefused, $"connect() ended with {name}, not ECONNREFUSED");
    }

    private static async Task<Socket?> ExpectConnectionAsync(LessonStage stage)
    {
        var server = await stage.AcceptAsync(Patience);
        stage.Expect(server is not null, "the server never got the connection");
        return server;
    }

    /// <summary>The server of a lesson where the connection never reaches it.</summary>
    private static async Task NobodyComesAsync(LessonStage stage)
    {
        using var server = await stage.AcceptAsync(NobodyCame);
        stage.Expect(server is null, "the server got a connection, but this lesson's fault should keep it away");
        stage.Saw(Side.Server, "nothing: no connection ever reached it, so it has nothing to log.",
            "什么也没有：没有任何连接到达它，所以它没有什么可记录的。");
    }

    private static async Task SynNeverAnsweredAsync(LessonStage stage)
    {
        var server = NobodyComesAsync(stage);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var started = Stopwatch.GetTimestamp();
        using var giveUp = new CancellationTokenSource(ConnectTimeout);
        var connecting = client.ConnectAsync(stage.Proxy, giveUp.Token).AsTask();
        stage.Note(Side.Client, client, "connect(): SYN sent");
        var seen = 0;
        var retransmitsAt = new List<double>();
        while (!connecting.IsCompleted)
        {
            await Task.WhenAny(connecting, Task.Delay(20));
            if (TcpInfo.TryRead(client) is { State: "SYN_SENT" } info && Math.Max(info.TotalRetransmits, info.Retransmits) > seen)
            {
                seen = Math.Max(info.TotalRetransmits, info.Retransmits);
                retransmitsAt.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                stage.Note(Side.Client, client, $"SYN retransmitted at {retransmitsAt[^1]:0.0} s");
            }
        }
        var outcome = "connected";
        try
        {
            await connecting;
        }
        catch (OperationCanceledException)
        {
            outcome = "timeout";
        }
        catch (SocketException ex)
        {
            outcome = LessonStage.ErrorName(ex.SocketErrorCode);
        }
        stage.Note(Side.Client, client, $"connect() gave up: {outcome}");
        client.Close(); // a cancelled connect keeps retransmitting until the socket is closed
        await server;
        var times = string.Join(", ", retransmitsAt.Select(s => s.ToString("0.0", CultureInfo.InvariantCulture) + " s"));
        var timesZh = string.Join("、", retransmitsAt.Select(s => s.ToString("0.0", CultureInfo.InvariantCulture) + " 秒"));
        stage.Saw(Side.Client, $"its SYN was never answered; its kernel sent it again at {times}; after {ConnectTimeout.TotalSeconds:0.0} s its own connect timeout gave up (the kernel alone would try for about two minutes).",
            $"它的 SYN 一直没有回应；内核在 {timesZh}重发了 SYN；{ConnectTimeout.TotalSeconds:0.0} 秒后它自己的连接超时放弃了（只靠内核的话要重试大约两分钟）。");
        stage.Expect(outcome == "timeout", $"connect() ended with '{outcome}', not with the client's timeout");
        stage.Expect(retransmitsAt.Count >= 1, "the client's kernel retransmitted no SYN");
    }

    private static async Task AcceptedNeverServedAsync(LessonStage stage)
    {
        var server = NobodyComesAsync(stage);
        using var client = await stage.ConnectAsync();
        await LessonStage.SendAsync(client, Request);
        await Task.Delay(100);
        stage.Note(Side.Client, client, $"send {Request.Length} B, all acknowledged");
        var answer = await LessonStage.ReadAsync(client, NobodyCame);
        stage.Note(Side.Client, client, $"read: {answer.Describe()} after {NobodyCame.TotalSeconds} s, gives up");
        client.Close();
        await server;
        stage.Saw(Side.Client, $"connect() succeeded and the request was acknowledged, but no answer came in {NobodyCame.TotalSeconds} s; its read timeout gave up and it closed.",
            $"connect() 成功了，请求也被确认了，但 {NobodyCame.TotalSeconds} 秒内没有回答；读超时让它放弃并关闭了连接。");
        stage.Expect(answer.Outcome == ReadOutcome.TimedOut, $"the client read {answer.Describe()}, not silence");
    }

    private static async Task ResetAfterConnectAsync(LessonStage stage)
    {
        var server = NobodyComesAsync(stage);
        var start = stage.ElapsedMs;
        ReadResult read;
        try
        {
            using var client = await stage.ConnectAsync();
            read = await LessonStage.ReadAsync(client, Patience);
            stage.Note(Side.Client, client, $"read: {read.Describe()}");
        }
        catch (SocketException ex)
        {
            // On a busy machine the RST can land before the program looks at its finished connect(): the kernel
            // then reports the reset there. The handshake still completed; the error just surfaces one call earlier.
            read = new ReadResult(0, ReadOutcome.Error, LessonStage.ErrorName(ex.SocketErrorCode));
        }
        var took = stage.ElapsedMs - start;
        await server;
        stage.Saw(Side.Client, $"connect() succeeded, then the connection failed with {read.Describe()} ({Ms(took)} ms after it began connecting).",
            $"connect() 成功了，随后连接就失败了：{read.Describe()}（从开始连接算起 {Ms(took)} 毫秒）。");
        stage.Expect(read.Error == "ECONNRESET", $"the client saw {read.Describe()}, not ECONNRESET");
    }

    private static async Task SlowFirstByteAsync(LessonStage stage)
    {
        var server = EchoOnceAsync(stage);
        using var client = await stage.ConnectAsync();
        await LessonStage.SendAsync(client, Request);
        var sent = stage.ElapsedMs;
        stage.Note(Side.Client, client, $"send {Request.Length} B, waits for the answer");
        var answer = await LessonStage.ReadAsync(client, Patience);
        var firstByte = stage.ElapsedMs - sent;
        stage.Note(Side.Client, client, $"read {answer.Describe()} after {Ms(firstByte)} ms");
        client.Close();
        await server;
        stage.Saw(Side.Client, $"the first byte of the answer came {Ms(firstByte)} ms after the request; its 5 s read timeout was long enough.",
            $"回答的第一个字节在请求发出 {Ms(firstByte)} 毫秒后才到；它 5 秒的读超时足够长。");
        stage.Expect(answer.Outcome == ReadOutcome.Data && firstByte >= 1300, $"the answer came after {Ms(firstByte)} ms ({answer.Describe()}), not about 1500 ms late");
    }

    private static async Task NormalTeardownAsync(LessonStage stage)
    {
        var server = AnswerAfterFinAsync(stage, Patience);
        var answer = await HalfClosingClientAsync(stage, " (its TIME_WAIT lives on in the kernel)");
        await server;
        stage.Saw(Side.Client, $"after its own FIN it still received the {answer.Bytes} B answer, then the server's FIN (EOF); it closed first, so the kernel keeps its TIME_WAIT.",
            $"发出自己的 FIN 之后，它仍然收到了 {answer.Bytes} 字节的回答，然后是服务器的 FIN（EOF）；它先关闭，所以 TIME_WAIT 留在它这边的内核里。");
        stage.Expect(answer.Outcome == ReadOutcome.Eof && answer.Bytes == Answer.Length, $"the client read {answer.Bytes} B then {answer.Describe()}, not the answer then EOF");
    }

    /// <summary>A client that sends its whole request, half-closes (FIN) to say "that is all", and reads the answer to its end.</summary>
    private static async Task<ReadResult> HalfClosingClientAsync(LessonStage stage, string remark, Func<Socket, Task>? whileWaiting = null)
    {
        using var client = await stage.ConnectAsync();
        await LessonStage.SendAsync(client, Request);
        client.Shutdown(SocketShutdown.Send);
        stage.Note(Side.Client, client, "shutdown(SHUT_WR): FIN sent, can still read");
        if (whileWaiting is not null)
        {
            await whileWaiting(client);
        }
        var answer = await LessonStage.ReadToEndAsync(client, Patience);
        stage.Note(Side.Client, client, $"read {answer.Bytes} B, then {answer.Describe()}{remark}");
        return answer;
    }

    /// <summary>A server that reads the whole request (until the client's FIN), answers, and closes: HTTP/1.0 style.</summary>
    private static async Task AnswerAfterFinAsync(LessonStage stage, TimeSpan wait)
    {
        using var server = await ExpectConnectionAsync(stage);
        if (server is null)
        {
            return;
        }
        var request = await LessonStage.ReadToEndAsync(server, wait);
        stage.Note(Side.Server, server, $"read {request.Bytes} B, then {request.Describe()}");
        if (request.Outcome == ReadOutcome.Eof)
        {
            await LessonStage.SendAsync(server, Answer);
            stage.Note(Side.Server, server, $"send {Answer.Length} B after the client's FIN");
            server.Shutdown(SocketShutdown.Send);
            stage.Note(Side.Server, server, "shutdown(SHUT_WR): FIN sent");
            stage.Saw(Side.Server, "it read the request up to EOF (the client's FIN), still sent its answer on the half-closed connection, then sent its own FIN.",
                "它把请求一直读到 EOF（客户端的 FIN），在半关闭的连接上照样发出了回答，然后发出自己的 FIN。");
        }
        else if (request.Outcome == ReadOutcome.TimedOut)
        {
            stage.Saw(Side.Server, $"it read the request but never the end of it (no FIN came); after {wait.TotalSeconds} s it gave up without answering and closed.",
                $"它读到了请求，却一直等不到请求的结尾（没有 FIN）；{wait.TotalSeconds} 秒后它没有回答就放弃并关闭了。");
        }
        else
        {
            stage.Saw(Side.Server, $"it read the request, then where it expected EOF its read failed with {request.Describe()}; it could not answer.",
                $"它读到了请求，但在本该读到 EOF 的地方读取失败了：{request.Describe()}；它无法再回答。");
        }
        server.Close();
    }

    private static async Task FinNeverForwardedAsync(LessonStage stage)
    {
        var serverWait = TimeSpan.FromSeconds(1.5);
        var server = AnswerAfterFinAsync(stage, serverWait);
        var answer = await HalfClosingClientAsync(stage, "", async client =>
        {
            await Task.Delay(200);
            stage.Note(Side.Client, client, "its FIN was acknowledged; waits for the answer");
        });
        await server;
        var serverState = stage.Notes.LastOrDefault(note => note.Side == Side.Server && note.What.Contains("timeout", StringComparison.Ordinal))?.State;
        stage.Saw(Side.Client, $"its FIN was acknowledged, so it sat in FIN_WAIT2 waiting for the answer; it got {answer.Bytes} B and then {answer.Describe()} when the server gave up.",
            $"它的 FIN 被确认了，于是它停在 FIN_WAIT2 等回答；服务器放弃时它收到 {answer.Bytes} 字节，然后是 {answer.Describe()}。");
        stage.Expect(serverState == "ESTABLISHED", $"the server's socket was {serverState} while the client's FIN was held, not ESTABLISHED");
        stage.Expect(answer.Bytes == 0, "the client got an answer, though the server never saw its FIN");
        stage.Expect(stage.Notes.Any(note => note.Side == Side.Client && note.State == "FIN_WAIT2"), "the client's socket was never seen in FIN_WAIT2");
    }

    private static async Task FinTurnedIntoRstAsync(LessonStage stage)
    {
        var server = AnswerAfterFinAsync(stage, Patience);
        var answer = await HalfClosingClientAsync(stage, "");
        await server;
        stage.Saw(Side.Client, $"it closed politely with a FIN and waited for the answer; it got {answer.Bytes} B, then {answer.Describe()}.",
            $"它用 FIN 礼貌地结束了发送，等待回答；结果收到 {answer.Bytes} 字节，然后是 {answer.Describe()}。");
        stage.Expect(answer.Bytes == 0, "the client got an answer, though its FIN became an RST");
        stage.Expect(stage.Notes.Any(note => note.Side == Side.Server && note.What.Contains("ECONNRESET", StringComparison.Ordinal)), "the server did not read ECONNRESET");
    }

    private static async Task RstMidStreamAsync(LessonStage stage)
    {
        var server = StreamUntilBrokenAsync(stage);
        using var client = await stage.ConnectAsync();
        await LessonStage.SendAsync(client, Request);
        var answer = await LessonStage.ReadToEndAsync(client, Patience);
        stage.Note(Side.Client, client, $"read {answer.Bytes} B, then {answer.Describe()}");
        await server;
        stage.Saw(Side.Client, $"it read {answer.Bytes} B of the answer, then {answer.Describe()}: it knows the answer is incomplete, not how much is missing.",
            $"它读到了回答的 {answer.Bytes} 字节，然后是 {answer.Describe()}：它知道回答不完整，却不知道缺了多少。");
        stage.Expect(answer.Bytes > 0 && answer.Error == "ECONNRESET", $"the client read {answer.Bytes} B then {answer.Describe()}, not part of the answer then ECONNRESET");
    }

    /// <summary>A server sending a long answer in chunks, 100 ms apart, until a send fails or 4 s pass.</summary>
    private static async Task StreamUntilBrokenAsync(LessonStage stage)
    {
        using var server = await ExpectConnectionAsync(stage);
        if (server is null)
        {
            return;
        }
        await LessonStage.ReadAsync(server, Patience);
        var chunks = 0;
        string? failed = null;
        for (; chunks < 40 && failed is null; chunks++)
        {
            try
            {
                await LessonStage.SendAsync(server, $"chunk {chunks + 1,2} of the long answer\n");
                if (chunks == 0)
                {
                    stage.Note(Side.Server, server, "sending its answer, a chunk every 100 ms");
                }
                await Task.Delay(100);
            }
            catch (SocketException ex)
            {
                failed = LessonStage.ErrorName(ex.SocketErrorCode);
                stage.Note(Side.Server, server, $"send: {failed}");
            }
        }
        server.Close();
        stage.Saw(Side.Server, failed is null ? "it sent its whole answer." : $"it sent {chunks - 1} chunks; then its next send failed with {failed}.",
            failed is null ? "它发完了整个回答。" : $"它发出了 {chunks - 1} 块数据；接下来的发送失败了：{failed}。");
        stage.Expect(failed is not null, "the server's sends never failed");
    }
}
