namespace Chaos.Proxy.Toxics;

/// <summary>A slice of a received chunk and the earliest time (a <see cref="TimeProvider"/> timestamp) it may be sent.</summary>
internal readonly record struct Piece(int Offset, int Length, long NotBefore);

/// <summary>
/// How one received chunk goes out: the data stages of a direction rewrite its pieces in order, as
/// Toxiproxy chains toxics. An <see cref="End"/> makes the connection end after the pieces are sent.
/// </summary>
internal sealed class ChunkPlan(TimeProvider time, long receivedAt, int length)
{
    public TimeProvider Time { get; } = time;

    public long ReceivedAt { get; } = receivedAt;

    public List<Piece> Pieces { get; } = [new Piece(0, length, receivedAt)];

    /// <summary>Set by a stage to end the connection (close or reset) once its time has come.</summary>
    public (DecisionKind Kind, long At)? End { get; set; }

    /// <summary>A timestamp <paramref name="delay"/> after <paramref name="from"/>.</summary>
    public long Later(long from, TimeSpan delay) => from + (long)(delay.TotalSeconds * Time.TimestampFrequency);

    public void ReplacePieces(IEnumerable<Piece> pieces)
    {
        var replaced = pieces.ToList();
        Pieces.Clear();
        Pieces.AddRange(replaced);
    }
}
