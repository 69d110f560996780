using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Junction.Testing;

/// <summary>One request a <see cref="WebhookReceiver"/> received.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset At)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>How the receiver answers one request: a status, an optional Retry-After (seconds), after a delay, or hanging until cancelled.</summary>
public sealed record ReceiverAnswer(int Status = 200, int? RetryAfterSeconds = null, bool Hang = false, int DelayMs = 0);

/// <summary>
/// A real HTTP server (Kestrel) on loopback that records every request and answers as told: by default 200; or from a
/// queue of scripted answers (then the default again); so tests can make a target fail, throttle, refuse or hang.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceiverAnswer> _script = new();
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly SemaphoreSlim _arrivals = new(0);

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <summary>What every request gets when the script is empty.</summary>
    public ReceiverAnswer Default { get; set; } = new();

    /// <summary>A copy of every request so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    /// <summary>How many requests have arrived, without copying them (a benchmark asks every 20 ms).</summary>
    public int Count => _received.Count;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.Url = app.Urls.First().TrimEnd('/');
        return receiver;
    }

    /// <summary>Queues answers for the next requests, in order.</summary>
    public void Script(params ReceiverAnswer[] answers)
    {
        foreach (var answer in answers)
        {
            _script.Enqueue(answer);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> requests have arrived; false on timeout.</summary>
    public async Task<bool> WaitForAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (_received.Count < count)
            {
                await _arrivals.WaitAsync(cts.Token);
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return _received.Count >= count;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var answer = _script.TryDequeue(out var scripted) ? scripted : Default;
        _received.Enqueue(new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, buffer.ToArray(), TimeProvider.System.GetUtcNow()));
        _arrivals.Release();
        if (answer.Hang)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        if (answer.DelayMs > 0)
        {
            await Task.Delay(answer.DelayMs, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrivals.Dispose();
    }
}
