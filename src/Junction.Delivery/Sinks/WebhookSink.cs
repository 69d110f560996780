using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Junction.Core.Connections;
using Junction.Core.Delivery;
using Junction.Core.Networks;
using Junction.Core.Verification;
using Junction.Runtime.Egress;
using Junction.Runtime.Http;

namespace Junction.Delivery.Sinks;

/// <summary>
/// Delivers by HTTP POST through a connection (spec/dataplane.md §2.8): one pooled keep-alive client per connection,
/// whose connect callback applies the egress policy and, for a private connection in strict network mode, refuses any
/// address outside the connection's declared network. Nothing is sent to a refused address.
/// </summary>
public sealed class WebhookSink(OutboundHttp http, NetworkRegistry networks, DeliveryOptions options, TimeProvider time) : IDisposable
{
    public const string UserAgent = "Junction-EG/1.0";

    private readonly ConcurrentDictionary<string, Pooled> _clients = new(StringComparer.Ordinal);

    /// <summary>Posts <paramref name="message"/> to <paramref name="url"/> through <paramref name="connection"/> (null: the public network).</summary>
    public async Task<AttemptOutcome> SendAsync(
        string connectionKey, Connection? connection, Uri url, SinkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(message);
        var client = Client(connectionKey, connection);
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Content = new ReadOnlyMemoryContent(message.Body);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(message.ContentType);
        foreach (var (name, value) in message.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return AttemptOutcome.FromHttpStatus((int)response.StatusCode, RetryAfter(response, time.GetUtcNow()));
        }
        catch (HttpRequestException exception) when (FindRefusal(exception) is { } refusal)
        {
            return AttemptOutcome.Terminal(refusal.Failure.Code, refusal.Failure.Message);
        }
        catch (HttpRequestException exception)
        {
            return AttemptOutcome.Retryable(VerificationCodes.HttpUnreachable, $"POST {url.Scheme}://{url.Authority}{url.AbsolutePath} failed: {exception.Message}");
        }
    }

    /// <summary>The delay a 429 or 503 asks for, as seconds or as a date; null when absent.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - now : null;
    }

    private static EgressRefusedException? FindRefusal(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is EgressRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    private HttpClient Client(string connectionKey, Connection? connection)
    {
        var stamp = connection is null ? "public" : $"{connection.UpdatedAt.ToUnixTimeMilliseconds()}|{connection.VpcId}|{connection.SubnetId}";
        var pooled = _clients.GetOrAdd(connectionKey, _ => Build(connection, stamp));
        if (pooled.Stamp == stamp)
        {
            return pooled.Client;
        }

        // The connection changed: new requests get a client built for it; the old one's requests finish first.
        var fresh = Build(connection, stamp);
        _clients[connectionKey] = fresh;
        _ = Task.Delay(options.AttemptTimeout * 2).ContinueWith(_ => pooled.Client.Dispose(), TaskScheduler.Default);
        return fresh.Client;
    }

    private Pooled Build(Connection? connection, string stamp)
    {
        // Evaluated at each connect, so that a network given to another tenant later is refused from then on.
        Func<System.Net.IPAddress, int, Junction.Core.Networks.OutboundFailure?>? restrict = connection is null
            ? null
            : (address, port) => networks.Confine(connection.VpcId, connection.SubnetId, connection.Name, connection.TenantId)?.Invoke(address, port);
        var client = http.CreateClient(UserAgent, TimeSpan.FromMinutes(5), options.MaxInFlightPerConnection, restrict);
        return new Pooled(client, stamp);
    }

    public void Dispose()
    {
        foreach (var pooled in _clients.Values)
        {
            pooled.Client.Dispose();
        }

        _clients.Clear();
    }

    private sealed record Pooled(HttpClient Client, string Stamp);
}
