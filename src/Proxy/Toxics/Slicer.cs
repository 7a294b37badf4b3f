namespace Chaos.Proxy.Toxics;

/// <summary>
/// <c>slicer</c> (Toxiproxy): each chunk goes out as pieces of about <c>average_size</c> bytes
/// (± <c>size_variation</c>), <c>delay</c> apart, split the way Toxiproxy splits them: halve until small enough.
/// </summary>
internal sealed class Slicer(int averageSize, int sizeVariation, TimeSpan delay) : IDataToxic
{
    public IDataStage CreateStage(Func<Random> random) => new Stage(averageSize, sizeVariation, delay, sizeVariation > 0 ? random() : null);

    private sealed class Stage(int averageSize, int sizeVariation, TimeSpan delay, Random? random) : IDataStage
    {
        public void Transform(ChunkPlan plan)
        {
            var sliced = new List<Piece>();
            foreach (var piece in plan.Pieces)
            {
                var bounds = new List<int> { piece.Offset };
                Split(piece.Offset, piece.Offset + piece.Length, bounds);
                var sendAt = piece.NotBefore;
                for (var i = 1; i < bounds.Count; i++)
                {
                    sliced.Add(new Piece(bounds[i - 1], bounds[i] - bounds[i - 1], sendAt));
                    sendAt = plan.Later(sendAt, delay);
                }
            }
            plan.ReplacePieces(sliced);
        }

        private void Split(int start, int end, List<int> bounds)
        {
            if (end - start - averageSize <= sizeVariation)
            {
                bounds.Add(end);
                return;
            }
            var middle = start + ((end - start) / 2);
            if (random is not null) // made when there is a size variation
            {
                middle += random.Next(sizeVariation * 2) - sizeVariation;
            }
            Split(start, middle, bounds);
            Split(middle, end, bounds);
        }
    }
}
