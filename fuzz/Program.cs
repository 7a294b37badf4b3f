using SharpFuzz;

namespace Chaos.Fuzz;

/// <summary>
/// <c>Chaos.Fuzz &lt;target&gt;</c> runs under AFL++ (persistent mode, input on stdin);
/// <c>Chaos.Fuzz &lt;target&gt; file...</c> replays inputs once each (corpus checks, crash triage).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 0 || !Targets.All.TryGetValue(args[0], out var target))
        {
            Console.Error.WriteLine($"usage: Chaos.Fuzz <{string.Join('|', Targets.All.Keys)}> [file...]");
            return 2;
        }
        if (args.Length > 1)
        {
            foreach (var file in args.Skip(1))
            {
                target(File.ReadAllBytes(file));
            }
            return 0;
        }
        Fuzzer.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            target(copy.ToArray());
        });
        return 0;
    }
}
