namespace Chaos.Scenarios;

/// <summary>One change at an offset from the start of a run.</summary>
/// <param name="At">Offset from the start; steps are in non-decreasing order.</param>
/// <param name="Action">What changes.</param>
public sealed record TimelineStep(TimeSpan At, TimelineAction Action);

/// <summary>A change a timeline step makes to one proxy.</summary>
/// <param name="Proxy">The proxy's name.</param>
public abstract record TimelineAction(string Proxy);

/// <summary><c>add: {proxy, toxic: {...}}</c>: adds a toxic.</summary>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Toxic">The toxic to add.</param>
public sealed record AddToxicAction(string Proxy, ToxicSpec Toxic) : TimelineAction(Proxy);

/// <summary><c>remove: {proxy, toxic: name}</c>: removes a toxic.</summary>
/// <param name="Proxy">The proxy's name.</param>
/// <param name="Toxic">The toxic's name.</param>
public sealed record RemoveToxicAction(string Proxy, string Toxic) : TimelineAction(Proxy);

/// <summary><c>disable: proxy</c>: the proxy goes down; new connects are refused, live ones are closed.</summary>
/// <param name="Proxy">The proxy's name.</param>
public sealed record DisableProxyAction(string Proxy) : TimelineAction(Proxy);

/// <summary><c>enable: proxy</c>: the proxy listens again.</summary>
/// <param name="Proxy">The proxy's name.</param>
public sealed record EnableProxyAction(string Proxy) : TimelineAction(Proxy);
