using System.Text;
using System.Text.Json;
using Chaos.Proxy.ControlApi;
using Chaos.Scenarios;

namespace Chaos.Fuzz;

/// <summary>
/// One entry per parser that takes outside input. Each gets raw bytes; an answer the parser is allowed to give
/// (diagnostics, false, a 4xx <see cref="ApiException"/>) returns, anything else propagates and is a crash.
/// </summary>
internal static class Targets
{
    private static readonly HashSet<string> Proxies = new(["web", "db"], StringComparer.Ordinal);

    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["scenario"] = Scenario,
        ["expectation"] = Expectation,
        ["selector"] = Selector,
        ["duration"] = Duration,
        ["api-proxy"] = ApiProxy,
        ["api-toxic"] = ApiToxic,
    };

    private static string Text(byte[] input) => Encoding.UTF8.GetString(input);

    private static void Scenario(byte[] input)
    {
        var result = ScenarioLoader.LoadText(Text(input), "fuzz.yaml");
        Check(result.IsValid || result.Diagnostics.Count > 0, "an invalid scenario without diagnostics");
    }

    private static void Expectation(byte[] input)
    {
        var text = Text(input);
        _ = ExpectationParser.TryParse(text, Proxies, out _, out _);
        _ = ExpectationParser.TryParse(text, null, out _, out _);
    }

    private static void Selector(byte[] input)
    {
        var text = Text(input);
        if (ConnectionSelector.TryParse(text, out var selector))
        {
            foreach (var ordinal in (int[])[1, 2, 3, 1000, int.MaxValue])
            {
                selector.Matches(ordinal);
            }
        }
        _ = ClientSelector.TryParseNetwork(text, out _);
        _ = UpstreamSpec.TryParse(text, out _);
        _ = HostPort.TryParse(text, out _);
    }

    private static void Duration(byte[] input)
    {
        if (Durations.TryParse(Text(input), out var value))
        {
            Check(value >= TimeSpan.Zero && value <= Durations.Max, $"out of range: {value}");
        }
    }

    private static void ApiProxy(byte[] input) => Api(input, body =>
    {
        if (body.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in body.EnumerateArray())
            {
                ProxyBodies.ForCreate(entry, " at proxy 1");
            }
            return;
        }
        ProxyBodies.ForCreate(body);
    });

    private static void ApiToxic(byte[] input) => Api(input, body => ToxicBodies.ForCreate(body, _ => false));

    private static void Api(byte[] input, Action<JsonElement> read)
    {
        try
        {
            read(RequestBody.Parse(input));
        }
        catch (ApiException ex) when (ex.Status is >= 400 and < 500)
        {
            // The API's answer to a bad body: a 4xx with Toxiproxy's wording.
        }
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException(what);
        }
    }
}
