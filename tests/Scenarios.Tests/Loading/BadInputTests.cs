using System.Diagnostics;
using System.Text;

namespace Chaos.Scenarios.Tests.Loading;

/// <summary>The table of bad inputs: each is rejected quickly, with the right code at the offending node, and never throws.</summary>
public sealed class BadInputTests
{
    private const string Proxy = "proxies:\n  - name: a\n    upstream: 127.0.0.1:1\n";
    private const string Toxics = Proxy + "    toxics:\n";

    public static TheoryData<string, string, string, int, int> Cases => new()
    {
        // name, input, code, line, column
        { "tab indentation", "proxies:\n\t- name: a\n", DiagnosticCodes.TabIndentation, 2, 1 },
        { "tab after spaces", "proxies:\n  - name: a\n  \tupstream: x\n", DiagnosticCodes.TabIndentation, 3, 3 },
        { "unknown top-level key", "version: 1\nproxys: []\n", DiagnosticCodes.UnknownKey, 2, 1 },
        { "unknown proxy key", "proxies:\n  - name: a\n    upstrem: 127.0.0.1:1\n", DiagnosticCodes.UnknownKey, 3, 5 },
        { "duplicate key", "proxies:\n  - name: a\n    name: b\n    upstream: 127.0.0.1:1\n", DiagnosticCodes.DuplicateKey, 3, 5 },
        { "unknown toxic type", Toxics + "      - type: latancy\n", DiagnosticCodes.UnknownToxicType, 5, 15 },
        { "unknown attribute", Toxics + "      - type: latency\n        attributes: { latnecy: 5 }\n", DiagnosticCodes.UnknownAttribute, 6, 23 },
        { "negative ms attribute", Toxics + "      - type: latency\n        attributes: { latency: -5 }\n", DiagnosticCodes.AttributeOutOfRange, 6, 32 },
        { "negative duration string", Toxics + "      - type: latency\n        attributes: { jitter: -5ms }\n", DiagnosticCodes.BadDuration, 6, 31 },
        { "malformed duration", Toxics + "      - type: latency\n        attributes: { latency: 5 parsecs }\n", DiagnosticCodes.BadDuration, 6, 32 },
        { "fractional milliseconds", Toxics + "      - type: latency\n        attributes: { latency: 1.5ms }\n", DiagnosticCodes.BadDuration, 6, 32 },
        { "missing required attribute", Toxics + "      - type: accept_delay\n        attributes: {}\n", DiagnosticCodes.MissingAttribute, 6, 21 },
        { "bad choice", Toxics + "      - type: connect_fail\n        attributes: { with: explode }\n", DiagnosticCodes.BadAttributeValue, 6, 29 },
        { "slicer variation not below size", Toxics + "      - type: slicer\n        attributes: { average_size: 10, size_variation: 10 }\n", DiagnosticCodes.AttributeOutOfRange, 6, 57 },
        { "bad scenario duration", Proxy + "duration: soon\n", DiagnosticCodes.BadDuration, 4, 11 },
        { "port out of range", "proxies:\n  - name: a\n    listen: 127.0.0.1:70000\n    upstream: 127.0.0.1:1\n", DiagnosticCodes.BadPort, 3, 13 },
        { "listen without port", "proxies:\n  - name: a\n    listen: 127.0.0.1\n    upstream: 127.0.0.1:1\n", DiagnosticCodes.BadAddress, 3, 13 },
        { "IPv6 without brackets", "proxies:\n  - name: a\n    listen: ::1:8080\n    upstream: 127.0.0.1:1\n", DiagnosticCodes.BadAddress, 3, 13 },
        {
            "listen clash", "proxies:\n  - name: a\n    listen: 127.0.0.1:8080\n    upstream: 127.0.0.1:1\n  - name: b\n    listen: :8080\n    upstream: 127.0.0.1:1\n",
            DiagnosticCodes.ListenClash, 6, 13
        },
        { "max_connections zero", Proxy + "    max_connections: 0\n", DiagnosticCodes.BadLimit, 4, 22 },
        { "max_connections not a number", Proxy + "    max_connections: many\n", DiagnosticCodes.WrongType, 4, 22 },
        { "over_limit unknown", Proxy + "    over_limit: drop\n", DiagnosticCodes.BadLimit, 4, 17 },
        { "idle_timeout too short", Proxy + "    idle_timeout: 10ms\n", DiagnosticCodes.BadLimit, 4, 19 },
        { "idle_timeout malformed", Proxy + "    idle_timeout: soon\n", DiagnosticCodes.BadDuration, 4, 19 },
        { "unknown builtin upstream", "proxies:\n  - name: a\n    upstream: builtin:ftp\n", DiagnosticCodes.BadUpstream, 3, 15 },
        { "upstream port zero", "proxies:\n  - name: a\n    upstream: 127.0.0.1:0\n", DiagnosticCodes.BadUpstream, 3, 15 },
        { "missing upstream", "proxies:\n  - name: a\n    listen: :0\n", DiagnosticCodes.MissingKey, 2, 5 },
        { "blank proxy name", "proxies:\n  - name: \" a\"\n    upstream: 127.0.0.1:1\n", DiagnosticCodes.BadName, 2, 11 },
        { "duplicate proxy", "proxies:\n  - { name: a, upstream: 127.0.0.1:1 }\n  - { name: a, upstream: 127.0.0.1:2 }\n", DiagnosticCodes.DuplicateProxy, 3, 13 },
        { "duplicate toxic", Toxics + "      - type: noop\n      - { type: noop, name: noop_downstream }\n", DiagnosticCodes.DuplicateToxic, 6, 29 },
        { "toxicity above one", Toxics + "      - type: noop\n        toxicity: 1.5\n", DiagnosticCodes.ToxicityOutOfRange, 6, 19 },
        { "toxicity not a number", Toxics + "      - type: noop\n        toxicity: lots\n", DiagnosticCodes.WrongType, 6, 19 },
        { "bad stream", Toxics + "      - type: noop\n        stream: sideways\n", DiagnosticCodes.BadStream, 6, 17 },
        { "backwards range selector", Toxics + "      - type: noop\n        where: { connections: \"3-1\" }\n", DiagnosticCodes.BadConnectionSelector, 6, 31 },
        { "zero ordinal selector", Toxics + "      - type: noop\n        where: { connections: every 0 }\n", DiagnosticCodes.BadConnectionSelector, 6, 31 },
        { "word selector", Toxics + "      - type: noop\n        where: { connections: sometimes }\n", DiagnosticCodes.BadConnectionSelector, 6, 31 },
        { "CIDR prefix too long", Toxics + "      - type: noop\n        where: { clients: [10.0.0.0/33] }\n", DiagnosticCodes.BadCidr, 6, 28 },
        { "CIDR not an address", Toxics + "      - type: noop\n        where: { clients: [127.0.0.1/32, banana] }\n", DiagnosticCodes.BadCidr, 6, 42 },
        { "timeline to unknown proxy", Proxy + "timeline:\n  - at: 1s\n    disable: b\n", DiagnosticCodes.UnknownProxy, 6, 14 },
        { "timeline to unknown toxic", Proxy + "timeline:\n  - at: 1s\n    remove: { proxy: a, toxic: slow }\n", DiagnosticCodes.UnknownToxic, 6, 32 },
        { "timeline out of order", Proxy + "timeline:\n  - at: 2s\n    disable: a\n  - at: 1s\n    enable: a\n", DiagnosticCodes.TimelineOrder, 7, 9 },
        { "timeline step with two actions", Proxy + "timeline:\n  - at: 1s\n    disable: a\n    enable: a\n", DiagnosticCodes.TimelineAction, 7, 5 },
        { "timeline after duration", Proxy + "duration: 5s\ntimeline:\n  - at: 5s\n    disable: a\n", DiagnosticCodes.TimelineAfterEnd, 6, 9 },
        { "unknown metric", Proxy + "expect:\n  - client.retrys >= 1\n", DiagnosticCodes.UnknownMetric, 5, 5 },
        { "unknown metric after proxy prefix", Proxy + "expect:\n  - a.client.retrys >= 1\n", DiagnosticCodes.UnknownMetric, 5, 7 },
        { "metric of unknown proxy", Proxy + "expect:\n  - \"b.client.retries >= 1\"\n", DiagnosticCodes.UnknownProxy, 5, 6 },
        { "malformed expression", Proxy + "expect:\n  - client.retries >>= 1\n", DiagnosticCodes.MalformedExpectation, 5, 5 },
        { "expression without value", Proxy + "expect:\n  - client.retries\n", DiagnosticCodes.MalformedExpectation, 5, 5 },
        { "duration compared with a count", Proxy + "expect:\n  - client.retries >= 2s\n", DiagnosticCodes.ExpectationUnitMismatch, 5, 23 },
        { "empty file", string.Empty, DiagnosticCodes.Empty, 1, 1 },
        { "comments only", "# nothing here\n   \n", DiagnosticCodes.Empty, 1, 1 },
        { "binary garbage", "PK\u0003\u0004\0\0garbage", DiagnosticCodes.NotText, 1, 3 },
        { "syntax error", "proxies: [\n", DiagnosticCodes.YamlSyntax, 2, 1 },
        { "parser crash: unclosed flow mapping", "timeline:\n  - remove: { proxy: web, toxic: slow\n  - at: 25s\n    disable: web\n", DiagnosticCodes.YamlSyntax, 2, 32 },
        { "two documents", "proxies: []\n---\nproxies: []\n", DiagnosticCodes.MultipleDocuments, 2, 1 },
        { "scalar document", "hello\n", DiagnosticCodes.WrongType, 1, 1 },
        { "proxies not a list", "proxies: 5\n", DiagnosticCodes.WrongType, 1, 10 },
        { "enabled as yes", "proxies:\n  - name: a\n    upstream: 127.0.0.1:1\n    enabled: yes\n", DiagnosticCodes.WrongType, 4, 14 },
        { "unsupported version", "version: 2\n" + Proxy, DiagnosticCodes.UnsupportedVersion, 1, 10 },
        { "self-referencing alias", "a: &a [1, *a]\n", DiagnosticCodes.AliasRejected, 1, 11 },
        { "alias without anchor", "a: *nowhere\n", DiagnosticCodes.AliasRejected, 1, 4 },
        { "alias bomb", AliasBomb(), DiagnosticCodes.AliasRejected, 5, 12 },
        { "deep nesting", new string('[', 1000) + new string(']', 1000), DiagnosticCodes.TooDeep, 1, 33 },
        { "deep block nesting", DeepMappings(40), DiagnosticCodes.TooDeep, 33, 65 },
        { "huge file", "# " + new string('x', ScenarioLoader.MaxInputBytes), DiagnosticCodes.FileTooLarge, 1, 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void LoadText_BadInput_ReportsCodeAtNodeQuickly(string name, string input, string code, int line, int column)
    {
        var watch = Stopwatch.StartNew();
        var result = ScenarioLoader.LoadText(input, "bad.yaml");
        watch.Stop();

        Assert.False(result.IsValid, name);
        Assert.Null(result.Scenario);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"{name}: took {watch.Elapsed}");
        Assert.Contains(result.Diagnostics, d => d.Code == code && d.Line == line && d.Column == column
            ? true
            : throw new Xunit.Sdk.XunitException($"{name}: expected {code} at ({line},{column}), got:\n{string.Join('\n', result.Diagnostics)}"));
    }

    [Fact]
    public void Cases_CoverAtLeastThirtyInputs_AndEveryRuleCode()
    {
        var codes = Cases.Select(row => (string)row[2]).ToHashSet();

        Assert.True(Cases.Count >= 30);
        var untested = DiagnosticCodes.All.Keys.Except(codes).Except([DiagnosticCodes.FileUnreadable, DiagnosticCodes.TooManyErrors]);
        Assert.Empty(untested.Select(code => $"{code} {DiagnosticCodes.All[code]}"));
    }

    [Fact]
    public void LoadFile_InvalidUtf8_ReportsNotTextAtTheByte()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [.. "proxies:\n  - "u8, 0xFF, 0xFE, 0x00]);

