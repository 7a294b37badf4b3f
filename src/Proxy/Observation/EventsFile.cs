using Serilog;
using Serilog.Core;
using Serilog.Formatting.Compact;

namespace Chaos.Proxy.Observation;

/// <summary>
/// The events file (<c>--events</c>): every event as a compact JSON line whatever the console level, since it is
/// the record a report is made from. Written through an audit sink, so a failed write (a full disk) throws
/// instead of vanishing: the event bus then detaches this writer and reports it once, and the relay goes on.
/// </summary>
internal sealed class EventsFile : IEventSubscriber, IDisposable
{
    private readonly Logger _logger;
    private readonly SerilogEventWriter _writer;

    public EventsFile(string path)
    {
        _logger = new LoggerConfiguration()
            .MinimumLevel.Debug()
            .AuditTo.File(new CompactJsonFormatter(), path)
            .CreateLogger();
        _writer = new SerilogEventWriter(_logger);
    }

    public void Handle(ChaosEvent chaosEvent) => _writer.Handle(chaosEvent);

    public void Dispose()
    {
        try
        {
            _logger.Dispose();
        }
        catch (IOException)
        {
            // The final flush hit the same failure the bus already reported when it detached this writer.
        }
    }
}
