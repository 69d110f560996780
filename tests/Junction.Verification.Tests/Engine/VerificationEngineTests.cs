using Junction.Core.Connections;
using Junction.Core.Networks;
using Junction.Core.Verification;
using Junction.Core.Work;
using Junction.Storage.Sqlite;
using Junction.Testing;
using Junction.Verification.Engine;

namespace Junction.Verification.Tests.Engine;

public sealed class VerificationEngineTests : IDisposable
{
    private readonly MockKafkaCluster _cluster = new();
    private readonly EngineFixture _fixture = new();

    public void Dispose()
    {
        _fixture.Dispose();
        _cluster.Dispose();
    }

    [Fact]
    public async Task Reachable_PendingBecomesReady_WithHistory()
    {
        var connection = await _fixture.AddKafkaAsync("ok", _cluster.Bootstrap);
        var engine = _fixture.NewEngine();

        Assert.Equal(1, await engine.RunOnceAsync(CancellationToken.None));

        var after = await _fixture.GetAsync(connection);
        Assert.Equal(ConnectionState.Ready, after.State);
        Assert.Null(after.Error);
        var record = Assert.Single(await _fixture.Store.HistoryAsync(connection.Id, 10, CancellationToken.None));
        Assert.Equal((ConnectionState.Pending, ConnectionState.Ready, true), (record.From, record.To, record.Ok));
        Assert.Equal(engine.Node, record.Node);
        Assert.Contains("network not checked", record.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingListening_PendingBecomesFailed_WithReason()
    {
        var connection = await _fixture.AddKafkaAsync("down", "127.0.0.1:1");

        await _fixture.NewEngine().RunOnceAsync(CancellationToken.None);

        var after = await _fixture.GetAsync(connection);
        Assert.Equal(ConnectionState.Failed, after.State);
        Assert.Equal(VerificationCodes.KafkaUnreachable, after.Error?.Code);
        Assert.Contains("127.0.0.1:1", after.Error?.Message + after.Error?.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryProbe_IsATraceSpan_WithTheConnectionAndItsResult()
    {
        var spans = new System.Collections.Concurrent.ConcurrentBag<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == Junction.Core.Telemetry.JunctionActivities.SourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var connection = await _fixture.AddKafkaAsync("traced", "127.0.0.1:1");

        await _fixture.NewEngine().RunOnceAsync(CancellationToken.None);

        var span = Assert.Single(spans, s => (string?)s.GetTagItem("junction.connection.id") == connection.Id);
        Assert.Equal("junction.verify", span.OperationName);
        Assert.Equal(VerificationCodes.KafkaUnreachable, span.GetTagItem("junction.verification.code"));
        Assert.Equal("Failed", span.GetTagItem("junction.connection.state"));
        Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, span.Status);
    }

    [Fact]
    public async Task BrokerDownAfterReady_FailsOnNextCheck_ThenRecovers()
    {
        var connection = await _fixture.AddKafkaAsync("flaky", _cluster.Bootstrap);
        var engine = _fixture.NewEngine();
        await engine.RunOnceAsync(CancellationToken.None);
        Assert.Equal(ConnectionState.Ready, (await _fixture.GetAsync(connection)).State);

        _cluster.SetAllBrokersDown();
        Assert.Equal(0, await engine.RunOnceAsync(CancellationToken.None));
        _fixture.Time.Advance(_fixture.Options.RecheckInterval * 1.1);
        Assert.Equal(1, await engine.RunOnceAsync(CancellationToken.None));
        Assert.Equal(ConnectionState.Failed, (await _fixture.GetAsync(connection)).State);

        _cluster.SetAllBrokersUp();
        _fixture.Time.Advance(_fixture.Options.InitialBackoff);
        Assert.Equal(1, await engine.RunOnceAsync(CancellationToken.None));
        var recovered = await _fixture.GetAsync(connection);
        Assert.Equal(ConnectionState.Ready, recovered.State);
        Assert.Null(recovered.Error);

        var history = await _fixture.Store.HistoryAsync(connection.Id, 10, CancellationToken.None);
        Assert.Equal(
            [(ConnectionState.Failed, ConnectionState.Ready), (ConnectionState.Ready, ConnectionState.Failed), (ConnectionState.Pending, ConnectionState.Ready)],
            history.Select(h => (h.From, h.To)));
    }

    [Fact]
    public async Task StrictMode_UnknownNetwork_Fails_DeclaredNetwork_Passes()
    {
        using var fixture = new EngineFixture(new NetworkOptions
        {
            Mode = NetworkMode.Strict,
            Vpcs = [new VpcOptions { Id = "vpc-1", Shared = true, Cidr = "127.0.0.0/8", Subnets = [new SubnetOptions { Id = "subnet-1" }] }],
        });
        var unknown = await fixture.AddKafkaAsync("unknown", _cluster.Bootstrap, vpc: "vpc-9");
        var wrongSubnet = await fixture.AddKafkaAsync("wrong-subnet", _cluster.Bootstrap, subnet: "subnet-9");
        var declared = await fixture.AddKafkaAsync("declared", _cluster.Bootstrap);

        await fixture.NewEngine().RunOnceAsync(CancellationToken.None);

        var failed = await fixture.GetAsync(unknown);
        Assert.Equal(VerificationCodes.NetworkUnknown, failed.Error?.Code);
        Assert.Contains("VPC 'vpc-9' is not declared", failed.Error?.Message, StringComparison.Ordinal);
        Assert.Contains("subnet 'subnet-9' is not declared", (await fixture.GetAsync(wrongSubnet)).Error?.Message, StringComparison.Ordinal);
        Assert.Equal(ConnectionState.Ready, (await fixture.GetAsync(declared)).State);
    }

    [Fact]
    public async Task Lease_HeldByOneNode_IsNotClaimedByAnother_UntilItExpires()
    {
        await _fixture.AddKafkaAsync("leased", _cluster.Bootstrap);
        using var secondHandle = new SqliteDatabase(_fixture.Database.Path);
        var nodeA = _fixture.NewEngine();
        var nodeB = _fixture.NewEngine(secondHandle);
        var storeB = new Junction.Storage.Sql.SqlVerificationStore(secondHandle);

        var leaseA = Assert.Single(await _fixture.Store.ClaimAsync(nodeA.Node, _fixture.Time.GetUtcNow(), _fixture.Options.LeaseDuration, 10, CancellationToken.None));
        Assert.Empty(await storeB.ClaimAsync(nodeB.Node, _fixture.Time.GetUtcNow(), _fixture.Options.LeaseDuration, 10, CancellationToken.None));

        // Node A "crashes": its lease runs out and node B takes the work.
        _fixture.Time.Advance(_fixture.Options.LeaseDuration + TimeSpan.FromSeconds(1));
        var leaseB = Assert.Single(await storeB.ClaimAsync(nodeB.Node, _fixture.Time.GetUtcNow(), _fixture.Options.LeaseDuration, 10, CancellationToken.None));
        Assert.NotEqual(leaseA.Token, leaseB.Token);

        // A late result from node A is fenced off; node B's is recorded.
        var now = _fixture.Time.GetUtcNow();
        var late = VerificationHandler.Decide(leaseA, VerificationResult.Success("late"), nodeA.Node, now, now, _fixture.Options, 0.5);
        Assert.False(await _fixture.Store.CompleteAsync(leaseA, late, CancellationToken.None));
        await nodeB.HandleAsync(leaseB, CancellationToken.None);
        var record = Assert.Single(await _fixture.Store.HistoryAsync(leaseA.Item.Id, 10, CancellationToken.None));
        Assert.Equal(nodeB.Node, record.Node);
    }

    [Fact]
    public async Task Release_GivesLeasesBackAtOnce()
    {
        await _fixture.AddKafkaAsync("released", _cluster.Bootstrap);
        Assert.Single(await _fixture.Store.ClaimAsync("node-a", _fixture.Time.GetUtcNow(), TimeSpan.FromHours(1), 10, CancellationToken.None));

        await _fixture.Store.ReleaseAsync("node-a", _fixture.Time.GetUtcNow(), CancellationToken.None);

        Assert.Single(await _fixture.Store.ClaimAsync("node-b", _fixture.Time.GetUtcNow(), TimeSpan.FromHours(1), 10, CancellationToken.None));
    }

    [Fact]
    public async Task Claims_FromTwoNodesInParallel_NeverOverlap()
    {
        for (var i = 0; i < 60; i++)
        {
            await _fixture.AddKafkaAsync($"c{i}", _cluster.Bootstrap);
        }

        using var secondHandle = new SqliteDatabase(_fixture.Database.Path);
        var storeB = new Junction.Storage.Sql.SqlVerificationStore(secondHandle);
        var now = _fixture.Time.GetUtcNow();
        var claims = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() =>
            (i % 2 == 0 ? _fixture.Store : storeB).ClaimAsync($"node-{i}", now, TimeSpan.FromMinutes(1), 7, CancellationToken.None))));

        var ids = claims.SelectMany(c => c).Select(l => l.Item.Id).ToList();
        Assert.Equal(60, ids.Count);
        Assert.Equal(60, ids.Distinct().Count());
    }

