using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Toxics;

namespace Chaos.Proxy.Engine;

internal enum ForwardOutcome
{
    /// <summary>Sent inline; the caller keeps its buffer.</summary>
    Sent,

    /// <summary>Queued for the delay line, which now owns the buffer.</summary>
    Queued,

    /// <summary>The receiver is gone; stop reading.</summary>
    Ended,
}

/// <summary>
/// The sending half of one direction: the data point. With no data toxic on the connection, chunks are sent
/// inline. From the first chunk a data toxic shapes, chunks go through a bounded queue to a sender task: a
/// delay line, so reading goes on while earlier chunks wait (latency does not cap throughput) and the FIN
/// leaves only after the data before it. Once queued, a direction stays queued, to keep the byte order.
/// </summary>
internal sealed class DirectionPipe(RelayConnection connection, Socket to, Direction direction, Side toSide) : IAsyncDisposable
{
    /// <summary>Chunks in flight per direction: with 128 KiB buffers, at most 4 MiB held by a delay.</summary>
    internal const int QueuedChunks = 32;

    private Channel<Chunk>? _queue;
    private Task _sender = Task.CompletedTask;

    /// <summary>Forwards a chunk read at <paramref name="receivedAt"/> (a timestamp): a delay counts from then.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ForwardOutcome> ForwardAsync(byte[] buffer, int count, long receivedAt)
    {
        if (_queue is null)
        {
            if (!connection.HasDataToxics(direction))
            {
                return await connection.SendAsync(to, buffer.AsMemory(0, count), toSide) ? ForwardOutcome.Sent : ForwardOutcome.Ended;
            }
            _queue = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(QueuedChunks) { SingleReader = true, SingleWriter = true });
            _sender = Task.Run(SendLoopAsync);
        }
        try
        {
            await _queue.Writer.WriteAsync(new Chunk(buffer, count, receivedAt, default));
            return ForwardOutcome.Queued;
        }
        catch (ChannelClosedException)
        {
            return ForwardOutcome.Ended;
        }
    }

    /// <summary>The sender half-closed: after any queued data, the FIN goes through the fin point.</summary>
    public async Task FinishAsync(Side from)
    {
        if (_queue is null)
        {
            await connection.ForwardFinAsync(from, direction);
            return;
        }
        if (_queue.Writer.TryWrite(new Chunk(null, 0, connection.Now, from)) ||
            await WriteFinAsync(new Chunk(null, 0, connection.Now, from)))
        {
            await _sender;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue?.Writer.TryComplete();
        await _sender;
    }

    private async Task<bool> WriteFinAsync(Chunk fin)
    {
        try
        {
            await _queue!.Writer.WriteAsync(fin);
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    private async Task SendLoopAsync()
    {
        var reader = _queue!.Reader;
        try
        {
            await foreach (var chunk in reader.ReadAllAsync())
            {
                if (chunk.Buffer is null)
                {
                    await connection.ForwardFinAsync(chunk.FinFrom, direction);
                    return;
                }
                try
                {
                    if (!await SendShapedAsync(chunk))
                    {
                        return;
                    }
                }
                finally
                {
                    RelayBuffers.Return(chunk.Buffer);
                }
            }
        }
        finally
        {
            _queue.Writer.TryComplete();
            while (reader.TryRead(out var left))
            {
                if (left.Buffer is not null)
                {
                    RelayBuffers.Return(left.Buffer);
                }
            }
        }
    }

    /// <summary>Runs the chunk through this direction's data toxics, sends its pieces on time, then any ending. False when the connection is over.</summary>
    private async Task<bool> SendShapedAsync(Chunk chunk)
    {
        if (connection.Discarding)
        {
            return true;
        }
        var plan = new ChunkPlan(TimeProvider.System, chunk.ReceivedAt, chunk.Count);
        var shapers = new List<long>();
        ActiveToxic? ender = null;
        foreach (var toxic in connection.Toxics.Data(direction).Where(connection.Selection.IsSelected))
        {
            connection.StagesFor(direction).For(toxic).Transform(plan);
            shapers.Add(toxic.Id);
            if (plan.End is not null)
            {
                ender ??= toxic;
            }
        }

        // Removing any toxic that shaped this chunk delivers what it still holds at once.
        bool Shaped(ToxicSnapshot snapshot) => shapers.TrueForAll(snapshot.Contains);
        foreach (var piece in plan.Pieces)
        {
            if (await connection.HoldUntilAsync(piece.NotBefore, Shaped) == HoldOutcome.Aborted || connection.Discarding)
            {
                return !connection.Discarding;
            }
            if (!await connection.SendAsync(to, chunk.Buffer.AsMemory(piece.Offset, piece.Length), toSide))
            {
                return false;
            }
        }
        if (plan.End is not { } end || ender is null)
        {
            return true;
        }
        var outcome = await connection.HoldUntilAsync(end.At, snapshot => snapshot.Contains(ender.Id));
        if (outcome == HoldOutcome.Elapsed)
        {
            connection.EndBoth(end.Kind);
        }
        return outcome == HoldOutcome.Released;
    }

    /// <summary>A received chunk (or, with no buffer, the FIN from <see cref="FinFrom"/>) and when it arrived.</summary>
    private readonly record struct Chunk(byte[]? Buffer, int Count, long ReceivedAt, Side FinFrom);
}
