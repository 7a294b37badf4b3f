namespace Chaos.Proxy;

/// <summary>Why the registry refused a change.</summary>
public enum RegistryError
{
    /// <summary>No proxy has that name.</summary>
    ProxyNotFound,

    /// <summary>A proxy with that name exists already.</summary>
    ProxyExists,

    /// <summary>The proxy has no toxic of that name.</summary>
    ToxicNotFound,

    /// <summary>The proxy has a toxic of that name already.</summary>
    ToxicExists,
}

/// <summary>A change the registry refused; the message is one line for the user (and maps to an HTTP status in the API).</summary>
public sealed class RegistryException(RegistryError error, string message) : Exception(message)
{
    /// <summary>What was wrong.</summary>
    public RegistryError Error { get; } = error;
}
