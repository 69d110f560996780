using System.Data.Common;
using Junction.Core.Delivery;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junction.Delivery;

/// <summary>
/// Keeps the event log bounded (docs/delivery.md): every <see cref="DeliveryOptions.RetentionSweepInterval"/> it deletes,
/// in batches, the events older than <see cref="DeliveryOptions.Retention"/> whose jobs have all finished. Safe on
/// every node at once: a delete of what another node already deleted deletes nothing.
/// </summary>
public sealed partial class RetentionSweeper(IDeliveryStore store, IOptions<DeliveryOptions> options, TimeProvider time, ILogger<RetentionSweeper> logger)
    : BackgroundService
{
    public const int Batch = 1000;

    /// <summary>Deletes everything the retention lets go now; answers how many events went.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - options.Value.Retention;
        var total = 0;
        int deleted;
        do
        {
            deleted = await store.PruneAsync(before, Batch, cancellationToken);
            total += deleted;
        }
        while (deleted == Batch);

        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.RetentionSweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var deleted = await SweepAsync(stoppingToken);
                    if (deleted > 0)
                    {
                        LogSwept(logger, deleted);
                    }
                }
                catch (Exception exception) when (exception is DbException or InvalidOperationException or TimeoutException)
                {
                    LogSweepFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Retention deleted {Count} finished events with their deliveries")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "The retention sweep failed; it runs again at its next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
