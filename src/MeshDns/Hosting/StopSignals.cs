using System.Runtime.InteropServices;

namespace MeshDns.Hosting;

/// <summary>SIGTERM and SIGINT from Main's first line: a stop during start-up ends it and exits 0, instead of killing the
/// process (the default before the host has handlers) or failing its start.</summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _requested = new();
    private readonly CancellationTokenSource _hurry = new();
    private int _signals;
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignals() => _registrations = OperatingSystem.IsWindows()
        ? [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal)]
        : [PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal)];

    /// <summary>Cancelled at the first signal.</summary>
    public CancellationToken Token => _requested.Token;
    public bool Requested => _requested.IsCancellationRequested;

    /// <summary>Cancelled at the second signal: an operator's second Ctrl+C cuts the lame duck short.</summary>
    public CancellationToken Hurry => _hurry.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // the process ends when Main returns, not at the signal
        (Interlocked.Increment(ref _signals) == 1 ? _requested : _hurry).Cancel();
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }

        // The token sources are not disposed: a signal handler already running may still cancel them.
    }
}