            var diagnostic = Assert.Single(ScenarioLoader.LoadFile(path).Diagnostics);

            Assert.Equal((DiagnosticCodes.NotText, 2, 5), (diagnostic.Code, diagnostic.Line, diagnostic.Column));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadFile_OverSizeCap_RefusedBeforeReading()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, new byte[ScenarioLoader.MaxInputBytes + 1]);

            var diagnostic = Assert.Single(ScenarioLoader.LoadFile(path).Diagnostics);

            Assert.Equal(DiagnosticCodes.FileTooLarge, diagnostic.Code);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadText_ManyProblems_ReportsEveryOneInSourceOrder()
    {
        var result = ScenarioLoader.LoadText(
            "proxies:\n  - name: a\n    listen: 127.0.0.1:99999\n    upstream: nowhere\n    toxics:\n      - type: latancy\n        stream: sideways\nexpect:\n  - client.retrys > 1\n",
            "many.yaml");

        Assert.Equal(
            [DiagnosticCodes.BadPort, DiagnosticCodes.BadUpstream, DiagnosticCodes.UnknownToxicType, DiagnosticCodes.BadStream, DiagnosticCodes.UnknownMetric],
            result.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void LoadText_ThousandsOfProblems_CapsTheList()
    {
        var input = new StringBuilder("proxies:\n");
        for (var i = 0; i < 1000; i++)
        {
            input.Append("  - { name: p").Append(i).Append(", upstream: bad }\n");
        }

        var result = ScenarioLoader.LoadText(input.ToString(), "many.yaml");

        Assert.Equal(DiagnosticCodes.TooManyErrors, result.Diagnostics[^1].Code);
        Assert.True(result.Diagnostics.Count <= 201);
    }

    private static string AliasBomb()
    {
        var text = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (var level = 'b'; level <= 'j'; level++)
        {
            var previous = (char)(level - 1);
            text.Append(level).Append(": &").Append(level).Append(" [")
                .AppendJoin(", ", Enumerable.Repeat($"*{previous}", 9)).Append("]\n");
        }

        return text.ToString();
    }

    private static string DeepMappings(int depth) =>
        string.Concat(Enumerable.Range(0, depth).Select(level => new string(' ', level * 2) + "k:\n")) + new string(' ', depth * 2) + "v\n";
}
