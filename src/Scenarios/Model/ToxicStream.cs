namespace Chaos.Scenarios;

/// <summary>The direction a toxic acts on, as in Toxiproxy.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "Toxiproxy's term: a toxic's 'stream' is its direction.")]
public enum ToxicStream
{
    /// <summary>Client to server. A client's FIN travels upstream.</summary>
    Upstream,

    /// <summary>Server to client (the default).</summary>
    Downstream,
}
