using System.Collections.Concurrent;
using Junction.Core.Work;
using Junction.Runtime.Work;
using Microsoft.Extensions.Logging.Abstractions;

namespace Junction.Verification.Tests.Work;

/// <summary>The leased-work runner on its own, over an in-memory queue and a handler the test controls.</summary>
public sealed class LeasedWorkerTests
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(s_start);
    private readonly MemoryQueue _queue = new();

    [Fact]
    public async Task Run_NeverHandlesMoreThanItsSlotsAtOnce()
    {
        _queue.Add(Enumerable.Range(0, 10).Select(i => $"item{i}"));
        var handler = new BlockingHandler();
        using var worker = NewWorker(handler, new LeasedWorkerOptions { Concurrency = 3, PollInterval = TimeSpan.FromSeconds(1) });

        await worker.StartAsync(CancellationToken.None);
        await WaitForAsync(() => handler.Running == 3);
        await Task.Delay(100);
        Assert.Equal(3, handler.Running);
        Assert.Equal(3, _queue.Claimed);

        handler.ReleaseAll();
        await WaitForAsync(() => handler.Finished == 10);
        Assert.Equal(3, handler.MaxRunning);
        await worker.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Handle_PastTheHardStop_DeadlineCancelled_NotStopping()
    {
        _queue.Add(["slow"]);
        var handler = new BlockingHandler();
        using var worker = NewWorker(handler, new LeasedWorkerOptions { HardStop = TimeSpan.FromSeconds(10), LeaseDuration = TimeSpan.FromSeconds(30) });
        var lease = Assert.Single(await _queue.ClaimAsync("n", s_start, TimeSpan.FromSeconds(30), 1, CancellationToken.None));

        var handling = worker.HandleAsync(lease, CancellationToken.None);
        await WaitForAsync(() => handler.Running == 1);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(handling.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        await handling;

        Assert.Equal((true, false), handler.LastCancellation);
    }

    [Fact]
    public async Task Stop_ReleasesTheNodesLeases()
    {
        _queue.Add(["a"]);
        var handler = new BlockingHandler();
        using var worker = NewWorker(handler, new LeasedWorkerOptions());
        await worker.StartAsync(CancellationToken.None);
        await WaitForAsync(() => handler.Running == 1);

        handler.ReleaseAll();
        await worker.StopAsync(CancellationToken.None);

        Assert.Equal([worker.Node], _queue.Released);
    }

    [Fact]
    public async Task HandedWorkWithoutEnd_DoesNotHoldBackTheClaim()
    {
        // Handed work for every free slot, always: the queue's due items must still be claimed and run.
        _queue.Add(Enumerable.Range(0, 5).Select(i => $"due{i}"));
        var local = new EndlessLocal();
        var handler = new CountingHandler();
        using var worker = new LeasedWorker<string>(
            "test", _queue, handler, new WorkSignal(), new LeasedWorkerOptions { Concurrency = 4 }, new NodeId(), _time, NullLogger.Instance, local);

        await worker.StartAsync(CancellationToken.None);
        await WaitForAsync(() => handler.Handled.Count(i => i.StartsWith("due", StringComparison.Ordinal)) == 5);
        await worker.StopAsync(CancellationToken.None);

        Assert.True(local.Taken > 0);
        Assert.True(local.Opened && local.Closed);
    }

    [Fact]
    public async Task AClaimWaitingForTheDatabase_DoesNotHoldBackHandedWork()
    {
        // The claim blocks (a write queued behind a burst on SQLite's one writer): handed work is started meanwhile,
        // including work handed over after the claim began; what the claim took runs when it answers.
        _queue.Add(["due0", "due1"]);
        _queue.ClaimGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var local = new ListLocal(["handed0", "handed1"]);
        var handler = new CountingHandler();
        using var signal = new WorkSignal();
        using var worker = new LeasedWorker<string>(
            "test", _queue, handler, signal, new LeasedWorkerOptions { Concurrency = 4 }, new NodeId(), _time, NullLogger.Instance, local);

        await worker.StartAsync(CancellationToken.None);
        await WaitForAsync(() => handler.Handled.Count == 2 && _queue.ClaimsWaiting == 1);
        local.Add("handed2");
        signal.Notify();
        await WaitForAsync(() => handler.Handled.Count == 3);
        Assert.Equal(["handed0", "handed1", "handed2"], handler.Handled.Order());
        Assert.Equal(1, _queue.ClaimsWaiting);

        _queue.ClaimGate.SetResult();
        await WaitForAsync(() => handler.Handled.Count == 5);
        await worker.StopAsync(CancellationToken.None);
        Assert.Equal(["due0", "due1"], handler.Handled.Where(i => i.StartsWith("due", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public void New_HardStopNotInsideTheLease_Refused() =>
        Assert.Throws<ArgumentException>(() => NewWorker(new BlockingHandler(), new LeasedWorkerOptions { HardStop = TimeSpan.FromSeconds(30), LeaseDuration = TimeSpan.FromSeconds(30) }));

    private LeasedWorker<string> NewWorker(ILeasedHandler<string> handler, LeasedWorkerOptions options) =>
        new("test", _queue, handler, new WorkSignal(), options, new NodeId(), _time, NullLogger.Instance);

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    private sealed class MemoryQueue : ILeasedQueue<string>
    {
        private readonly ConcurrentQueue<string> _due = new();
        private int _claimed;
        private int _claimsWaiting;

        public int Claimed => Volatile.Read(ref _claimed);

        /// <summary>While set and not completed, a claim waits for it (as for a database that is busy).</summary>
        public TaskCompletionSource? ClaimGate { get; set; }

        public int ClaimsWaiting => Volatile.Read(ref _claimsWaiting);

        public ConcurrentBag<string> Released { get; } = [];

        public void Add(IEnumerable<string> items)
        {
            foreach (var item in items)
            {
                _due.Enqueue(item);
            }
        }

        public async Task<IReadOnlyList<Lease<string>>> ClaimAsync(string node, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
        {
            if (ClaimGate is { Task.IsCompleted: false } gate)
            {
                Interlocked.Increment(ref _claimsWaiting);
                await gate.Task.WaitAsync(cancellationToken);
                Interlocked.Decrement(ref _claimsWaiting);
            }

            var taken = new List<Lease<string>>();
            while (taken.Count < max && _due.TryDequeue(out var item))
            {
                taken.Add(new Lease<string>(item, Guid.NewGuid().ToString("N"), 0, now + lease));
                Interlocked.Increment(ref _claimed);
            }

            return taken;
        }

        public Task ReleaseAsync(string node, DateTimeOffset now, CancellationToken cancellationToken)
        {
            Released.Add(node);
            return Task.CompletedTask;
        }
    }

    /// <summary>A local source that always has as much handed work as asked for.</summary>
    private sealed class EndlessLocal : ILocalLeases<string>
    {
        private int _taken;

        public int Taken => Volatile.Read(ref _taken);

        public bool Opened { get; private set; }

        public bool Closed { get; private set; }

        public void Open() => Opened = true;

        public Task CloseAsync(TimeSpan wait)
        {
            Closed = true;
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<Lease<string>>> TakeAsync(int max, TimeSpan left, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref _taken, max);
            return Task.FromResult<IReadOnlyList<Lease<string>>>(
                [.. Enumerable.Range(0, max).Select(_ => new Lease<string>("handed", "t", 0, s_start.AddMinutes(1)))]);
        }
    }

    /// <summary>A local source with the handed work the test gives it.</summary>
    private sealed class ListLocal(IEnumerable<string> items) : ILocalLeases<string>
    {
        private readonly ConcurrentQueue<string> _items = new(items);

        public void Add(string item) => _items.Enqueue(item);

        public void Open()
        {
        }

        public Task CloseAsync(TimeSpan wait) => Task.CompletedTask;

        public Task<IReadOnlyList<Lease<string>>> TakeAsync(int max, TimeSpan left, CancellationToken cancellationToken)
        {
            var taken = new List<Lease<string>>();
            while (taken.Count < max && _items.TryDequeue(out var item))
            {
                taken.Add(new Lease<string>(item, "t", 0, s_start.AddMinutes(1)));
            }

            return Task.FromResult<IReadOnlyList<Lease<string>>>(taken);
        }
    }

    private sealed class CountingHandler : ILeasedHandler<string>
    {
        public ConcurrentQueue<string> Handled { get; } = new();

        public async Task HandleAsync(Lease<string> lease, CancellationToken deadline, CancellationToken stopping)
        {
            await Task.Yield();
            Handled.Enqueue(lease.Item);
        }
    }

    private sealed class BlockingHandler : ILeasedHandler<string>
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _running;
        private int _maxRunning;
        private int _finished;

        public int Running => Volatile.Read(ref _running);

        public int MaxRunning => Volatile.Read(ref _maxRunning);

        public int Finished => Volatile.Read(ref _finished);

        public (bool Deadline, bool Stopping) LastCancellation { get; private set; }

        public void ReleaseAll() => _gate.TrySetResult();

        public async Task HandleAsync(Lease<string> lease, CancellationToken deadline, CancellationToken stopping)
        {
            var now = Interlocked.Increment(ref _running);
            int seen;
            while (now > (seen = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, now, seen) != seen)
            {
            }

            try
            {
                await _gate.Task.WaitAsync(deadline);
            }
            catch (OperationCanceledException)
            {
                LastCancellation = (deadline.IsCancellationRequested, stopping.IsCancellationRequested);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
                Interlocked.Increment(ref _finished);
            }
        }
    }
}
