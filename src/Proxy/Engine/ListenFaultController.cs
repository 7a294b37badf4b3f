using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Toxics;
using Chaos.Scenarios;

namespace Chaos.Proxy.Engine;

/// <summary>
/// Applies the listen toxics to one listener as the proxy's toxics change: <c>refuse</c> closes the socket
/// (the kernel answers SYNs with RST), <c>syn_drop</c> stops accepting and plugs the accept queue with a
/// connection of our own (backlog 0 holds one), so the kernel drops further SYNs and clients retransmit
/// (reference/linux-tcp-facts.md §1a). Every change runs on this controller's own task.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001",
    Justification = "StopAsync disposes the token source; the owning listener always calls it.")]
internal sealed class ListenFaultController
{
    private static readonly TimeSpan RebindRetry = TimeSpan.FromMilliseconds(250);

    private readonly ProxyListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private bool _stopped;
    private readonly Task _watching;
    private ListenState _state = ListenState.Normal;
    private ActiveToxic? _active;
    private Socket? _plug;
    private long _pluggedAt;
    private long _releasedPlug;

    public ListenFaultController(ProxyListener listener)
    {
        _listener = listener;
        _watching = Task.Run(WatchAsync);
    }

    private enum ListenState { Normal, Refused, Plugged }

    private ProxyContext Proxy => _listener.Proxy;

    private TimeProvider Time => Proxy.Bus.Time;

    /// <summary>Stops applying listen toxics and pulls any plug. False when it had already stopped.</summary>
    public async Task<bool> StopAsync()
    {
        if (_stopped)
        {
            return false;
        }
        _stopped = true;
        await _stop.CancelAsync();
        await _watching;
        _stop.Dispose();
        return true;
    }

    private async Task WatchAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var snapshot = Proxy.Toxics.Current;
            var wait = await MoveToAsync(Wanted(snapshot));
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(snapshot.Replaced, _stop.Token);
            try
            {
                await Task.Delay(wait, Time, wake.Token);
            }
            catch (OperationCanceledException)
            {
                // New toxics, or stopping: look again.
            }
        }
        if (_state == ListenState.Plugged)
        {
            Unplug();
        }
    }

    private (ListenState State, ActiveToxic? Toxic) Wanted(ToxicSnapshot snapshot)
    {
        var listen = snapshot.At<IListenToxic>().ToList();
        if (listen.Find(pair => pair.Behaviour.Fault.Refuse).Toxic is { } refuse)
        {
            return (ListenState.Refused, refuse);
        }
        if (listen.Find(pair => pair.Toxic.Id != _releasedPlug).Toxic is { } plug)
        {
            return (ListenState.Plugged, plug);
        }
        return (ListenState.Normal, null);
    }

    /// <summary>Moves to the wanted state; returns how long until it should look again without a toxic change.</summary>
    private async Task<TimeSpan> MoveToAsync((ListenState State, ActiveToxic? Toxic) wanted)
    {
        if (wanted.State != _state || wanted.Toxic?.Id != _active?.Id)
        {
            if (!Leave())
            {
                return RebindRetry;
            }
            await EnterAsync(wanted.State, wanted.Toxic);
        }
        return _state == ListenState.Plugged && ReleaseAfter() is { } releaseAfter
            ? ReleaseWhenDue(releaseAfter)
            : Timeout.InfiniteTimeSpan;
    }

    private TimeSpan? ReleaseAfter() => ((IListenToxic)_active!.Behaviour).Fault.ReleaseAfter;

    private TimeSpan ReleaseWhenDue(TimeSpan releaseAfter)
    {
        var left = releaseAfter - Time.GetElapsedTime(_pluggedAt);
        if (left > TimeSpan.Zero)
        {
            return left;
        }
        _releasedPlug = _active!.Id;
        Leave();
        return Timeout.InfiniteTimeSpan;
    }

    /// <summary>Back to normal accepting. False when the address could not be bound again yet (it stays refused).</summary>
    private bool Leave()
    {
        switch (_state)
        {
            case ListenState.Refused:
                try
                {
                    _listener.Reopen();
                }
                catch (SocketException)
                {
                    return false; // something else holds the port for now
                }
                _listener.StartAccepting();
                break;
            case ListenState.Plugged:
                Unplug();
                break;
            case ListenState.Normal:
                return true;
        }
        Proxy.Bus.Publish(new ToxicReleased(Proxy.Now, Proxy.Name, 0, _active!.Name));
        (_state, _active) = (ListenState.Normal, null);
        return true;
    }

    private async Task EnterAsync(ListenState state, ActiveToxic? toxic)
    {
        if (toxic is null)
        {
            return;
        }
        await _listener.PauseAcceptingAsync();
        if (state == ListenState.Refused)
        {
            _listener.CloseSocket();
        }
        else
        {
            _listener.SetBacklog(0);
            _plug = StartPlug(_listener.LocalEndPoint);
            _listener.Ignore(_plug.LocalEndPoint);
            _pluggedAt = Time.GetTimestamp();
        }
        (_state, _active) = (state, toxic);
        var decision = state == ListenState.Refused ? "listener closed: connects are refused" : "accept queue plugged: new SYNs are dropped";
        Proxy.Bus.Publish(new ToxicActed(Proxy.Now, Proxy.Name, 0, toxic.Name, toxic.Spec.Type, LifecyclePoint.Listen, null, decision));
    }

    /// <summary>Our own connection that fills the queue and is never accepted; its SYN may itself wait if the queue is already full.</summary>
    private static Socket StartPlug(IPEndPoint listener)
    {
        var target = listener.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : listener.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : listener.Address;
        var plug = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        plug.Bind(new IPEndPoint(target, 0));
        _ = plug.ConnectAsync(new IPEndPoint(target, listener.Port)).ContinueWith(
            connect => _ = connect.Exception, TaskScheduler.Default);
        return plug;
    }

    private void Unplug()
    {
        _listener.SetBacklog(null);
        _plug?.Dispose();
        _plug = null;
        _listener.StartAccepting();
    }
}