    [Fact]
    public async Task Claim_OneTenantsBacklog_DoesNotHoldBackAnotherTenant()
    {
        // Tenant t1 has 100 due connections created first; t2's one connection is the newest of all.
        for (var i = 0; i < 100; i++)
        {
            await _fixture.AddKafkaAsync($"busy{i}", "127.0.0.1:1");
            _fixture.Time.Advance(TimeSpan.FromMilliseconds(1));
        }

        await _fixture.AddTenantAsync("t2");
        var other = await _fixture.AddKafkaAsync("other", "127.0.0.1:1", tenant: "t2");

        var first = await _fixture.Store.ClaimAsync("node-a", _fixture.Time.GetUtcNow(), TimeSpan.FromMinutes(1), 16, CancellationToken.None);

        Assert.Equal(16, first.Count);
        Assert.Contains(first, l => l.Item.Id == other.Id);
        // Within a tenant, oldest first.
        Assert.Equal([.. first.Where(l => l.Item.TenantId == "t1").Select(l => l.Item.Name)], Enumerable.Range(0, 15).Select(i => $"busy{i}"));
    }

    [Fact]
    public void Decide_Ready_RechecksAroundTheInterval()
    {
        var options = new VerificationOptions { RecheckInterval = TimeSpan.FromMinutes(10) };
        var lease = Lease(ConnectionState.Pending, attempts: 3);

        var low = VerificationHandler.Decide(lease, VerificationResult.Success("ok"), "n", EngineFixture.Start, EngineFixture.Start, options, 0);
        var high = VerificationHandler.Decide(lease, VerificationResult.Success("ok"), "n", EngineFixture.Start, EngineFixture.Start, options, 1);

        Assert.Equal(ConnectionState.Ready, low.State);
        Assert.Equal(0, low.Attempts);
        Assert.Equal(EngineFixture.Start + TimeSpan.FromMinutes(9), low.NextCheckAt);
        Assert.Equal(EngineFixture.Start + TimeSpan.FromMinutes(11), high.NextCheckAt);
    }

