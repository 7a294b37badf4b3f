namespace Chaos.Proxy.ControlApi;

/// <summary>Where the Toxiproxy-compatible control API listens, and who may use it.</summary>
/// <param name="Host">An IP literal, <c>localhost</c> (127.0.0.1) or a host name; Toxiproxy's default is loopback only.</param>
/// <param name="Port">The TCP port; 0 picks a free one (see <see cref="ControlApiServer.EndPoint"/>). Toxiproxy's default is 8474.</param>
/// <param name="BearerToken">When set, every request needs <c>Authorization: Bearer &lt;token&gt;</c> (401 otherwise). Toxiproxy has no such check.</param>
internal sealed record ControlApiOptions(string Host = "127.0.0.1", int Port = ControlApiOptions.DefaultPort, string? BearerToken = null)
{
    /// <summary>Toxiproxy's port.</summary>
    public const int DefaultPort = 8474;

    /// <summary>Request bodies above this size get 413 (Toxiproxy has no cap; its bodies are a few hundred bytes).</summary>
    public int MaxBodyBytes { get; init; } = 1024 * 1024;
}
