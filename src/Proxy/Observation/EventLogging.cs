using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Chaos.Proxy.Observation;

/// <summary>Builds the Serilog pipeline for a run: readable console lines, and compact JSON lines to a file when asked.</summary>
internal static class EventLogging
{
    public const string ConsoleTemplate = "{Timestamp:HH:mm:ss.fff} {Message:lj}{NewLine}{Exception}";

    public static Logger Create(LogEventLevel consoleLevel, string? eventsFile)
    {
        // The least level any sink takes: events below it are dropped before their message is bound.
        var least = eventsFile is null || consoleLevel < LogEventLevel.Debug ? consoleLevel : LogEventLevel.Debug;
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(least)
            .WriteTo.Console(outputTemplate: ConsoleTemplate, restrictedToMinimumLevel: consoleLevel,
                standardErrorFromLevel: LogEventLevel.Error);
        if (eventsFile is not null)
        {
            // Every event goes to the file whatever the console level: it is the record a report is made from.
            configuration = configuration.WriteTo.File(new CompactJsonFormatter(), eventsFile, LogEventLevel.Debug);
        }
        return configuration.CreateLogger();
    }
}
