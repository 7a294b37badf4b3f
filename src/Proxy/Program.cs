// A relay's continuations are short and never block, so run them on the socket engine's threads instead of
// hopping to the thread pool for every receive and send: measured ~1.3x SET rate through the proxy.
// And one engine thread, not one per CPU: the engine is picked per socket, round robin, so with two a
// connection's client socket and upstream socket landed on different threads and every relayed chunk woke
// the other thread (measured 1.9 context switches per proxied connection, 0.1 with one thread).
// The pass-through loop follows the first setting for what waits on it (PassThroughLoop.Continuations).
// Settings in the environment win.
DefaultEnvironment("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
DefaultEnvironment("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", "1");
Chaos.Proxy.Engine.OpenFileLimit.Raise();
return await Chaos.Proxy.Cli.ChaosCommand.InvokeAsync(args);

static void DefaultEnvironment(string name, string value)
{
    if (Environment.GetEnvironmentVariable(name) is null)
    {
        Environment.SetEnvironmentVariable(name, value);
    }
}


// The entry point is not part of the library's API (ASP.NET Core would otherwise make it public for test hosts).
internal sealed partial class Program;
