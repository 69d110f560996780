namespace Junction.Runtime.Work;

/// <summary>
/// A wake-up for one leased worker's loop: at most one pending notification, so many new items cost one wake-up.
/// Other nodes find the work on their next poll.
/// </summary>
public class WorkSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Notify()
    {
        try
        {
            if (_semaphore.CurrentCount == 0)
            {
                _semaphore.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Another thread notified first; one pending wake-up is enough.
        }
    }

    /// <summary>Waits for a notification or for <paramref name="timeout"/> on the given clock, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken) => WaitAsync(timeout, time, null, cancellationToken);

    /// <summary>Waits for a notification, for <paramref name="timeout"/> or for <paramref name="orUntil"/> to end, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, Task? orUntil, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var notified = _semaphore.WaitAsync(linked.Token);
        var delay = Task.Delay(timeout, time, linked.Token);
        await (orUntil is null ? Task.WhenAny(notified, delay) : Task.WhenAny(notified, delay, orUntil));
        await linked.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _semaphore.Dispose();
        }
    }
}
