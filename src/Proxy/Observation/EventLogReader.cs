using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Chaos.Scenarios;

namespace Chaos.Proxy.Observation;

/// <summary>What <see cref="EventLogReader"/> made of a file: the events, and which lines it had to skip.</summary>
internal sealed record EventLogReadResult(
    IReadOnlyList<ChaosEvent> Events, int UnknownKinds, int Malformed, IReadOnlyList<int> FirstSkippedLines)
{
    public int Skipped => UnknownKinds + Malformed;

    /// <summary>One line for the console, or null when every line was read.</summary>
    public string? Warning => Skipped == 0
        ? null
        : $"skipped {Skipped} line(s) of the event log ({UnknownKinds} of an unknown kind, {Malformed} malformed), "
          + $"first at line {string.Join(", ", FirstSkippedLines)}";
}

/// <summary>
/// Reads an <c>--events</c> JSON-lines file (as <see cref="SerilogEventWriter"/> writes it) back into typed
/// events. Lines of a kind it does not know, or that do not parse, are skipped and counted, never thrown:
/// a log cut short by a crash still yields everything before the cut.
/// </summary>
internal static class EventLogReader
{
    private const int SkippedLinesToName = 5;

    public static EventLogReadResult Read(TextReader reader)
    {
        var events = new List<ChaosEvent>();
        var skippedLines = new List<int>();
        int unknownKinds = 0, malformed = 0, number = 0;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var parsed = TryParse(line, out var known);
            if (parsed is not null)
            {
                events.Add(parsed);
                continue;
            }
            if (known)
            {
                malformed++;
            }
            else
            {
                unknownKinds++;
            }
            if (skippedLines.Count < SkippedLinesToName)
            {
                skippedLines.Add(number);
            }
        }
        return new EventLogReadResult(events, unknownKinds, malformed, skippedLines);
    }

    /// <param name="line">One line of the events file.</param>
    /// <param name="known">False when the line is well formed but of a kind this reader does not know.</param>
    private static ChaosEvent? TryParse(string line, out bool known)
    {
        known = true;
        try
        {
            using var document = JsonDocument.Parse(line);
            var fields = new Fields(document.RootElement);
            var parsed = Parse(fields.String("Event"), fields);
            known = parsed is not null;
            return parsed;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }

    private static ChaosEvent? Parse(string kind, Fields f) => kind switch
    {
        "proxy_started" => new ProxyStarted(f.Time, f.Proxy, f.EndPoint("Listen"), f.String("Upstream")),
        "proxy_stopped" => new ProxyStopped(f.Time, f.Proxy),
        "accepted" => new ConnectionAccepted(f.Time, f.Proxy, f.Connection, f.EndPoint("Client")),
        "upstream_connecting" => new UpstreamConnecting(f.Time, f.Proxy, f.Connection, f.String("Target")),
        "upstream_connected" => new UpstreamConnected(f.Time, f.Proxy, f.Connection, f.EndPoint("Local"), f.Milliseconds("TookMs")),
        "upstream_failed" => new UpstreamFailed(f.Time, f.Proxy, f.Connection, f.Enum<CloseReason>("Reason"),
            f.Enum<SocketError>("Error"), f.Milliseconds("TookMs")),
        "first_byte" => new FirstByte(f.Time, f.Proxy, f.Connection, f.Enum<Direction>("Direction")),
        "fin_received" => new FinReceived(f.Time, f.Proxy, f.Connection, f.Enum<Side>("From")),
        "fin_sent" => new FinSent(f.Time, f.Proxy, f.Connection, f.Enum<Side>("To")),
        "rst_received" => new ResetReceived(f.Time, f.Proxy, f.Connection, f.Enum<Side>("From")),
        "rst_sent" => new ResetSent(f.Time, f.Proxy, f.Connection, f.Enum<Side>("To")),
        "toxic" => new ToxicActed(f.Time, f.Proxy, f.Connection, f.String("Toxic"), f.String("Type"),
            f.Enum<LifecyclePoint>("Point"), Stream(f.String("StreamText")), f.String("Decision")),
        "toxic_released" => new ToxicReleased(f.Time, f.Proxy, f.Connection, f.String("Toxic")),
        "timeline" => new TimelineStepApplied(f.Time, f.Proxy, f.Milliseconds("AtMs"), f.String("Step"), f.OptionalString("Error")),
        "wrote_after_fin" => new WroteAfterFin(f.Time, f.Proxy, f.Connection, f.Enum<Side>("Side")),
        "tcp_state" => new TcpStateSampled(f.Time, f.Proxy, f.Connection, f.Enum<Side>("Side"), f.String("Moment"),
            f.String("State"), (int)f.Long("Retransmits"), f.Milliseconds("RttMs"), (int)f.Long("Unacked")),
        "closed" => new ConnectionClosed(f.Time, f.Proxy, f.Connection, f.Enum<CloseReason>("Reason"),
            f.Milliseconds("DurationMs"), f.Long("BytesUpstream"), f.Long("BytesDownstream")),
        "subscriber_detached" => new SubscriberDetached(f.Time, f.String("Subscriber"), f.String("Error")),
        "connection_error" => new ConnectionFaulted(f.Time, f.Proxy, f.Connection, f.String("Error")),
        "rejected" => new ConnectionRejected(f.Time, f.Proxy, f.EndPoint("Client"), (int)f.Long("Limit"), f.String("Action")),
        "scenario_reloaded" => new ScenarioReloaded(f.Time, f.String("Source"), Problems(f.OptionalString("Problems"))),
        "scenario_rejected" => new ScenarioReloadRejected(f.Time, f.String("Source"), Problems(f.OptionalString("Problems"))),
        _ => null,
    };

    // The writer renders the stream as " Upstream" (or nothing) so the message reads as a sentence.
    private static Direction? Stream(string text) =>
        text.Trim() is { Length: > 0 } name ? ParseEnum<Direction>(name) : null;

    // The writer puts each problem on its own line, indented two spaces, after a leading line break.
    private static string[] Problems(string? text) =>
        text is null
            ? []
            : text.Split('\n')
                .Select(line => line.TrimEnd('\r'))
                .Where(line => line.Length > 0)
                .Select(line => line.StartsWith("  ", StringComparison.Ordinal) ? line[2..] : line)
                .ToArray();

    private static T ParseEnum<T>(string name) where T : struct, Enum =>
        Enum.TryParse<T>(name, ignoreCase: false, out var value) && Enum.IsDefined(value)
            ? value
            : throw new FormatException($"{name} is not a {typeof(T).Name}");

    /// <summary>Typed access to one line's properties; anything missing or of the wrong shape is a <see cref="FormatException"/>.</summary>
    private sealed class Fields
    {
        private readonly JsonElement _root;

        public Fields(JsonElement root)
        {
            _root = root.ValueKind == JsonValueKind.Object ? root : throw new FormatException("not a JSON object");
        }

        public DateTimeOffset Time =>
            DateTimeOffset.TryParse(String("@t"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time)
                ? time
                : throw new FormatException("@t is not a time");

        public string Proxy => String("Proxy");

        public long Connection => Long("Connection");

        public string String(string name) =>
            OptionalString(name) ?? throw new FormatException($"{name} is missing");

        public string? OptionalString(string name) =>
            !_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
            : value.ValueKind == JsonValueKind.String ? value.GetString()
            : throw new FormatException($"{name} is not a string");

        public long Long(string name) =>
            Number(name).TryGetInt64(out var number) ? number : throw new FormatException($"{name} is not a whole number");

        public TimeSpan Milliseconds(string name) => TimeSpan.FromMilliseconds(Number(name).GetDouble());

        public T Enum<T>(string name) where T : struct, Enum => ParseEnum<T>(String(name));

        public EndPoint EndPoint(string name)
        {
            var text = String(name);
            if (IPEndPoint.TryParse(text, out var ip))
            {
                return ip;
            }
            // DnsEndPoint prints as "Unspecified/host:port".
            var hostAndPort = text[(text.IndexOf('/', StringComparison.Ordinal) + 1)..];
            var colon = hostAndPort.LastIndexOf(':');
            return colon > 0 && int.TryParse(hostAndPort[(colon + 1)..], CultureInfo.InvariantCulture, out var port)
                   && port is >= IPEndPoint.MinPort and <= IPEndPoint.MaxPort
                ? new DnsEndPoint(hostAndPort[..colon], port)
                : throw new FormatException($"{name} is not an endpoint: {text}");
        }

        private JsonElement Number(string name) =>
            _root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
                ? value
                : throw new FormatException($"{name} is not a number");
    }
}
