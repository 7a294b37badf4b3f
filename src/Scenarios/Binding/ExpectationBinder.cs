using System.Collections.Immutable;

namespace Chaos.Scenarios;

/// <summary>Binds the <c>expect:</c> list; unknown metrics and proxies are caught here, not at the end of a run.</summary>
internal sealed class ExpectationBinder(NodeBinder binder)
{
    public ImmutableArray<Expectation> BindAll(SourceNode? node, IReadOnlySet<string> proxies)
    {
        var expectations = ImmutableArray.CreateBuilder<Expectation>();
        foreach (var item in binder.Sequence(node, "expect"))
        {
            if (binder.String(item, "an expectation") is not { } text)
            {
                continue;
            }

            if (ExpectationParser.TryParse(text, proxies, out var expectation, out var problem))
            {
                expectations.Add(expectation);
            }
            else
            {
                binder.Bag.Report(At(item, problem.Offset), problem.Code, problem.Message, problem.Hint);
            }
        }

        return expectations.ToImmutable();
    }

    /// <summary>Points inside a one-line scalar at the offending part; a quoted scalar starts one column after its quote.</summary>
    private static SourcePosition At(SourceNode node, int offset) =>
        node is ScalarNode scalar && !scalar.Value.Contains('\n', StringComparison.Ordinal)
            ? node.Position with { Column = node.Position.Column + offset + (scalar.IsPlain ? 0 : 1) }
            : node.Position;
}
