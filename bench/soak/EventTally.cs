using System.Collections.Concurrent;
using System.Text.Json;

namespace Chaos.Soak;

/// <summary>Reads the live event stream (<c>GET /chaos/events</c>) and checks that every accepted connection closed exactly once.</summary>
internal sealed class EventTally
{
    private readonly ConcurrentDictionary<(string, long), int> _accepted = new();
    private readonly ConcurrentDictionary<(string, long), int> _closed = new();
    private readonly ConcurrentDictionary<string, long> _kinds = new();
    private long _dropped;

    public long Accepted => _accepted.Count;

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Count(string kind) => _kinds.GetValueOrDefault(kind);

    public async Task ReadAsync(HttpClient http, CancellationToken stop)
    {
        using var response = await http.GetAsync("/chaos/events", HttpCompletionOption.ResponseHeadersRead, stop);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop));
        string? kind = null;
        try
        {
            while (await reader.ReadLineAsync(stop) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    kind = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && kind is not null)
                {
                    Add(kind, line[6..]);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The soak is over, or chaos stopped.
        }
    }

    private void Add(string kind, string data)
    {
        _kinds.AddOrUpdate(kind, 1, (_, n) => n + 1);
        using var json = JsonDocument.Parse(data);
        var root = json.RootElement;
        if (kind == "dropped")
        {
            Interlocked.Add(ref _dropped, root.GetProperty("dropped").GetInt64());
            return;
        }
        var key = (root.GetProperty("proxy").GetString()!, root.GetProperty("connection").GetInt64());
        if (kind == "accepted")
        {
            _accepted.AddOrUpdate(key, 1, (_, n) => n + 1);
        }
        else if (kind == "closed")
        {
            _closed.AddOrUpdate(key, 1, (_, n) => n + 1);
        }
    }

    /// <summary>Problems with the stream: connections accepted twice, closed twice, never closed, or closed unseen.</summary>
    public List<string> Inconsistencies()
    {
        var problems = new List<string>();
        problems.AddRange(_accepted.Where(pair => pair.Value != 1).Select(pair => $"{pair.Key} accepted {pair.Value} times"));
        problems.AddRange(_closed.Where(pair => pair.Value != 1).Select(pair => $"{pair.Key} closed {pair.Value} times"));
        problems.AddRange(_accepted.Keys.Where(key => !_closed.ContainsKey(key)).Select(key => $"{key} accepted, never closed"));
        problems.AddRange(_closed.Keys.Where(key => !_accepted.ContainsKey(key)).Select(key => $"{key} closed, never accepted"));
        return problems;
    }
}