    [Theory]
    [InlineData(0, 1, 5)]
    [InlineData(1, 2, 10)]
    [InlineData(2, 3, 20)]
    [InlineData(5, 6, 160)]
    [InlineData(6, 7, 300)]
    [InlineData(40, 41, 300)]
    public void Decide_Failure_BacksOffExponentiallyUpToTheCap(int attempts, int expectedAttempts, int seconds)
    {
        var options = new VerificationOptions { InitialBackoff = TimeSpan.FromSeconds(5), MaxBackoff = TimeSpan.FromMinutes(5) };
        var lease = Lease(ConnectionState.Ready, attempts);

        var noJitter = VerificationHandler.Decide(lease, VerificationResult.Failure("X", "down"), "n", EngineFixture.Start, EngineFixture.Start, options, 0);
        var fullJitter = VerificationHandler.Decide(lease, VerificationResult.Failure("X", "down"), "n", EngineFixture.Start, EngineFixture.Start, options, 1);

        Assert.Equal(ConnectionState.Failed, noJitter.State);
        Assert.Equal(expectedAttempts, noJitter.Attempts);
        Assert.Equal(new ConnectionError("X", "down", ""), noJitter.Error);
        Assert.Equal(EngineFixture.Start + TimeSpan.FromSeconds(seconds), noJitter.NextCheckAt);
        Assert.Equal(EngineFixture.Start + TimeSpan.FromSeconds(seconds / 2.0), fullJitter.NextCheckAt);
        Assert.Equal((ConnectionState.Ready, ConnectionState.Failed), (noJitter.Record.From, noJitter.Record.To));
    }

    private static Lease<Connection> Lease(ConnectionState state, int attempts) => new(
        new Connection
        {
            Id = "c1",
            TenantId = "t1",
            Scope = Scopes.HuaweiEg,
            Name = "n",
            Kind = "KAFKA",
            State = state,
            CreatedAt = EngineFixture.Start,
            UpdatedAt = EngineFixture.Start,
        },
        "token", attempts, EngineFixture.Start.AddMinutes(1));
}
