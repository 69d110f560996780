using System.Threading.Channels;
using Junction.Core.Delivery;
using Junction.Core.Work;

namespace Junction.Delivery;

/// <summary>
/// Records finished attempts in batches: every completion waiting when the previous batch is written goes into the
/// next one, one transaction for all of them (each still fenced by its own lease). A caller hears back only when its
/// batch has committed, so a job is never claimable again before its attempt is recorded. One transaction per attempt
/// was most of the database's work under load (docs/performance.md).
/// </summary>
public sealed class CompletionBatcher : IDisposable
{
    public const int MaxBatch = 256;

    private readonly IDeliveryStore _store;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public CompletionBatcher(IDeliveryStore store)
    {
        _store = store;
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Records the completion; true when its lease still held, false when another node had taken the job.</summary>
    public Task<bool> CompleteAsync(Lease<DeliveryWork> lease, DeliveryCompletion completion)
    {
        var pending = new Pending(lease, completion, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            // Shut down: record directly.
            return _store.CompleteAsync(lease, completion, CancellationToken.None);
        }

        return pending.Done.Task;
    }

    private async Task WriteAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                var recorded = await _store.CompleteManyAsync([.. batch.Select(p => (p.Lease, p.Completion))], CancellationToken.None);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(recorded[i]);
                }
            }
#pragma warning disable CA1031 // Every waiting handler must hear of the failure; none may hang.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(exception);
                }
            }

            batch.Clear();
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writer.Wait(TimeSpan.FromSeconds(10));
    }

    private sealed record Pending(Lease<DeliveryWork> Lease, DeliveryCompletion Completion, TaskCompletionSource<bool> Done);
}
