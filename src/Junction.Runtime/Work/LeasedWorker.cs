using System.Data.Common;
using Junction.Core.Work;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Junction.Runtime.Work;

/// <summary>
/// Runs durable, leased background work (design.md §7): claims due items from an <see cref="ILeasedQueue{T}"/> with a
/// lease stored in the database, hands each to an <see cref="ILeasedHandler{T}"/> in one of a bounded number of slots,
/// stops a handler at a hard deadline well inside the lease, wakes on a <see cref="WorkSignal"/> or polls, and gives its
/// leases back on shutdown. A crash loses nothing: an expired lease makes the item due for any node again, and a node
/// that lost its lease cannot record a result (the handler's completion is fenced by the lease token).
/// Verification is its first handler; delivery its second. Retries are new due times written by the handler, never a
/// loop in here that a crash would forget.
/// </summary>
public partial class LeasedWorker<T> : BackgroundService
{
    private readonly string _name;
    private readonly ILeasedQueue<T> _queue;
    private readonly ILeasedHandler<T> _handler;
    private readonly WorkSignal _signal;
    private readonly LeasedWorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly ILocalLeases<T>? _local;

    /// <summary>
    /// Whether due work may be waiting in the database: the last claim took all it asked for, or the last round made no
    /// claim at all (handed work filled every free slot). Then a quarter of the free slots is kept for the claim, so
    /// that work handed over without end cannot hold back retries and other nodes' released work.
    /// </summary>
    private bool _backlog = true;

    public LeasedWorker(
        string name, ILeasedQueue<T> queue, ILeasedHandler<T> handler, WorkSignal signal, LeasedWorkerOptions options,
        NodeId node, TimeProvider time, ILogger logger, ILocalLeases<T>? local = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(node);
        if (options.HardStop >= options.LeaseDuration)
        {
            throw new ArgumentException($"the {name} worker's hard stop ({options.HardStop}) must be shorter than its lease ({options.LeaseDuration})", nameof(options));
        }

        _name = name;
        _queue = queue;
        _handler = handler;
        _signal = signal;
        _options = options;
        _time = time;
        _logger = logger;
        Node = node.Value;
        _local = local;
        _slots = new SemaphoreSlim(options.Concurrency, options.Concurrency);
    }

