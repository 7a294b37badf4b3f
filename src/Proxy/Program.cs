return await Chaos.Proxy.Cli.ChaosCommand.InvokeAsync(args);
