using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace Junction.Cli;

/// <summary>Runs a built server until SIGINT/SIGTERM, with one clear line (and its own exit code) when it cannot listen.</summary>
internal static class Listening
{
    public static async Task<int> RunAsync(WebApplication app)
    {
        var urls = app.Configuration["urls"] is { Length: > 0 } configured ? configured : Junction.Server.Hosting.JunctionHost.DefaultUrls;
        var busy = Busy(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (busy is not null)
        {
            Console.Error.WriteLine($"junction: cannot listen on {busy}: the address is already in use (another junction? stop it, or choose another with --urls)");
            return ExitCodes.AddressInUse;
        }

        try
        {
            // The host handles SIGINT/SIGTERM itself and drains requests (graceful shutdown).
            await app.RunAsync();
            return ExitCodes.Success;
        }
        catch (OptionsValidationException exception)
        {
            Console.Error.WriteLine($"junction: invalid configuration: {string.Join("; ", exception.Failures)}");
            return ExitCodes.Configuration;
        }
        catch (IOException exception) when (exception.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            // Taken between the check and the bind.
            Console.Error.WriteLine($"junction: cannot listen: {exception.Message}");
            return ExitCodes.AddressInUse;
        }
    }

    /// <summary>The first of the URLs whose loopback or any-address port is taken now, or null.</summary>
    private static string? Busy(IEnumerable<string> urls)
    {
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || !IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) || uri.Port == 0)
            {
                continue;
            }

            try
            {
                var probe = new TcpListener(address, uri.Port);
                probe.Start();
                probe.Stop();
            }
            catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                return url;
            }
        }

        return null;
    }
}
