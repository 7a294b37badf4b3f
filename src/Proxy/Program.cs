// A relay's continuations are short and never block, so run them on the socket engine's threads instead of
// hopping to the thread pool for every receive and send: measured ~1.3x SET rate through the proxy.
// An explicit setting in the environment wins.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}
Chaos.Proxy.Engine.OpenFileLimit.Raise();
return await Chaos.Proxy.Cli.ChaosCommand.InvokeAsync(args);


// The entry point is not part of the library's API (ASP.NET Core would otherwise make it public for test hosts).
internal sealed partial class Program;
