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
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var notified = _semaphore.WaitAsync(linked.Token);
        var delay = Task.Delay(timeout, time, linked.Token);
        await Task.WhenAny(notified, delay);
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
