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

        public int Claimed => Volatile.Read(ref _claimed);

        public ConcurrentBag<string> Released { get; } = [];

        public void Add(IEnumerable<string> items)
        {
            foreach (var item in items)
            {
                _due.Enqueue(item);
            }
        }

        public Task<IReadOnlyList<Lease<string>>> ClaimAsync(string node, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
        {
            var taken = new List<Lease<string>>();
            while (taken.Count < max && _due.TryDequeue(out var item))
            {
                taken.Add(new Lease<string>(item, Guid.NewGuid().ToString("N"), 0, now + lease));
                Interlocked.Increment(ref _claimed);
            }

            return Task.FromResult<IReadOnlyList<Lease<string>>>(taken);
        }

        public Task ReleaseAsync(string node, DateTimeOffset now, CancellationToken cancellationToken)
        {
            Released.Add(node);
            return Task.CompletedTask;
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
