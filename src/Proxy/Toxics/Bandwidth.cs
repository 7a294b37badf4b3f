namespace Chaos.Proxy.Toxics;

/// <summary>
/// <c>bandwidth</c> (Toxiproxy): data flows at most <c>rate</c> KB/s (1 KB = 1000 bytes), sent in pieces of
/// at most 100 ms worth. A rate of 0 holds the data until the toxic is removed.
/// </summary>
internal sealed class Bandwidth(long rateKilobytesPerSecond) : IDataToxic
{
    public IDataStage CreateStage(Func<Random> random) => new Stage(rateKilobytesPerSecond * 1000);

    private sealed class Stage(long bytesPerSecond) : IDataStage
    {
        private long _nextFree;

        public void Transform(ChunkPlan plan)
        {
            if (bytesPerSecond == 0)
            {
                plan.ReplacePieces(plan.Pieces.Select(piece => piece with { NotBefore = long.MaxValue }));
                return;
            }
            var maxPiece = (int)Math.Max(1, Math.Min(int.MaxValue, bytesPerSecond / 10));
            var paced = new List<Piece>();
            foreach (var piece in plan.Pieces)
            {
                for (var offset = 0; offset < piece.Length; offset += maxPiece)
                {
                    var length = Math.Min(maxPiece, piece.Length - offset);
                    var sendAt = plan.Later(Math.Max(piece.NotBefore, _nextFree), TimeSpan.FromSeconds((double)length / bytesPerSecond));
                    _nextFree = sendAt;
                    paced.Add(new Piece(piece.Offset + offset, length, sendAt));
                }
            }
            plan.ReplacePieces(paced);
        }
    }
}
