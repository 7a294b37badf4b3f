namespace Chaos.Proxy.Engine;

/// <summary>Why the registry refused a change.</summary>
public enum RegistryError
{
    ProxyNotFound,
    ProxyExists,
    ToxicNotFound,
    ToxicExists,
}

/// <summary>A change the registry refused; the message is one line for the user (and maps to an HTTP status in the API).</summary>
public sealed class RegistryException(RegistryError error, string message) : Exception(message)
{
    public RegistryError Error { get; } = error;
}
