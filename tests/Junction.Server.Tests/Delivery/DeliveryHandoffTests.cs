using Junction.Core.Delivery;
using Junction.Core.Telemetry;
using Junction.Core.Work;
using Junction.Delivery;
using Junction.Storage.Sql;
using Junction.Storage.Sqlite;
using Junction.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Junction.Server.Tests.Delivery;

/// <summary>
/// The publisher's hand-over of fresh jobs to its own node's worker, over a real SQLite file: room is granted only
/// while the worker runs, within its bound; jobs are taken per connection within the connection's limit, in turns;
/// one whose lease would end before its hard stop is not run from memory (a claim takes it when the lease ends).
/// </summary>
public sealed class DeliveryHandoffTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ConnectionLimiter _limiter = new(new DeliverySignal());
    private readonly JunctionMetrics _metrics = new();
    private readonly NodeId _node = new();
    private SqliteDatabase _database = null!;
    private SqlDeliveryStore _store = null!;

    public async Task InitializeAsync()
    {
        _database = new SqliteDatabase(Path.Combine(_directory.Path, "junction.db"));
        await new Migrator(_database, _time, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        _store = new SqlDeliveryStore(_database);
    }

    public Task DisposeAsync()
    {
        _database.Dispose();
        _metrics.Dispose();
        _directory.Dispose();
        return Task.CompletedTask;
    }

    private DeliveryHandoff Handoff(int concurrency = 4, int perConnection = 2) => new(
        _store, _limiter, Options.Create(new DeliveryOptions { Concurrency = concurrency, MaxInFlightPerConnection = perConnection }),
        _node, _time, _metrics);

    private DeliveryOutbox Outbox(IDeliveryHandoff handoff) => new(_store, handoff, new DeliverySignal(), _time);

    private static AcceptedEvent Event(string id, params string[] connections) =>
        new("t1", "c1", "shop", id, "t", null, System.Text.Encoding.UTF8.GetBytes($"{{\"id\":\"{id}\"}}"),
            [.. connections.Select(c => new NewDelivery("s1", "target-1", c))]);

    [Fact]
    public async Task Closed_GrantsNothing_AndJobsAreWrittenDueForAClaim()
    {
        var handoff = Handoff();
        Assert.Null(handoff.Reserve(1));

        await Outbox(handoff).AppendAsync([Event("e1", "a")], CancellationToken.None);

        Assert.Empty(await handoff.TakeAsync(10, TimeSpan.FromSeconds(15), CancellationToken.None));
        Assert.Single(await _store.ClaimAsync("other", _time.GetUtcNow(), TimeSpan.FromMinutes(1), 10, CancellationToken.None));
    }

    [Fact]
    public async Task Open_HandsJobsToTheWorker_WithinItsRoom_TheRestAreDue()
    {
        var handoff = Handoff(concurrency: 1);
        handoff.Open();
        var room = 1 * DeliveryHandoff.RoomPerSlot;

        await Outbox(handoff).AppendAsync([.. Enumerable.Range(0, room + 2).Select(i => Event($"e{i}", $"c{i}"))], CancellationToken.None);

        // The worker's room is taken: the next publish writes its job due.
        Assert.Null(handoff.Reserve(1));
        var due = await _store.ClaimAsync("other", _time.GetUtcNow(), TimeSpan.FromMinutes(1), 10, CancellationToken.None);
        Assert.Equal(2, due.Count);
        var taken = await handoff.TakeAsync(100, TimeSpan.FromSeconds(15), CancellationToken.None);
        Assert.Equal(room, taken.Count);
        Assert.Empty(taken.Select(t => t.Item.Id).Intersect(due.Select(d => d.Item.Id)));
        Assert.All(taken, t => Assert.StartsWith("{\"id\":\"e", System.Text.Encoding.UTF8.GetString(t.Item.Event), StringComparison.Ordinal));
        Assert.Equal(room, handoff.Taken);

        // Taken, the room is free again.
        Assert.NotNull(handoff.Reserve(1));
    }

    [Fact]
    public async Task Take_KeepsEachConnectionWithinItsLimit_ConnectionsInTurns()
    {
        var handoff = Handoff(concurrency: 8, perConnection: 2);
        handoff.Open();
        Assert.True(_limiter.TryEnter("busy", 2));
        Assert.True(_limiter.TryEnter("busy", 2));
        Assert.True(_limiter.TryEnter("half", 2));

        await Outbox(handoff).AppendAsync(
            [Event("e1", "a", "a", "a"), Event("e2", "busy", "half", "half"), Event("e3", "b")], CancellationToken.None);

        var first = await handoff.TakeAsync(3, TimeSpan.FromSeconds(15), CancellationToken.None);
        // Three slots: a's oldest, half's one place, b's — turns, not a's backlog first; busy's none.
        Assert.Equal(["a", "b", "half"], first.Select(l => l.Item.ConnectionKey).Order());
        var second = await handoff.TakeAsync(10, TimeSpan.FromSeconds(15), CancellationToken.None);
        Assert.Equal(["a"], second.Select(l => l.Item.ConnectionKey));

        // Once the busy connection has room, its job (and half's second) is run from here.
        _limiter.Exit("busy");
        _limiter.Exit("half");
        var third = await handoff.TakeAsync(10, TimeSpan.FromSeconds(15), CancellationToken.None);
        Assert.Equal(["busy", "half"], third.Select(l => l.Item.ConnectionKey).Order());
        Assert.Empty(await handoff.TakeAsync(10, TimeSpan.FromSeconds(15), CancellationToken.None));
    }

    [Fact]
    public async Task Requeue_AClaimedJobWhoseConnectionIsFull_WaitsHereUnderItsClaim_AndIsTakenWhenAPlaceFrees()
    {
        var handoff = Handoff(perConnection: 2);
        await Outbox(handoff).AppendAsync([Event("e1", "a")], CancellationToken.None);
        handoff.Open();
        var claimed = Assert.Single(await _store.ClaimAsync(_node.Value, _time.GetUtcNow(), TimeSpan.FromMinutes(1), 10, CancellationToken.None));
        Assert.True(_limiter.TryEnter("a", 2));
        Assert.True(_limiter.TryEnter("a", 2));

        // Its connection is full: it waits here, still leased to this node (not written back due for anyone).
        Assert.True(handoff.Requeue(claimed));
        Assert.Empty(await handoff.TakeAsync(10, TimeSpan.FromSeconds(15), CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(await _store.ClaimAsync("other", _time.GetUtcNow(), TimeSpan.FromMinutes(1), 10, CancellationToken.None));

        _limiter.Exit("a");
        var taken = Assert.Single(await handoff.TakeAsync(10, TimeSpan.FromSeconds(15), CancellationToken.None));
        Assert.Equal((claimed.Item.Id, claimed.Token, true), (taken.Item.Id, taken.Token, taken.Item.HoldsConnectionPlace));
        Assert.Equal(2, _limiter.InFlight("a"));

        // Stopping, it takes nothing back: the caller writes the job back due.
        await handoff.CloseAsync(TimeSpan.Zero);
        Assert.False(handoff.Requeue(claimed));
    }

    [Fact]
    public async Task APlaceFreed_WakesTheWorker()
    {
        using var signal = new DeliverySignal();
        var limiter = new ConnectionLimiter(signal);
        Assert.True(limiter.TryEnter("a", 1));
        var waiting = signal.WaitAsync(TimeSpan.FromHours(1), TimeProvider.System, CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        limiter.Exit("a");
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AJobWhoseLeaseWouldEndBeforeItsHardStop_IsLeftForTheClaim_WhenTheLeaseEnds()
    {
        var handoff = Handoff();
        handoff.Open();
        await Outbox(handoff).AppendAsync([Event("e1", "a")], CancellationToken.None);

        // The default lease is 60 s; 50 s later a 15 s hard stop no longer fits inside it.
        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.Empty(await handoff.TakeAsync(10, TimeSpan.FromSeconds(15), CancellationToken.None));
        Assert.Empty(await _store.ClaimAsync("other", _time.GetUtcNow(), TimeSpan.FromMinutes(1), 10, CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(11));
        var claimed = Assert.Single(await _store.ClaimAsync("other", _time.GetUtcNow(), TimeSpan.FromMinutes(1), 10, CancellationToken.None));
        Assert.Equal("a", claimed.Item.ConnectionKey);
    }

    [Fact]
    public async Task Close_ForgetsWhatWaits_GrantsNoMore_AndTheReleaseMakesItDueAtOnce()
    {
        var handoff = Handoff();
        handoff.Open();
        await Outbox(handoff).AppendAsync([Event("e1", "a")], CancellationToken.None);
        var reserved = handoff.Reserve(1);
        Assert.NotNull(reserved);

        // Closing waits (here up to 200 ms) for the reservation being written, then gives up on it.
        var closing = handoff.CloseAsync(TimeSpan.FromMilliseconds(200));
        handoff.Cancel(reserved);
        await closing;

        Assert.Null(handoff.Reserve(1));
        Assert.Empty(await handoff.TakeAsync(10, TimeSpan.FromSeconds(15), CancellationToken.None));
        await _store.ReleaseAsync(_node.Value, _time.GetUtcNow(), CancellationToken.None);
        Assert.Single(await _store.ClaimAsync("other", _time.GetUtcNow(), TimeSpan.FromMinutes(1), 10, CancellationToken.None));
    }
}
