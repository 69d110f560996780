using System.Net;
using System.Net.Sockets;

namespace Junction.Testing;

/// <summary>
/// A loopback listener that only counts the connections it accepts: put it where a refused address points, and a count
/// above zero proves that something connected where it must not have.
/// </summary>
public sealed class CanaryListener : IDisposable
{
    private readonly TcpListener _listener;
    private int _accepted;

    public CanaryListener(IPAddress address, int port = 0)
    {
        _listener = new TcpListener(address, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptLoopAsync();
    }

    public int Port { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    public void Dispose() => _listener.Stop();

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync();
                Interlocked.Increment(ref _accepted);
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }
}
