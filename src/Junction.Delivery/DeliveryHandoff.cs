using Junction.Core.Delivery;
using Junction.Core.Work;
using Junction.Runtime.Work;
using Microsoft.Extensions.Options;

namespace Junction.Delivery;

/// <summary>
/// Hands fresh jobs from this node's publishers to its delivery worker without a claim (design.md §7). A publish
/// reserves room, writes that many of its jobs leased to this node (<see cref="FreshLease"/>), and hands their ids over
/// after the commit; the worker takes them per connection within <see cref="DeliveryOptions.MaxInFlightPerConnection"/>,
/// connections in turns, and reads them back under their lease token (a read, where a claim was a write of the one
/// SQLite writer and a read). Room is <see cref="RoomPerSlot"/> jobs per slot of the worker (<see cref="DeliveryOptions.Concurrency"/>), reserved or waiting, so a burst
/// beyond what the worker can soon start is written due, to be claimed in order with the rest. Nothing here is the only
/// copy of anything: a job forgotten here (the worker stopped, its lease ran short while it waited) is in the database,
/// leased, and due for every node when its lease ends — at once on a graceful stop, whose release covers it.
/// </summary>
public sealed class DeliveryHandoff(
    IDeliveryStore store, ConnectionLimiter limiter, IOptions<DeliveryOptions> options, NodeId node, TimeProvider time, Core.Telemetry.JunctionMetrics metrics)
    : IDeliveryHandoff, ILocalLeases<DeliveryWork>
{
    /// <summary>
    /// Jobs reserved or waiting per slot of the worker. With one (1,024), 64 publishers of 20 events at once reserved it
    /// all and a quarter of a burst was handed over; the jobs that wait here hold their leases (60 s by default), and
    /// one whose lease would end before its hard stop is not run from here but claimed when it ends.
    /// </summary>
    public const int RoomPerSlot = 4;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<Waiting>> _waiting = new(StringComparer.Ordinal);
    private bool _open;
    private TaskCompletionSource? _settled;
    private int _reserved;
    private int _queued;
    private long _taken;

    /// <summary>Jobs this node's worker took from here since it started (each a claim it did not make).</summary>
    public long Taken => Interlocked.Read(ref _taken);

    public FreshLease? Reserve(int jobs)
    {
        var settings = options.Value;
        lock (_lock)
        {
            var room = (settings.Concurrency * RoomPerSlot) - _reserved - _queued;
            if (!_open || jobs <= 0 || room <= 0)
            {
                return null;
            }

            var granted = Math.Min(jobs, room);
            _reserved += granted;
            return new FreshLease(node.Value, Guid.NewGuid().ToString("N"), time.GetUtcNow() + settings.LeaseDuration, granted);
        }
    }

    public void Handed(FreshLease lease, IReadOnlyList<(long Id, string ConnectionKey)> jobs)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(jobs);
        lock (_lock)
        {
            Settle(lease.Jobs);
            if (!_open)
            {
                return;
            }

            foreach (var (id, key) in jobs)
            {
                Enqueue(new Waiting(id, key, lease.Token, lease.Until));
            }
        }
    }

    /// <summary>
    /// Takes back a claimed job whose connection was at its limit when its attempt was to start: it waits here, under the
    /// claim's lease, for a place like a handed-over job, instead of being written back to the database and claimed
    /// again. False when the worker is stopping (the caller gives it back to the database).
    /// </summary>
    public bool Requeue(Lease<DeliveryWork> lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_lock)
        {
            if (!_open)
            {
                return false;
            }

            Enqueue(new Waiting(lease.Item.Id, lease.Item.ConnectionKey, lease.Token, lease.Until));
            return true;
        }
    }

    /// <summary>Puts a job at the end of its connection's queue; under the lock.</summary>
    private void Enqueue(Waiting waiting)
    {
        if (!_waiting.TryGetValue(waiting.ConnectionKey, out var queue))
        {
            _waiting[waiting.ConnectionKey] = queue = new Queue<Waiting>();
        }

        queue.Enqueue(waiting);
        _queued++;
    }

    public void Cancel(FreshLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_lock)
        {
            Settle(lease.Jobs);
        }
    }

    /// <summary>A reservation of <paramref name="jobs"/> ended; the last one to end while closing lets the close go on.</summary>
    private void Settle(int jobs)
    {
        _reserved -= jobs;
        if (_reserved == 0)
        {
            _settled?.TrySetResult();
        }
    }

    public void Open()
    {
        lock (_lock)
        {
            _open = true;
        }
    }

    public async Task CloseAsync(TimeSpan wait)
    {
        Task settled;
        lock (_lock)
        {
            _open = false;
            _waiting.Clear();
            _queued = 0;
            _settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_reserved == 0)
            {
                _settled.TrySetResult();
            }

            settled = _settled.Task;
        }

        try
        {
            await settled.WaitAsync(wait, time);
        }
        catch (TimeoutException)
        {
            // A publish still writing: its jobs are leased to this node and become due when their lease ends.
        }
    }

    public async Task<IReadOnlyList<Lease<DeliveryWork>>> TakeAsync(int max, TimeSpan left, CancellationToken cancellationToken)
    {
        var taken = Take(max, time.GetUtcNow() + left);
        if (taken.Count == 0)
        {
            return [];
        }

        var leases = new List<Lease<DeliveryWork>>(taken.Count);
        try
        {
            leases.AddRange(await store.AdoptAsync([.. taken.Select(h => (h.Id, h.Token))], cancellationToken));
        }
        finally
        {
            // A job not read back (its lease was lost, or reading failed) gives its connection's place back.
            var adopted = leases.Select(l => l.Item.Id).ToHashSet();
            foreach (var lost in taken.Where(h => !adopted.Contains(h.Id)))
            {
                limiter.Exit(lost.ConnectionKey);
            }
        }

        Interlocked.Add(ref _taken, leases.Count);
        metrics.HandedOver(leases.Count);
        return [.. leases.Select(l => l with { Item = l.Item with { HoldsConnectionPlace = true } })];
    }

    /// <summary>
    /// Up to <paramref name="max"/> waiting jobs, one connection's oldest at a time in turns, each taking its place among
    /// its connection's attempts in flight (<see cref="ConnectionLimiter"/>; its attempt gives it back), none beyond the
    /// connection's limit; a job whose lease ends before <paramref name="runnableUntil"/> is dropped.
    /// </summary>
    private List<Waiting> Take(int max, DateTimeOffset runnableUntil)
    {
        var limit = options.Value.MaxInFlightPerConnection;
        var taken = new List<Waiting>();
        lock (_lock)
        {
            if (_queued == 0)
            {
                return taken;
            }

            var progress = true;
            while (taken.Count < max && progress)
            {
                progress = false;
                foreach (var (key, queue) in _waiting)
                {
                    if (taken.Count >= max)
                    {
                        break;
                    }

                    while (queue.TryPeek(out var waiting))
                    {
                        if (waiting.Until < runnableUntil)
                        {
                            // Left to the claim that takes it when its lease ends.
                            queue.Dequeue();
                            _queued--;
                            continue;
                        }

                        if (limiter.TryEnter(key, limit))
                        {
                            queue.Dequeue();
                            _queued--;
                            taken.Add(waiting);
                            progress = true;
                        }

                        break;
                    }
                }
            }

            foreach (var key in _waiting.Where(e => e.Value.Count == 0).Select(e => e.Key).ToList())
            {
                _waiting.Remove(key);
            }
        }

        return taken;
    }

    private sealed record Waiting(long Id, string ConnectionKey, string Token, DateTimeOffset Until);
}
