using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Chaos.Proxy.Observation;

/// <summary>Builds the Serilog pipelines for a run: readable console lines, and compact JSON lines to a file when asked.</summary>
internal static class EventLogging
{
    public const string ConsoleTemplate = "{Timestamp:HH:mm:ss.fff} {Message:lj}{NewLine}{Exception}";

    // The console's level is the logger's minimum, so events below it are dropped before their message is bound
    // (the events file has its own logger, which takes every event).
    public static Logger Create(LogEventLevel consoleLevel) => new LoggerConfiguration()
        .MinimumLevel.Is(consoleLevel)
        .WriteTo.Console(outputTemplate: ConsoleTemplate, restrictedToMinimumLevel: consoleLevel,
            standardErrorFromLevel: LogEventLevel.Error)
        .CreateLogger();

    /// <summary>The run's event writers: the console, and the events file when there is one.</summary>
    public static IReadOnlyList<IEventSubscriber> Writers(Logger console, EventsFile? eventsFile) =>
        eventsFile is null ? [new SerilogEventWriter(console)] : [new SerilogEventWriter(console), eventsFile];
}