    /// <summary>This process's identity in leases.</summary>
    public string Node { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        LogStarted(_logger, _name, Node, _options.Concurrency);
        var running = new HashSet<Task>();
        PendingClaim? claim = null;
        _local?.Open();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                running.RemoveWhere(t => t.IsCompleted);
                var free = _slots.CurrentCount;
                var started = 0;
                var answered = claim is { Leases.IsCompleted: true };
                if (answered)
                {
                    started += Start(claim!, running, stoppingToken);
                    claim = null;
                }

                if (free > 0)
                {
                    // Handed work first (it costs no claim), but with due work waiting in the database a quarter of
                    // the free slots is kept for the claim, so that retries and other nodes' released work still run.
                    var handed = await TakeLocalAsync(_backlog ? free - Math.Max(1, free / 4) : free, stoppingToken);
                    foreach (var lease in handed)
                    {
                        await _slots.WaitAsync(stoppingToken);
                        running.Add(RunSlotAsync(lease, stoppingToken));
                    }

                    started += handed.Count;

                    // The rest of the slots go to a claim, one at a time, that runs beside this loop: a claim is a
                    // write, and while it waits for the database (behind a burst of publishes on SQLite's one writer,
                    // 10-20 ms) handed work and freed places keep being started instead of waiting with it. A claim
                    // that just found less than it asked for (or failed) is not followed at once by another.
                    var room = _slots.CurrentCount;
                    if (claim is null && room > 0 && (!answered || _backlog))
                    {
                        claim = Claim(room, stoppingToken);
                    }
                    else if (claim is null && room == 0)
                    {
                        _backlog = true;
                    }
                }

                // A full batch means there is probably more due work: go round again at once.
                if (started == 0 || started < free)
                {
                    await _signal.WaitAsync(_options.PollInterval, _time, claim?.Leases, stoppingToken);
                    if (Gathers && running.Any(t => !t.IsCompleted) && claim is not { Leases.IsCompleted: true })
                    {
                        // Woken while busy, most likely by one finished item: let more finish first, or every
                        // completion would cost a take (a read) or a claim (a write and a scan) that finds little.
                        await Task.Delay(_options.ClaimGather, _time, stoppingToken);
                    }
                }
                else if (_slots.CurrentCount == 0)
                {
                    await SlotOrClaimAsync(claim, stoppingToken);
                    await GatherAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        if (claim is not null)
        {
            // What it took is not started: the release below gives it back with the rest of this node's leases.
            await claim.Leases.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        if (_local is not null)
        {
            await _local.CloseAsync(TimeSpan.FromSeconds(5));
        }

        await Task.WhenAll(running);
        await _queue.ReleaseAsync(Node, _time.GetUtcNow(), CancellationToken.None);
        LogStopped(_logger, _name, Node);
    }

    /// <summary>A claim under way, with the slots it holds for what it takes.</summary>
    private sealed record PendingClaim(Task<IReadOnlyList<Lease<T>>> Leases, int Slots);

    /// <summary>Holds <paramref name="slots"/> free slots and claims as many items in the background.</summary>
    private PendingClaim Claim(int slots, CancellationToken stoppingToken)
    {
        // Only this loop takes slots, and these are free: no wait (and never more held than taken).
        var held = 0;
        while (held < slots && _slots.Wait(0))
        {
            held++;
        }

        return new PendingClaim(ClaimAsync(held, stoppingToken), held);
    }

    /// <summary>Runs what a finished claim took in the slots it held, gives the rest back, and notes whether more may be due.</summary>
    private int Start(PendingClaim claim, HashSet<Task> running, CancellationToken stoppingToken)
    {
        // A claim cancelled by shutdown took nothing; one that failed in a way ClaimAsync does not expect fails the loop,
        // as it did when the loop awaited it.
        IReadOnlyList<Lease<T>> leases = claim.Leases.IsCanceled ? [] : claim.Leases.GetAwaiter().GetResult();
        foreach (var lease in leases)
        {
            running.Add(RunSlotAsync(lease, stoppingToken));
        }

        if (claim.Slots > leases.Count)
        {
            _slots.Release(claim.Slots - leases.Count);
        }

        _backlog = leases.Count == claim.Slots;
        return leases.Count;
    }

    /// <summary>Waits until a slot frees or the claim under way ends.</summary>
    private async Task SlotOrClaimAsync(PendingClaim? claim, CancellationToken stoppingToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var slot = _slots.WaitAsync(Timeout.Infinite, linked.Token);
        await (claim is null ? (Task)slot : Task.WhenAny(slot, claim.Leases));
        await linked.CancelAsync();
        try
        {
            await slot;
            _slots.Release();
        }
        catch (OperationCanceledException)
        {
            // The claim ended first.
        }

        stoppingToken.ThrowIfCancellationRequested();
    }

    /// <summary>Whether this worker waits to claim in batches: it has 8 slots or more and a gather time.</summary>
    private bool Gathers => _options.Concurrency >= 8 && _options.ClaimGather > TimeSpan.Zero;

    /// <summary>
    /// Busy, a claim per finished item would cost a claim (a write, a scan and its reads) per item. Waits a moment (at
    /// most <see cref="LeasedWorkerOptions.ClaimGather"/>) for a quarter of the slots to free, so the next claim takes a
    /// batch. A worker with fewer than 8 slots claims at once.
    /// </summary>
    private async Task GatherAsync(CancellationToken stoppingToken)
    {
        if (!Gathers)
        {
            return;
        }

        var batch = _options.Concurrency / 4;
        var started = _time.GetTimestamp();
        while (_slots.CurrentCount < batch && _time.GetElapsedTime(started) < _options.ClaimGather)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1), _time, stoppingToken);
        }
    }

    /// <summary>Claims and handles everything due now, waiting for all of it; for tests and one-shot runs.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        for (; ; )
        {
            var leases = await _queue.ClaimAsync(Node, _time.GetUtcNow(), _options.LeaseDuration, _options.Concurrency, cancellationToken);
            if (leases.Count == 0)
            {
                return total;
            }

            await Task.WhenAll(leases.Select(l => HandleAsync(l, cancellationToken)));
            total += leases.Count;
        }
    }

    /// <summary>Hands one lease to the handler with the hard stop applied.</summary>
    public async Task HandleAsync(Lease<T> lease, CancellationToken stopping)
    {
        // The hard stop runs on the injected clock, like everything else that waits here.
        using var hardStop = new CancellationTokenSource(_options.HardStop, _time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping, hardStop.Token);
        await _handler.HandleAsync(lease, deadline.Token, stopping);
    }

    private async Task<IReadOnlyList<Lease<T>>> ClaimAsync(int max, CancellationToken cancellationToken)
    {
        try
        {
            return await _queue.ClaimAsync(Node, _time.GetUtcNow(), _options.LeaseDuration, max, _handler.Limits, cancellationToken);
        }
        catch (Exception exception) when (exception is DbException or InvalidOperationException or TimeoutException)
        {
            // The database is unavailable for now; the work stays due and is claimed on a later round.
            LogClaimFailed(_logger, exception, _name);
            return [];
        }
    }

    /// <summary>Handed work with room for its hard stop inside its lease; none when reading it fails (its leases expire and it is claimed then).</summary>
    private async Task<IReadOnlyList<Lease<T>>> TakeLocalAsync(int max, CancellationToken cancellationToken)
    {
        if (_local is null || max <= 0)
        {
            return [];
        }

        try
        {
            return await _local.TakeAsync(max, _options.HardStop, cancellationToken);
        }
        catch (Exception exception) when (exception is DbException or InvalidOperationException or TimeoutException)
        {
            LogClaimFailed(_logger, exception, _name);
            return [];
        }
    }

    private async Task RunSlotAsync(Lease<T> lease, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            await HandleAsync(lease, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the lease is released with the others.
        }
        catch (Exception exception) when (exception is DbException or InvalidOperationException or TimeoutException)
        {
            // Recording failed; the lease expires and the item is handled again.
            LogRecordFailed(_logger, exception, _name);
        }
        finally
        {
            _slots.Release();
            _signal.Notify();
        }
    }

    public override void Dispose()
    {
        _slots.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "The {Worker} worker {Node} started with {Concurrency} slots")]
    private static partial void LogStarted(ILogger logger, string worker, string node, int concurrency);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "The {Worker} worker {Node} stopped and released its leases")]
    private static partial void LogStopped(ILogger logger, string worker, string node);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Claiming due {Worker} work failed; will retry")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception, string worker);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Recording {Worker} work failed; its lease will expire and it will be done again")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, string worker);
}
