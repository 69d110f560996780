using Junction.Core.Connections;
using Junction.Core.Delivery;
using Junction.Core.Dli;
using Junction.Core.EventBuses;
using Junction.Core.Events;
using Junction.Core.Inventory;
using Junction.Core.Tenancy;
using Junction.Core.Verification;
using Junction.Core.Work;
using Junction.Storage.Sql;
using Microsoft.Extensions.Logging.Abstractions;

namespace Junction.Storage.Tests.Sql;

/// <summary>
/// The behaviour every storage backend must have, written once (style.md §13). A backend's test class supplies
/// fresh databases; everything else is shared.
/// </summary>
public abstract class StoreConformanceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    protected IDatabase Database { get; private set; } = null!;

    protected SqlConnectionStore Connections { get; private set; } = null!;

    protected SqlTenantStore Tenants { get; private set; } = null!;

    /// <summary>A new, empty database of the backend under test.</summary>
    protected abstract Task<IDatabase> CreateDatabaseAsync();

    /// <summary>A second handle on the same database, as another process would open it.</summary>
    protected abstract IDatabase OpenSecondHandle(IDatabase database);

    public async Task InitializeAsync()
    {
        Database = await CreateDatabaseAsync();
        await new Migrator(Database, new FakeTimeProvider(), NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        Connections = new SqlConnectionStore(Database);
        Tenants = new SqlTenantStore(Database);
        await AddTenantAsync("t1");
        await AddTenantAsync("t2");
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Migrate_Twice_AppliesNothingTheSecondTime()
    {
        var migrator = new Migrator(Database, new FakeTimeProvider(), NullLogger<Migrator>.Instance);

        Assert.Equal(0, await migrator.MigrateAsync(CancellationToken.None));
        Assert.Equal(Database.Migrations.Max(m => m.Version), await migrator.CurrentVersionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AccessKeys_Rotate_ReplacesInOneStep_OnlyTheTenantsOwn()
    {
        Assert.False(await Tenants.RotateAccessKeyAsync("t2", "AK-t1", new AccessKey("AK-x", "t2", "p", s_t0), CancellationToken.None));
        Assert.Null(await Tenants.FindAccessKeyAsync("AK-x", CancellationToken.None));

        Assert.True(await Tenants.RotateAccessKeyAsync("t1", "AK-t1", new AccessKey("AK-t1-new", "t1", "p", s_t0), CancellationToken.None));

        Assert.Equal(["AK-t1-new"], (await Tenants.ListAccessKeysAsync("t1", CancellationToken.None)).Select(k => k.Id));
    }

    [Fact]
    public async Task Users_AddListSetPasswordDelete()
    {
        Assert.True(await Tenants.AddUserAsync(new TenantUser("u2", "t1", "ops", "hash-1", s_t0.AddMinutes(1)), CancellationToken.None));
        Assert.False(await Tenants.AddUserAsync(new TenantUser("u3", "t1", "ops", "hash-x", s_t0), CancellationToken.None));
        Assert.True(await Tenants.AddUserAsync(new TenantUser("u4", "t2", "ops", "hash-2", s_t0), CancellationToken.None));

        Assert.Equal(["admin", "ops"], (await Tenants.ListUsersAsync("t1", CancellationToken.None)).Select(u => u.Name));
        Assert.True(await Tenants.SetPasswordHashAsync("t1", "ops", "hash-new", CancellationToken.None));
        Assert.False(await Tenants.SetPasswordHashAsync("t1", "nobody", "hash-new", CancellationToken.None));
        Assert.Equal("hash-new", (await Tenants.FindUserAsync("t1", "ops", CancellationToken.None))?.PasswordHash);
        Assert.Equal("hash-2", (await Tenants.FindUserAsync("t2", "ops", CancellationToken.None))?.PasswordHash);
        Assert.True(await Tenants.DeleteUserAsync("t1", "ops", CancellationToken.None));
        Assert.False(await Tenants.DeleteUserAsync("t1", "ops", CancellationToken.None));
        Assert.NotNull(await Tenants.FindUserAsync("t2", "ops", CancellationToken.None));
    }

    [Fact]
    public async Task Inventory_NetworksAndKafkaInstances()
    {
        var store = new SqlInventoryStore(Database);
        var ct = CancellationToken.None;
        Assert.Equal(InventoryWrite.Done, await store.AddNetworkAsync(new StoredNetwork("vpc-1", null, "prod", "10.0.0.0/16", s_t0, Tenant: "domain-t1"), ct));
        Assert.Equal(InventoryWrite.Done, await store.AddNetworkAsync(new StoredNetwork("vpc-shared", null, null, null, s_t0, Shared: true), ct));
        var owners = (await store.ListNetworksAsync(ct)).ToDictionary(n => n.Id, n => (n.Tenant, n.Shared));
        Assert.Equal(("domain-t1", false), owners["vpc-1"]);
        Assert.Equal(((string?)null, true), owners["vpc-shared"]);
        Assert.Equal(InventoryWrite.Done, await store.DeleteNetworkAsync("vpc-shared", ct));
        Assert.Equal(InventoryWrite.Done, await store.AddNetworkAsync(new StoredNetwork("subnet-1", "vpc-1", null, "10.0.1.0/24", s_t0.AddSeconds(1)), ct));
        Assert.Equal(InventoryWrite.Duplicate, await store.AddNetworkAsync(new StoredNetwork("vpc-1", null, null, null, s_t0), ct));
        Assert.Equal(InventoryWrite.MissingVpc, await store.AddNetworkAsync(new StoredNetwork("subnet-2", "vpc-none", null, null, s_t0), ct));
        Assert.Equal(InventoryWrite.MissingVpc, await store.AddNetworkAsync(new StoredNetwork("subnet-3", "subnet-1", null, null, s_t0), ct));
        Assert.Equal(InventoryWrite.HasSubnets, await store.DeleteNetworkAsync("vpc-1", ct));
        Assert.Equal(
            [("vpc-1", (string?)null, "10.0.0.0/16"), ("subnet-1", "vpc-1", "10.0.1.0/24")],
            (await store.ListNetworksAsync(ct)).Select(n => (n.Id, n.VpcId, n.Cidr)));
        Assert.Equal(InventoryWrite.Done, await store.DeleteNetworkAsync("subnet-1", ct));
        Assert.Equal(InventoryWrite.Done, await store.DeleteNetworkAsync("vpc-1", ct));
        Assert.Equal(InventoryWrite.NotFound, await store.DeleteNetworkAsync("vpc-1", ct));

        var instance = new StoredKafkaInstance("ckafka-1", "127.0.0.1:9092", "SASL_PLAINTEXT", "PLAIN", "alice", "protected", s_t0, s_t0, Tenant: "domain-t1");
        Assert.Equal(InventoryWrite.Done, await store.AddKafkaInstanceAsync(instance, ct));
        Assert.Equal(InventoryWrite.Duplicate, await store.AddKafkaInstanceAsync(instance, ct));
        Assert.Equal(InventoryWrite.Done, await store.UpdateKafkaInstanceAsync(
            instance with { UserName = "bob", UpdatedAt = s_t0.AddHours(1), CreatedAt = s_t0.AddDays(9), Tenant = null, Shared = true }, ct));
        Assert.Equal(InventoryWrite.NotFound, await store.UpdateKafkaInstanceAsync(instance with { Id = "ckafka-2" }, ct));
        var stored = Assert.Single(await store.ListKafkaInstancesAsync(ct));
        Assert.Equal(instance with { UserName = "bob", UpdatedAt = s_t0.AddHours(1), Tenant = null, Shared = true }, stored);
        Assert.Equal(InventoryWrite.Done, await store.DeleteKafkaInstanceAsync("ckafka-1", ct));
        Assert.Equal(InventoryWrite.NotFound, await store.DeleteKafkaInstanceAsync("ckafka-1", ct));
        Assert.Empty(await store.ListKafkaInstancesAsync(ct));
    }

    [Fact]
    public async Task Tenants_FoundByEachKey()
    {
        Assert.True(await Tenants.AnyTenantAsync(CancellationToken.None));
        Assert.Equal("t1", (await Tenants.FindByProjectIdAsync("project-t1", CancellationToken.None))?.Id);
        Assert.Equal("t2", (await Tenants.FindByAccountIdAsync("account-t2", CancellationToken.None))?.Id);
        Assert.Equal("t1", (await Tenants.FindByDomainNameAsync("domain-t1", CancellationToken.None))?.Id);
        Assert.Equal("t1", (await Tenants.FindAccessKeyAsync("AK-t1", CancellationToken.None))?.TenantId);
        Assert.Equal("user-t1", (await Tenants.FindUserAsync("t1", "admin", CancellationToken.None))?.Id);
        Assert.Null(await Tenants.FindUserAsync("t2", "nobody", CancellationToken.None));
        Assert.Null(await Tenants.FindByProjectIdAsync("missing", CancellationToken.None));
    }

    [Fact]
    public async Task AccessKeys_AddListDelete_PerTenant()
    {
        await Tenants.AddAccessKeyAsync(new AccessKey("AK-t1-b", "t1", "protected-b", s_t0.AddMinutes(1)), CancellationToken.None);

        Assert.Equal(["AK-t1", "AK-t1-b"], (await Tenants.ListAccessKeysAsync("t1", CancellationToken.None)).Select(k => k.Id));
        Assert.False(await Tenants.DeleteAccessKeyAsync("t2", "AK-t1", CancellationToken.None));
        Assert.True(await Tenants.DeleteAccessKeyAsync("t1", "AK-t1", CancellationToken.None));
        Assert.Null(await Tenants.FindAccessKeyAsync("AK-t1", CancellationToken.None));
        Assert.Equal(["t1", "t2"], (await Tenants.ListTenantsAsync(CancellationToken.None)).Select(t => t.Id));
    }

    [Fact]
    public async Task CreateTenant_WithATakenProjectId_AnswersFalse_AndStoresNothing()
    {
        var (tenant, key, user) = Third("project-t1");
        var stored = await Tenants.CreateTenantAsync(tenant, key, user, CancellationToken.None);

        Assert.False(stored);
        Assert.Null(await Tenants.FindTenantAsync("t3", CancellationToken.None));
        Assert.Null(await Tenants.FindAccessKeyAsync("AK-t3", CancellationToken.None));
    }

    [Fact]
    public async Task CreateFirstTenant_WhenTenantsExist_StoresNothing()
    {
        var (tenant, key, user) = Third("project-t3");
        var stored = await Tenants.CreateFirstTenantAsync(tenant, key, user, CancellationToken.None);

        Assert.False(stored);
        Assert.Null(await Tenants.FindTenantAsync("t3", CancellationToken.None));
    }

    [Fact]
    public async Task Create_RoundTripsEveryField()
    {
        var connection = NewConnection("t1", "full") with
        {
            Description = "desc",
            Kind = "KAFKA",
            Kafka = new KafkaTarget("inst", "127.0.0.1:9092", "SASL_SSL", true, "alice", "all"),
            ProtectedSecret = "cipher",
        };

        Assert.Equal(CreateOutcome.Created, await Connections.CreateAsync(connection, 10, CancellationToken.None));
        var read = await Connections.GetAsync("t1", Scopes.HuaweiEg, connection.Id, CancellationToken.None);

        // A new connection is due for its first check at once.
        Assert.Equal(connection with { NextCheckAt = connection.CreatedAt }, read);
    }

    [Fact]
    public async Task Create_NameIsUniquePerTenantAndFace()
    {
        Assert.Equal(CreateOutcome.Created, await Connections.CreateAsync(NewConnection("t1", "same"), 10, CancellationToken.None));
        Assert.Equal(CreateOutcome.NameTaken, await Connections.CreateAsync(NewConnection("t1", "same"), 10, CancellationToken.None));
        Assert.Equal(CreateOutcome.Created, await Connections.CreateAsync(NewConnection("t2", "same"), 10, CancellationToken.None));
    }

    [Fact]
    public async Task Create_QuotaCountsPerTenantAndDeleteFreesIt()
    {
        var first = NewConnection("t1", "a");
        Assert.Equal(CreateOutcome.Created, await Connections.CreateAsync(first, 2, CancellationToken.None));
        Assert.Equal(CreateOutcome.Created, await Connections.CreateAsync(NewConnection("t1", "b"), 2, CancellationToken.None));
        Assert.Equal(CreateOutcome.QuotaExceeded, await Connections.CreateAsync(NewConnection("t1", "c"), 2, CancellationToken.None));
        Assert.Equal(CreateOutcome.Created, await Connections.CreateAsync(NewConnection("t2", "c"), 2, CancellationToken.None));

        Assert.True(await Connections.DeleteAsync("t1", Scopes.HuaweiEg, first.Id, CancellationToken.None));
        Assert.False(await Connections.DeleteAsync("t1", Scopes.HuaweiEg, first.Id, CancellationToken.None));
        Assert.Equal(CreateOutcome.Created, await Connections.CreateAsync(NewConnection("t1", "c"), 2, CancellationToken.None));
    }

    [Fact]
    public async Task Create_RejectedByQuota_LeavesNothingBehind()
    {
        Assert.Equal(CreateOutcome.Created, await Connections.CreateAsync(NewConnection("t1", "a"), 1, CancellationToken.None));
        Assert.Equal(CreateOutcome.QuotaExceeded, await Connections.CreateAsync(NewConnection("t1", "b"), 1, CancellationToken.None));

        var page = await Connections.ListAsync(new ConnectionQuery("t1", Scopes.HuaweiEg, 0, 100), CancellationToken.None);
        Assert.Equal(1, page.Total);
    }

    [Fact]
    public async Task Create_ParallelFromTwoHandles_NeverPassesQuotaOrUniqueness()
    {
        var other = new SqlConnectionStore(OpenSecondHandle(Database));
        var attempts = Enumerable.Range(0, 40).Select(i =>
        {
            var store = i % 2 == 0 ? Connections : other;
            return Task.Run(() => store.CreateAsync(NewConnection("t1", $"n{i % 20}"), 7, CancellationToken.None));
        });

        var outcomes = await Task.WhenAll(attempts);

        Assert.Equal(7, outcomes.Count(o => o == CreateOutcome.Created));
        var page = await Connections.ListAsync(new ConnectionQuery("t1", Scopes.HuaweiEg, 0, 100), CancellationToken.None);
        Assert.Equal(7, page.Total);
        Assert.Equal(7, page.Items.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public async Task List_UnfilteredTotal_FollowsCreatesDeletesAndRefusals()
    {
        var query = new ConnectionQuery("t1", Scopes.HuaweiEg, 0, 2);
        Assert.Equal(0, (await Connections.ListAsync(query, CancellationToken.None)).Total);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var connection = NewConnection("t1", $"total-{i}");
            Assert.Equal(CreateOutcome.Created, await Connections.CreateAsync(connection, 100, CancellationToken.None));
            ids.Add(connection.Id);
        }

        Assert.Equal(CreateOutcome.NameTaken, await Connections.CreateAsync(NewConnection("t1", "total-0"), 100, CancellationToken.None));
        Assert.Equal(CreateOutcome.QuotaExceeded, await Connections.CreateAsync(NewConnection("t1", "over"), 5, CancellationToken.None));
        Assert.True(await Connections.DeleteAsync("t1", Scopes.HuaweiEg, ids[0], CancellationToken.None));
        Assert.False(await Connections.DeleteAsync("t1", Scopes.HuaweiEg, ids[0], CancellationToken.None));
        await Connections.CreateAsync(NewConnection("t2", "other-tenant"), 100, CancellationToken.None);

        var page = await Connections.ListAsync(query, CancellationToken.None);
        Assert.Equal(4, page.Total);
        Assert.Equal(2, page.Items.Count);
        Assert.Equal(1, (await Connections.ListAsync(query with { Name = "total-1" }, CancellationToken.None)).Total);
    }

    [Fact]
    public async Task List_SortsFiltersAndPages()
    {
        string[] names = ["delta", "alpha", "charlie", "bravo"];
        for (var i = 0; i < names.Length; i++)
        {
            var c = NewConnection("t1", names[i], s_t0.AddSeconds(i)) with
            {
                Kind = "KAFKA",
                Kafka = new KafkaTarget(i % 2 == 0 ? "even" : "odd", "127.0.0.1:9092", "PLAINTEXT", false, null, "1"),
            };
            await Connections.CreateAsync(c, 100, CancellationToken.None);
        }

        await Connections.CreateAsync(NewConnection("t2", "alpha"), 100, CancellationToken.None);

        async Task<string[]> NamesAsync(ConnectionQuery q) =>
            (await Connections.ListAsync(q, CancellationToken.None)).Items.Select(c => c.Name).ToArray();

        var q = new ConnectionQuery("t1", Scopes.HuaweiEg, 0, 100);
        Assert.Equal(["bravo", "charlie", "alpha", "delta"], await NamesAsync(q));
        Assert.Equal(["delta", "alpha", "charlie", "bravo"], await NamesAsync(q with { Descending = false }));
        Assert.Equal(["alpha", "bravo", "charlie", "delta"], await NamesAsync(q with { Sort = SortField.Name, Descending = false }));
        Assert.Equal(["charlie", "alpha"], await NamesAsync(q with { Offset = 1, Limit = 2 }));
        Assert.Equal(["delta", "charlie"], await NamesAsync(q with { NameContains = "a", InstanceId = "even" } with { Sort = SortField.Name, Descending = true }));
        Assert.Equal(["alpha"], await NamesAsync(q with { Name = "alpha" }));
        Assert.Empty(await NamesAsync(q with { NameContains = "ALPHA" }));
        Assert.Empty(await NamesAsync(q with { NameContains = "%" }));
        Assert.Equal(4, (await Connections.ListAsync(q with { Limit = 1 }, CancellationToken.None)).Total);
    }

    [Fact]
    public async Task UpdateDescription_ChangesDescriptionAndUpdatedAtOnly()
    {
        var c = NewConnection("t1", "upd");
        await Connections.CreateAsync(c, 10, CancellationToken.None);

        var updated = await Connections.UpdateAsync("t1", Scopes.HuaweiEg, c.Id, new ConnectionChanges(Description: "new"), s_t0.AddHours(1), CancellationToken.None);

        Assert.Equal(c with { Description = "new", UpdatedAt = s_t0.AddHours(1), NextCheckAt = c.CreatedAt }, updated);
        Assert.Null(await Connections.UpdateAsync("t2", Scopes.HuaweiEg, c.Id, new ConnectionChanges(Description: "x"), s_t0, CancellationToken.None));
    }

    /// <summary>Issue 14: DeleteEventBus racing CreateConnection left a connector on a deleted bus. One of the two wins.</summary>
    [Fact]
    public async Task EventBusDelete_RacingConnectorCreates_NeverLeavesAConnectorOnADeletedBus()
    {
        var handles = new[] { Database, OpenSecondHandle(Database) };
        for (var round = 0; round < 20; round++)
        {
            var busId = $"eb-race-{round}";
            Assert.Equal(BusCreateOutcome.Created, await new SqlEventBusStore(Database).CreateAsync(Bus("t1", busId), 1000, CancellationToken.None));
            var delete = Task.Run(() => new SqlEventBusStore(handles[round % 2]).DeleteAsync("t1", "ap-guangzhou", busId, CancellationToken.None));
            var create = Task.Run(() => new SqlConnectionStore(handles[(round + 1) % 2]).CreateAsync(
                NewConnection("t1", $"c-{round}") with { Scope = Scopes.TencentEbBus(busId) }, 10, CancellationToken.None));
            var (deleted, created) = (await delete, await create);

            var busGone = await new SqlEventBusStore(Database).GetAsync("t1", "ap-guangzhou", busId, CancellationToken.None) is null;
            var connectors = (await Connections.ListAsync(new ConnectionQuery("t1", Scopes.TencentEbBus(busId), 0, 10), CancellationToken.None)).Total;
            Assert.False(busGone && connectors > 0, $"round {round}: a connector survives on the deleted bus");
            Assert.Equal(deleted == BusDeleteOutcome.Deleted, busGone);
            Assert.Equal(created == CreateOutcome.Created, connectors == 1);
            Assert.True(deleted == BusDeleteOutcome.Deleted ^ created == CreateOutcome.Created || deleted == BusDeleteOutcome.InUse,
                $"round {round}: delete {deleted}, create {created}");
        }
    }

    /// <summary>Rules are written under their bus's lock and targets under their rule's: a racing delete never leaves children behind.</summary>
    [Fact]
    public async Task EbRuleAndTargetWrites_RacingDeletes_NeverLeaveChildrenOfADeletedParent()
    {
        var handles = new[] { Database, OpenSecondHandle(Database) };
        for (var round = 0; round < 20; round++)
        {
            var busId = $"eb-rules-{round}";
            Assert.Equal(BusCreateOutcome.Created, await new SqlEventBusStore(Database).CreateAsync(Bus("t1", busId), 1000, CancellationToken.None));
            var deleteBus = Task.Run(() => new SqlEventBusStore(handles[round % 2]).DeleteAsync("t1", "ap-guangzhou", busId, CancellationToken.None));
            var createRule = Task.Run(() => new SqlEbRuleStore(handles[(round + 1) % 2]).CreateRuleAsync(Rule("t1", busId, $"rule-b{round}"), 10, CancellationToken.None));
            var (busDeleted, ruleCreated) = (await deleteBus, await createRule);
            var busGone = await new SqlEventBusStore(Database).GetAsync("t1", "ap-guangzhou", busId, CancellationToken.None) is null;
            var rules = (await new SqlEbRuleStore(Database).ListRulesAsync("t1", busId, new EbPage(0, 10, SortField.CreatedTime, false), CancellationToken.None)).Total;
            Assert.False(busGone && rules > 0, $"round {round}: a rule survives on the deleted bus");
            Assert.Equal(busDeleted == BusDeleteOutcome.Deleted, busGone);
            Assert.Equal(ruleCreated == EbWriteOutcome.Done, rules == 1);

            if (busGone)
            {
                continue;
            }

            var ruleId = $"rule-b{round}";
            var deleteRule = Task.Run(() => new SqlEbRuleStore(handles[round % 2]).DeleteRuleAsync("t1", busId, ruleId, CancellationToken.None));
            var createTarget = Task.Run(() => new SqlEbRuleStore(handles[(round + 1) % 2]).CreateTargetAsync(Target("t1", busId, ruleId, $"target-{round}"), 10, CancellationToken.None));
            var (ruleDeleted, targetCreated) = (await deleteRule, await createTarget);
            var ruleGone = await new SqlEbRuleStore(Database).GetRuleAsync("t1", busId, ruleId, CancellationToken.None) is null;
            var targets = (await new SqlEbRuleStore(Database).ListTargetsAsync("t1", ruleId, new EbPage(0, 10, SortField.CreatedTime, false), CancellationToken.None)).Total;
            Assert.False(ruleGone && targets > 0, $"round {round}: a target survives on the deleted rule");
            Assert.Equal(ruleDeleted == EbWriteOutcome.Done, ruleGone);
            Assert.Equal(targetCreated == EbWriteOutcome.Done, targets == 1);
        }
    }

    [Fact]
    public async Task EbRules_QuotasNamesAndTransformations_AreCheckedByTheDatabase_PerTenant()
    {
        var rules = new SqlEbRuleStore(Database);
        await new SqlEventBusStore(Database).CreateAsync(Bus("t1", "eb-q"), 10, CancellationToken.None);
        Assert.Equal(EbWriteOutcome.Done, await rules.CreateRuleAsync(Rule("t1", "eb-q", "rule-1"), 2, CancellationToken.None));
        Assert.Equal(EbWriteOutcome.NameTaken, await rules.CreateRuleAsync(Rule("t1", "eb-q", "rule-2") with { Name = "rule-1" }, 2, CancellationToken.None));
        Assert.Equal(EbWriteOutcome.Done, await rules.CreateRuleAsync(Rule("t1", "eb-q", "rule-2"), 2, CancellationToken.None));
        Assert.Equal(EbWriteOutcome.QuotaExceeded, await rules.CreateRuleAsync(Rule("t1", "eb-q", "rule-3"), 2, CancellationToken.None));
        Assert.Equal(EbWriteOutcome.BusNotFound, await rules.CreateRuleAsync(Rule("t2", "eb-q", "rule-4"), 2, CancellationToken.None));

        Assert.Equal(EbWriteOutcome.Done, await rules.CreateTargetAsync(Target("t1", "eb-q", "rule-1", "target-1"), 1, CancellationToken.None));
        Assert.Equal(EbWriteOutcome.QuotaExceeded, await rules.CreateTargetAsync(Target("t1", "eb-q", "rule-1", "target-2"), 1, CancellationToken.None));
        Assert.Equal(EbWriteOutcome.InUse, await rules.DeleteRuleAsync("t1", "eb-q", "rule-1", CancellationToken.None));
        Assert.Equal(BusDeleteOutcome.InUse, await new SqlEventBusStore(Database).DeleteAsync("t1", "ap-guangzhou", "eb-q", CancellationToken.None));
        Assert.Null(await rules.GetTargetAsync("t2", "rule-1", "target-1", CancellationToken.None));
        Assert.Equal(EbWriteOutcome.TargetNotFound, await rules.DeleteTargetAsync("t2", "rule-1", "target-1", CancellationToken.None));

        Assert.Equal(EbWriteOutcome.Done, await rules.SetTransformationAsync("t1", "eb-q", "rule-1", "tsfm-1", "{}", create: true, s_t0, CancellationToken.None));
        Assert.Equal(EbWriteOutcome.Exists, await rules.SetTransformationAsync("t1", "eb-q", "rule-1", "tsfm-2", "{}", create: true, s_t0, CancellationToken.None));
        Assert.Equal(EbWriteOutcome.TransformationNotFound, await rules.SetTransformationAsync("t1", "eb-q", "rule-1", "tsfm-2", null, create: false, s_t0, CancellationToken.None));
        Assert.Equal(EbWriteOutcome.RuleNotFound, await rules.SetTransformationAsync("t2", "eb-q", "rule-1", "tsfm-1", null, create: false, s_t0, CancellationToken.None));
        var routes = await rules.RoutesAsync("t1", "eb-q", CancellationToken.None);
        var route = Assert.Single(routes);
        Assert.Equal(("rule-1", "tsfm-1"), (route.Rule.Id, route.Rule.TransformationId));
        Assert.Equal("target-1", Assert.Single(route.Targets).Id);
        Assert.Equal(EbWriteOutcome.Done, await rules.UpdateRuleAsync(route.Rule with { Enabled = false }, CancellationToken.None));
        Assert.Empty(await rules.RoutesAsync("t1", "eb-q", CancellationToken.None));
        Assert.True(await rules.HasRulesAsync("t1", "eb-q", CancellationToken.None));
    }

    private static EbRule Rule(string tenant, string bus, string id) => new()
    {
        Id = id, TenantId = tenant, BusId = bus, Name = id, Pattern = "{}", CreatedAt = s_t0, UpdatedAt = s_t0,
    };

    private static EbTarget Target(string tenant, string bus, string rule, string id) => new()
    {
        Id = id, TenantId = tenant, BusId = bus, RuleId = rule, Type = "cls", Description = "{}", CreatedAt = s_t0, UpdatedAt = s_t0,
    };

    private static Junction.Core.EventBuses.EventBus Bus(string tenant, string id) => new()
    {
        Id = id, TenantId = tenant, Region = "ap-guangzhou", Name = id, Type = Junction.Core.EventBuses.EventBusTypes.Custom, CreatedAt = s_t0, UpdatedAt = s_t0,
    };

    [Fact]
    public async Task ListAll_SpansTenantsAndScopes_FiltersByFaceStateAndTenant()
    {
        await Connections.CreateAsync(NewConnection("t1", "eg-a"), 10, CancellationToken.None);
        await Connections.CreateAsync(NewConnection("t2", "eg-b"), 10, CancellationToken.None);
        await new SqlEventBusStore(Database).CreateAsync(Bus("t1", "eb-1"), 10, CancellationToken.None);
        Assert.Equal(CreateOutcome.Created, await Connections.CreateAsync(NewConnection("t1", "eb-a") with { Scope = Scopes.TencentEbBus("eb-1") }, 10, CancellationToken.None));
        await Connections.CreateAsync(NewConnection("t1", "dli-a") with { Scope = Scopes.HuaweiDli }, 10, CancellationToken.None);
        await Connections.CreateAsync(NewConnection("t1", "dli-b") with { Scope = Scopes.HuaweiDliDeletedPrefix + "x", State = ConnectionState.Ready }, 10, CancellationToken.None);

        async Task<long> TotalAsync(AllConnectionsQuery q) => (await Connections.ListAllAsync(q, CancellationToken.None)).Total;

        Assert.Equal(5, await TotalAsync(new AllConnectionsQuery(0, 100)));
        Assert.Equal(2, await TotalAsync(new AllConnectionsQuery(0, 100, Face: "eg")));
        Assert.Equal(1, await TotalAsync(new AllConnectionsQuery(0, 100, Face: "eb")));
        Assert.Equal(2, await TotalAsync(new AllConnectionsQuery(0, 100, Face: "dli")));
        Assert.Equal(1, await TotalAsync(new AllConnectionsQuery(0, 100, State: ConnectionState.Ready)));
        Assert.Equal(1, await TotalAsync(new AllConnectionsQuery(0, 100, Face: "eg", TenantId: "t2")));
        Assert.Single((await Connections.ListAllAsync(new AllConnectionsQuery(0, 1), CancellationToken.None)).Items);
        Assert.Equal(2, await TotalAsync(new AllConnectionsQuery(0, 100, Text: "dli-")));
        Assert.Equal(1, await TotalAsync(new AllConnectionsQuery(0, 100, Face: "eg", Text: "g-b")));
        Assert.Equal(0, await TotalAsync(new AllConnectionsQuery(0, 100, Text: "EG-B")));

        // The overview's counts: one query, by face and state, every scope of a face together.
        var counts = await Connections.CountByFaceAndStateAsync(CancellationToken.None);
        Assert.Equal(
            [("eg", ConnectionState.Pending, 2L), ("eb", ConnectionState.Pending, 1L), ("dli", ConnectionState.Pending, 1L), ("dli", ConnectionState.Ready, 1L)],
            counts.Select(c => (c.Face, c.State, c.Count)));
    }

    [Fact]
    public async Task FailingSince_IsTheCheckThatMovedAConnectionIntoFailed()
    {
        var verifications = new SqlVerificationStore(Database);
        var connection = NewConnection("t1", "flaky");
        await Connections.CreateAsync(connection, 10, CancellationToken.None);
        var at = s_t0;
        async Task CheckAsync(ConnectionState from, ConnectionState to)
        {
            at = at.AddMinutes(1);
            var lease = Assert.Single(await verifications.ClaimAsync("n1", at, TimeSpan.FromMinutes(1), 1, CancellationToken.None));
            var record = new VerificationRecord(0, connection.Id, "n1", at, at, from, to, to == ConnectionState.Ready, "C", "m", "d");
            Assert.True(await verifications.CompleteAsync(lease, new VerificationOutcome(to, null, 0, at, record), CancellationToken.None));
        }

        await CheckAsync(ConnectionState.Pending, ConnectionState.Failed);
        await CheckAsync(ConnectionState.Failed, ConnectionState.Ready);
        await CheckAsync(ConnectionState.Ready, ConnectionState.Failed);
        var since = at;
        await CheckAsync(ConnectionState.Failed, ConnectionState.Failed);

        var failing = await verifications.FailingSinceAsync([connection.Id, "unknown"], CancellationToken.None);
        Assert.Equal(since, Assert.Single(failing).Value);
        Assert.Empty(await verifications.FailingSinceAsync([], CancellationToken.None));
    }

    [Fact]
    public async Task Tenants_CannotReachEachOthersConnections()
    {
        var c = NewConnection("t1", "mine");
        await Connections.CreateAsync(c, 10, CancellationToken.None);

        Assert.Null(await Connections.GetAsync("t2", Scopes.HuaweiEg, c.Id, CancellationToken.None));
        Assert.False(await Connections.DeleteAsync("t2", Scopes.HuaweiEg, c.Id, CancellationToken.None));
        Assert.NotNull(await Connections.GetAsync("t1", Scopes.HuaweiEg, c.Id, CancellationToken.None));
    }

    [Fact]
    public async Task DliEditDetail_ConcurrentFromTwoHandles_LosesNoEdit()
    {
        var connection = NewConnection("t1", "dli") with { Scope = Scopes.HuaweiDli, Kind = "DLI" };
        Assert.Equal(CreateOutcome.Created, await Connections.CreateAsync(connection, 10, CancellationToken.None));
        var stores = new[] { new SqlDliStore(Database), new SqlDliStore(OpenSecondHandle(Database)) };

        var edits = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() => stores[i % 2].EditDetailAsync("t1", connection.Id,
            detail => new DetailEdit.Updated(detail with { Routes = [.. detail.Routes, new DliRoute($"r{i}", $"10.{i}.0.0/24", 0)] }),
            s_t0, CancellationToken.None))));

        Assert.All(edits, e => Assert.IsType<DetailEdit.Updated>(e));
        var kept = await stores[0].EditDetailAsync("t1", connection.Id, detail => new DetailEdit.Refused(false, "read only"), s_t0, CancellationToken.None);
        Assert.IsType<DetailEdit.Refused>(kept);
        var stored = await Connections.FindAsync(connection.Id, CancellationToken.None);
        Assert.Equal(30, DliConnectionDetail.Parse(stored!.Detail).Routes.Select(r => r.Name).Distinct().Count());
    }

    /// <summary>Issue 14: a DLI create wrote the connection, its tags and its bindings in three transactions; a crash between them left a connection without them.</summary>
    [Fact]
    public async Task DliCreate_ConnectionTagsAndBindings_AreOneTransaction_AllOrNothing()
    {
        var dli = new SqlDliStore(Database);
        DliQueue Queue(string name, int mode) => new()
        {
            TenantId = "t1", Name = name, QueueId = 0, ResourceId = Guid.NewGuid().ToString(), QueueType = "sql", CuCount = 16, ResourceMode = mode, CreatedAt = s_t0,
        };
        Assert.Equal(QueueCreateOutcome.Created, await dli.CreateQueueAsync(Queue("dedicated", 1), 10, CancellationToken.None));
        Assert.Equal(QueueCreateOutcome.Created, await dli.CreateQueueAsync(Queue("shared", 0), 10, CancellationToken.None));
        KeyValuePair<string, string>[] tags = [new("team", "data")];
        DliBinding[] Bindings(Connection c, params string[] queues) => [.. queues.Select(q => new DliBinding(c.Id, q, Guid.NewGuid().ToString(), s_t0))];

        // A queue that cannot be bound refuses the whole create: no connection, no tags, no quota used.
        var refused = NewConnection("t1", "refused") with { Scope = Scopes.HuaweiDli };
        var (outcome, bind) = await dli.CreateConnectionAsync(refused, 1, tags, Bindings(refused, "dedicated", "shared"), CancellationToken.None);
        Assert.Equal(CreateOutcome.Refused, outcome);
        Assert.Equal((BindOutcome.QueueNotDedicated, "shared"), (bind!.Outcome, bind.Queues[0]));
        Assert.Null(await Connections.FindAsync(refused.Id, CancellationToken.None));
        Assert.Empty(await dli.BindingsAsync([refused.Id], CancellationToken.None));
        Assert.Empty((await dli.ListConnectionIdsAsync("t1", false, null, tags, 0, null, CancellationToken.None)).Ids);
        Assert.Equal(0, await Connections.CountAsync("t1", Scopes.HuaweiDli, CancellationToken.None));

        // Everything at once: the connection, its tags and its binding (quota 1 is enough: the refusal used none).
        var created = NewConnection("t1", "created") with { Scope = Scopes.HuaweiDli };
        (outcome, bind) = await dli.CreateConnectionAsync(created, 1, tags, Bindings(created, "dedicated"), CancellationToken.None);
        Assert.Equal((CreateOutcome.Created, BindOutcome.Bound), (outcome, bind!.Outcome));
        Assert.Equal("dedicated", Assert.Single(await dli.BindingsAsync([created.Id], CancellationToken.None)).QueueName);
        Assert.Equal([created.Id], (await dli.ListConnectionIdsAsync("t1", false, null, tags, 0, null, CancellationToken.None)).Ids);

        // The quota and the name are checked in the same transaction.
        var over = NewConnection("t1", "over") with { Scope = Scopes.HuaweiDli };
        Assert.Equal(CreateOutcome.QuotaExceeded, (await dli.CreateConnectionAsync(over, 1, tags, [], CancellationToken.None)).Outcome);
        Assert.Equal(CreateOutcome.NameTaken, (await dli.CreateConnectionAsync(created with { Id = "other" }, 5, tags, [], CancellationToken.None)).Outcome);
        Assert.Null(await Connections.FindAsync(over.Id, CancellationToken.None));
    }

    [Fact]
    public async Task DliQueues_CreatedConcurrentlyFromTwoHandles_NeverShareAQueueId()
    {
        var stores = new[] { new SqlDliStore(Database), new SqlDliStore(OpenSecondHandle(Database)) };

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => stores[i % 2].CreateQueueAsync(new DliQueue
        {
            TenantId = "t1",
            Name = $"q{i}",
            QueueId = 0,
            ResourceId = Guid.NewGuid().ToString(),
            QueueType = "sql",
            CuCount = 16,
            ResourceMode = 1,
            CreatedAt = s_t0,
        }, 100, CancellationToken.None))));

        Assert.All(outcomes, o => Assert.Equal(QueueCreateOutcome.Created, o));
        var ids = (await stores[0].ListQueuesAsync("t1", null, CancellationToken.None)).Select(q => q.QueueId).ToList();
        Assert.Equal(20, ids.Count);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), ids.Order());
    }

    [Fact]
    public async Task Deliveries_ClaimInTurnsPerConnection_RespectOwnerLimits_FenceCompletion_AndRedrive()
    {
        var eg = new SqlEgStore(Database);
        var deliveries = new SqlDeliveryStore(Database);
        var subscription = new EgDocument("t1", EgKinds.Subscription, "s1", "c1", "sub", true, "CREATED", null, "{}", s_t0, s_t0);
        var channel = new EgDocument("t1", EgKinds.Channel, "c1", null, "ch", true, "CUSTOM", null, "{}", s_t0, s_t0);
        Assert.Equal(EgWriteOutcome.Done, await eg.CreateAsync(channel, [], new EgQuota(10), CancellationToken.None));
        Assert.Equal(EgWriteOutcome.Done, await eg.CreateAsync(subscription, [], new EgQuota(10), CancellationToken.None));
        Assert.Equal(EgWriteOutcome.NameTaken, await eg.CreateAsync(channel with { Id = "c2" }, [], new EgQuota(10), CancellationToken.None));
        Assert.Equal(EgWriteOutcome.QuotaExceeded, await eg.CreateAsync(channel with { Id = "c3", Name = "other" }, [], new EgQuota(1), CancellationToken.None));
        Assert.Equal(EgWriteOutcome.ParentMissing,
            await eg.CreateAsync(subscription with { Id = "s2", Name = "sub2", ParentId = "nope" }, [], new EgQuota(10), CancellationToken.None));

        // Targets are found by the connection they use (the console's "what uses it").
        var target = new EgDocument("t1", EgKinds.Target, "tg1", "s1", "HTTPS", false, null, "conn-x", "{}", s_t0, s_t0);
        Assert.Equal(EgWriteOutcome.Done, await eg.CreateAsync(target, [], new EgQuota(10, PerParent: true), CancellationToken.None));
        Assert.Equal("tg1", Assert.Single(await eg.ReferencingAsync("t1", EgKinds.Target, "conn-x", 10, CancellationToken.None)).Id);
        Assert.Empty(await eg.ReferencingAsync("t2", EgKinds.Target, "conn-x", 10, CancellationToken.None));
        Assert.Empty(await eg.ReferencingAsync("t1", EgKinds.Target, "conn-y", 10, CancellationToken.None));

        // An optimistic replace that lost the race writes nothing.
        var changed = subscription with { Body = "{\"v\":2}", UpdatedAt = s_t0.AddSeconds(1) };
        Assert.Equal(EgWriteOutcome.Done, await eg.ReplaceAsync(changed, null, CancellationToken.None, s_t0));
        Assert.Equal(EgWriteOutcome.Conflict, await eg.ReplaceAsync(subscription with { Body = "{\"v\":3}" }, null, CancellationToken.None, s_t0));
        Assert.Equal("{\"v\":2}", (await eg.GetAsync("t1", EgKinds.Subscription, "s1", CancellationToken.None))!.Body);
        Assert.Equal(EgWriteOutcome.NotFound, await eg.ReplaceAsync(subscription with { Id = "none" }, null, CancellationToken.None, s_t0));

        // Connection A has a backlog of 6, B one job published later: B's job is in the first claim.
        var events = Enumerable.Range(0, 6).Select(i => Accepted($"a-{i}", "conn-a"))
            .Append(Accepted("b-0", "conn-b")).ToList();
        var seqs = await deliveries.AppendAsync(events, s_t0, CancellationToken.None);
        Assert.Equal(7, seqs.Distinct().Count());

        var first = await deliveries.ClaimAsync("n1", s_t0, TimeSpan.FromMinutes(1), 2, CancellationToken.None);
        Assert.Equal(["conn-a", "conn-b"], first.Select(l => l.Item.ConnectionKey).Order());

        // At most 2 per connection, none of a busy one.
        var limited = await deliveries.ClaimAsync("n1", s_t0, TimeSpan.FromMinutes(1), 10, new OwnerLimits(2, []), CancellationToken.None);
        Assert.Equal(2, limited.Count);
        // An owner with work in flight here takes what its limit leaves: 3 of 3 less 2 running (conn-a has 3 due).
        var leftover = await deliveries.ClaimAsync("n1", s_t0, TimeSpan.FromMinutes(1), 10, new OwnerLimits(3, [], new Dictionary<string, int> { ["conn-a"] = 2, ["conn-z"] = 1 }), CancellationToken.None);
        Assert.Equal("conn-a", Assert.Single(leftover).Item.ConnectionKey);
        Assert.Empty(await deliveries.ClaimAsync("n1", s_t0, TimeSpan.FromMinutes(1), 10, new OwnerLimits(3, [], new Dictionary<string, int> { ["conn-a"] = 3 }), CancellationToken.None));
        Assert.Equal(2, (await deliveries.ClaimAsync("n1", s_t0, TimeSpan.FromMinutes(1), 10, new OwnerLimits(3, [], new Dictionary<string, int> { ["conn-a"] = 1 }), CancellationToken.None)).Count);
        Assert.Empty(await deliveries.ClaimAsync("n1", s_t0, TimeSpan.FromMinutes(1), 10, new OwnerLimits(10, ["conn-a"]), CancellationToken.None));

        // A completion under a lease another node took over after expiry is not recorded.
        var lease = first.Single(l => l.Item.ConnectionKey == "conn-b");
        var later = s_t0.AddMinutes(2);
        var takeover = Assert.Single(await deliveries.ClaimAsync("n2", later, TimeSpan.FromMinutes(1), 10, new OwnerLimits(10, ["conn-a"]), CancellationToken.None));
        Assert.Equal(lease.Item.Id, takeover.Item.Id);
        var record = new AttemptRecord(lease.Item.Id, DeliveryPhase.Target, "n1", later, 5, AttemptKind.Terminal, "HTTP_404", "gone", 404);
        var failed = new DeliveryCompletion(DeliveryState.Failed, DeliveryPhase.Target, 1, 1, null, later, "HTTP_404: gone", record);
        Assert.False(await deliveries.CompleteAsync(lease, failed, CancellationToken.None));
        Assert.True(await deliveries.CompleteAsync(takeover, failed, CancellationToken.None));

        var (total, listed) = await deliveries.ListAsync(new DeliveryFilter(State: DeliveryState.Failed), 0, 10, CancellationToken.None);
        Assert.Equal(1, total);
        Assert.Equal("b-0", listed[0].EventId);
        Assert.Single(await deliveries.AttemptsAsync(takeover.Item.Id, CancellationToken.None));
        var minute = Assert.Single(await deliveries.MinutesAsync(later.AddMinutes(-1), CancellationToken.None));
        Assert.Equal((0, 0, 1, 0), (minute.Succeeded, minute.Retried, minute.Refused, minute.DeadLettered));
        Assert.Equal(later.ToUnixTimeMilliseconds() / 60_000 * 60_000, minute.Minute.ToUnixTimeMilliseconds());
        Assert.Empty(await deliveries.MinutesAsync(later.AddMinutes(1), CancellationToken.None));

        Assert.Equal(1, await deliveries.RedriveAsync(new DeliveryFilter(TenantId: "t1"), later, CancellationToken.None));
        var again = Assert.Single(await deliveries.ClaimAsync("n3", later, TimeSpan.FromMinutes(1), 10, new OwnerLimits(10, ["conn-a"]), CancellationToken.None));
        Assert.Equal(0, again.Attempts);
        Assert.Equal(DeliveryPhase.Target, again.Item.Phase);

        var trace = await deliveries.TraceAsync("t1", seqs[6], CancellationToken.None);
        Assert.Equal("b-0", trace!.EventId);
        Assert.Single(trace.Deliveries);
        Assert.Null(await deliveries.TraceAsync("t2", seqs[6], CancellationToken.None));
    }

    [Fact]
    public async Task EgGeneration_MovesWithEveryWriteOfTheTenant_InItsTransaction_AndNotWithARefusedOne()
    {
        var eg = new SqlEgStore(Database);
        var other = new SqlEgStore(OpenSecondHandle(Database));
        Assert.Equal(0, await eg.GenerationAsync("t1", CancellationToken.None));
        var channel = new EgDocument("t1", EgKinds.Channel, "c1", null, "ch", true, "CUSTOM", null, "{}", s_t0, s_t0);
        var subscription = new EgDocument("t1", EgKinds.Subscription, "s1", "c1", "sub", true, "CREATED", null, "{}", s_t0, s_t0);
        var target = new EgDocument("t1", EgKinds.Target, "tg1", "s1", "HTTPS", false, null, null, "{}", s_t0, s_t0);
        // Read through the other handle: the number is committed with the write it counts.
        var seen = new GenerationWatch(() => other.GenerationAsync("t1", CancellationToken.None));
        async Task MovedAsync(EgWriteOutcome outcome)
        {
            Assert.Equal(EgWriteOutcome.Done, outcome);
            await seen.MovedAsync();
        }

        await MovedAsync(await eg.CreateAsync(channel, [], new EgQuota(10), CancellationToken.None));
        await MovedAsync(await eg.CreateAsync(subscription, [target], new EgQuota(10), CancellationToken.None));
        await MovedAsync(await eg.ReplaceAsync(subscription with { Body = "{\"v\":2}", UpdatedAt = s_t0.AddSeconds(1) }, [], CancellationToken.None));
        var before = seen.Last;

        // Writes that change nothing leave it: a name taken, a quota full, a lost race, a missing resource, a channel in use.
        Assert.Equal(EgWriteOutcome.NameTaken, await eg.CreateAsync(channel with { Id = "c2" }, [], new EgQuota(10), CancellationToken.None));
        Assert.Equal(EgWriteOutcome.QuotaExceeded, await eg.CreateAsync(channel with { Id = "c3", Name = "x" }, [], new EgQuota(1), CancellationToken.None));
        Assert.Equal(EgWriteOutcome.Conflict, await eg.ReplaceAsync(subscription, null, CancellationToken.None, s_t0));
        Assert.Equal(EgWriteOutcome.NotFound, await eg.DeleteAsync("t1", EgKinds.Target, "none", CancellationToken.None));
        Assert.Equal(EgWriteOutcome.InUse, await eg.DeleteAsync("t1", EgKinds.Channel, "c1", CancellationToken.None));
        Assert.Equal(before, await other.GenerationAsync("t1", CancellationToken.None));

        // Another tenant's writes are its own.
        Assert.Equal(EgWriteOutcome.Done, await eg.CreateAsync(channel with { TenantId = "t2" }, [], new EgQuota(10), CancellationToken.None));
        Assert.Equal(before, await other.GenerationAsync("t1", CancellationToken.None));
        Assert.True(await other.GenerationAsync("t2", CancellationToken.None) > 0);

        await MovedAsync(await eg.DeleteAsync("t1", EgKinds.Subscription, "s1", CancellationToken.None));
    }

    [Fact]
    public async Task EbGeneration_MovesWithEveryWriteOfRulesAndTargets_InItsTransaction_AndNotWithARefusedOne()
    {
        var rules = new SqlEbRuleStore(Database);
        var other = new SqlEbRuleStore(OpenSecondHandle(Database));
        var eg = new SqlEgStore(Database);
        await new SqlEventBusStore(Database).CreateAsync(Bus("t1", "eb-g"), 10, CancellationToken.None);
        Assert.Equal(0, await rules.GenerationAsync("t1", CancellationToken.None));
        var seen = new GenerationWatch(() => other.GenerationAsync("t1", CancellationToken.None));
        async Task MovedAsync(EbWriteOutcome outcome)
        {
            Assert.Equal(EbWriteOutcome.Done, outcome);
            await seen.MovedAsync();
        }

        var rule = Rule("t1", "eb-g", "rule-1");
        var target = Target("t1", "eb-g", "rule-1", "target-1");
        await MovedAsync(await rules.CreateRuleAsync(rule, 10, CancellationToken.None));
        await MovedAsync(await rules.CreateTargetAsync(target, 10, CancellationToken.None));
        await MovedAsync(await rules.UpdateRuleAsync(rule with { Enabled = false, UpdatedAt = s_t0.AddSeconds(1) }, CancellationToken.None));
        await MovedAsync(await rules.SetTransformationAsync("t1", "eb-g", "rule-1", "tsfm-1", "{}", create: true, s_t0, CancellationToken.None));
        await MovedAsync(await rules.UpdateTargetAsync(target with { EnableBatchDelivery = true, UpdatedAt = s_t0.AddSeconds(1) }, CancellationToken.None));
        var before = seen.Last;

        // Writes that change nothing leave it: a name taken, a quota full, a missing parent or row, a rule in use.
        Assert.Equal(EbWriteOutcome.NameTaken, await rules.CreateRuleAsync(Rule("t1", "eb-g", "rule-2") with { Name = "rule-1" }, 10, CancellationToken.None));
        Assert.Equal(EbWriteOutcome.QuotaExceeded, await rules.CreateRuleAsync(Rule("t1", "eb-g", "rule-3"), 1, CancellationToken.None));
        Assert.Equal(EbWriteOutcome.BusNotFound, await rules.CreateRuleAsync(Rule("t1", "eb-none", "rule-4"), 10, CancellationToken.None));
        Assert.Equal(EbWriteOutcome.QuotaExceeded, await rules.CreateTargetAsync(Target("t1", "eb-g", "rule-1", "target-2"), 1, CancellationToken.None));
        Assert.Equal(EbWriteOutcome.RuleNotFound, await rules.UpdateRuleAsync(Rule("t1", "eb-g", "rule-none"), CancellationToken.None));
        Assert.Equal(EbWriteOutcome.TargetNotFound, await rules.UpdateTargetAsync(target with { Id = "target-none" }, CancellationToken.None));
        Assert.Equal(EbWriteOutcome.TargetNotFound, await rules.DeleteTargetAsync("t1", "rule-1", "target-none", CancellationToken.None));
        Assert.Equal(EbWriteOutcome.Exists, await rules.SetTransformationAsync("t1", "eb-g", "rule-1", "tsfm-2", "{}", create: true, s_t0, CancellationToken.None));
        Assert.Equal(EbWriteOutcome.InUse, await rules.DeleteRuleAsync("t1", "eb-g", "rule-1", CancellationToken.None));
        Assert.Equal(before, await other.GenerationAsync("t1", CancellationToken.None));

        // EG's writes and another tenant's are counted apart.
        Assert.Equal(EgWriteOutcome.Done, await eg.CreateAsync(
            new EgDocument("t1", EgKinds.Channel, "c1", null, "ch", true, "CUSTOM", null, "{}", s_t0, s_t0), [], new EgQuota(10), CancellationToken.None));
        await new SqlEventBusStore(Database).CreateAsync(Bus("t2", "eb-g2"), 10, CancellationToken.None);
        Assert.Equal(EbWriteOutcome.Done, await rules.CreateRuleAsync(Rule("t2", "eb-g2", "rule-9"), 10, CancellationToken.None));
        Assert.Equal(before, await other.GenerationAsync("t1", CancellationToken.None));
        Assert.True(await other.GenerationAsync("t2", CancellationToken.None) > 0);

        await MovedAsync(await rules.DeleteTargetAsync("t1", "rule-1", "target-1", CancellationToken.None));
        await MovedAsync(await rules.SetTransformationAsync("t1", "eb-g", "rule-1", "tsfm-1", null, create: false, s_t0, CancellationToken.None));
        await MovedAsync(await rules.DeleteRuleAsync("t1", "eb-g", "rule-1", CancellationToken.None));
    }

    /// <summary>The generations a test has seen: each read after a write must be greater than the one before.</summary>
    private sealed class GenerationWatch(Func<Task<long>> read)
    {
        private readonly List<long> _seen = [];

        public long Last => _seen[^1];

        public async Task MovedAsync()
        {
            var now = await read();
            Assert.True(_seen.Count == 0 || now > _seen[^1], $"the generation did not move: {now} after {string.Join(", ", _seen)}");
            _seen.Add(now);
        }
    }

    [Fact]
    public async Task ConnectivityTests_CreateCapsRunning_ClaimFairly_FenceCompletion_TenantScoped()
    {
        var store = new SqlConnectivityStore(Database);
        var other = new SqlConnectivityStore(OpenSecondHandle(Database));
        DliConnectivityTask Task(string tenant, string queue) =>
            new(0, tenant, queue, "db:5432", "db", 5432, Connectivity.Checking, null, s_t0, null);

        var first = await store.CreateAsync(Task("t1", "q1"), 2, TimeSpan.FromDays(1), CancellationToken.None);
        var second = await other.CreateAsync(Task("t1", "q1"), 2, TimeSpan.FromDays(1), CancellationToken.None);
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.NotEqual(first, second);
        Assert.Null(await store.CreateAsync(Task("t1", "q2"), 2, TimeSpan.FromDays(1), CancellationToken.None));
        var t2 = await store.CreateAsync(Task("t2", "q1"), 2, TimeSpan.FromDays(1), CancellationToken.None);
        Assert.NotNull(t2);

        // Another tenant's or another queue's id shows nothing.
        Assert.Null(await store.GetAsync("t2", "q1", first!.Value, CancellationToken.None));
        Assert.Null(await store.GetAsync("t1", "q2", first.Value, CancellationToken.None));
        var shown = await store.GetAsync("t1", "q1", first.Value, CancellationToken.None);
        Assert.Equal(Connectivity.Checking, shown!.State);
        Assert.Equal(5432, shown.Port);

        // Fair: one claim of two takes one test of each tenant; the lease is fenced; the answer ends the work.
        var claimed = await store.ClaimAsync("node-a", s_t0, TimeSpan.FromSeconds(30), 2, CancellationToken.None);
        Assert.Equal(["t1", "t2"], claimed.Select(l => l.Item.TenantId).Order().ToArray());
        var mine = claimed.Single(l => l.Item.TenantId == "t1");
        var takeover = await other.ClaimAsync("node-b", s_t0.AddMinutes(1), TimeSpan.FromSeconds(30), 10, CancellationToken.None);
        Assert.Contains(takeover, l => l.Item.Id == mine.Item.Id);
        Assert.False(await store.CompleteAsync(mine, Connectivity.Reachable, "stale", s_t0.AddMinutes(1), CancellationToken.None));
        var theirs = takeover.Single(l => l.Item.Id == mine.Item.Id);
        Assert.True(await other.CompleteAsync(theirs, Connectivity.Unreachable, "closed port", s_t0.AddMinutes(1), CancellationToken.None));
        var done = await store.GetAsync("t1", "q1", mine.Item.Id, CancellationToken.None);
        Assert.Equal(Connectivity.Unreachable, done!.State);
        Assert.Equal("closed port", done.Message);
        Assert.DoesNotContain(await store.ClaimAsync("node-a", s_t0.AddHours(1), TimeSpan.FromSeconds(30), 10, CancellationToken.None), l => l.Item.Id == mine.Item.Id);

        // A finished test older than the keep period is dropped by the next create.
        Assert.NotNull(await store.CreateAsync(Task("t1", "q3") with { CreatedAt = s_t0.AddDays(2) }, 10, TimeSpan.FromDays(1), CancellationToken.None));
        Assert.Null(await store.GetAsync("t1", "q1", mine.Item.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Deliveries_ClaimMovesTheDueTimeToTheLeaseEnd_ReleaseMakesItDueAtOnce()
    {
        var deliveries = new SqlDeliveryStore(Database);
        await deliveries.AppendAsync([Accepted("one", "c"), Accepted("two", "c")], s_t0, CancellationToken.None);
        var leases = await deliveries.ClaimAsync("n1", s_t0, TimeSpan.FromMinutes(1), 1, CancellationToken.None);
        var held = Assert.Single(leases);

        // In flight, the job is due when its lease ends (a crashed node's job comes back then), and no claim before that sees it.
        var (_, listed) = await deliveries.ListAsync(new DeliveryFilter(Ids: [held.Item.Id]), 0, 1, CancellationToken.None);
        Assert.Equal(s_t0.AddMinutes(1), listed[0].NextAt);
        var other = Assert.Single(await deliveries.ClaimAsync("n2", s_t0.AddSeconds(59), TimeSpan.FromMinutes(1), 10, CancellationToken.None));
        Assert.NotEqual(held.Item.Id, other.Item.Id);

        // Given back on shutdown, it is due at once for any node; n2's own lease is untouched.
        await deliveries.ReleaseAsync("n1", s_t0.AddSeconds(2), CancellationToken.None);
        (_, listed) = await deliveries.ListAsync(new DeliveryFilter(Ids: [held.Item.Id]), 0, 1, CancellationToken.None);
        Assert.Equal(s_t0.AddSeconds(2), listed[0].NextAt);
        var again = Assert.Single(await deliveries.ClaimAsync("n3", s_t0.AddSeconds(2), TimeSpan.FromMinutes(1), 10, CancellationToken.None));
        Assert.Equal(held.Item.Id, again.Item.Id);

        // Found by state through the partial indexes (migration 15): pending ones by their due time, in flight or not.
        Assert.Equal(2, (await deliveries.ListAsync(new DeliveryFilter(State: DeliveryState.Pending), 0, 10, CancellationToken.None)).Total);
        var record = new AttemptRecord(again.Item.Id, DeliveryPhase.Target, "n3", s_t0.AddSeconds(3), 1, AttemptKind.Terminal, "HTTP_404", "gone", 404);
        Assert.True(await deliveries.CompleteAsync(again, new DeliveryCompletion(DeliveryState.DeadLettered, DeliveryPhase.Target, 1, 1, null, s_t0, "HTTP_404: gone", record), CancellationToken.None));
        Assert.Equal(1, (await deliveries.ListAsync(new DeliveryFilter(State: DeliveryState.Pending), 0, 10, CancellationToken.None)).Total);
        var (dead, items) = await deliveries.ListAsync(new DeliveryFilter(State: DeliveryState.DeadLettered), 0, 10, CancellationToken.None);
        Assert.Equal((1, again.Item.Id), (dead, items[0].Id));
        Assert.Equal(1, await deliveries.RedriveAsync(new DeliveryFilter(TenantId: "t1", TargetId: "target-1"), s_t0.AddSeconds(4), CancellationToken.None));
        Assert.Equal(2, (await deliveries.ListAsync(new DeliveryFilter(State: DeliveryState.Pending), 0, 10, CancellationToken.None)).Total);
    }

    [Fact]
    public async Task Deliveries_WrittenUnderAFreshLease_AreHeldUntilItEnds_AndAdoptedOnlyByItsToken()
    {
        var deliveries = new SqlDeliveryStore(Database);
        var lease = new FreshLease("n1", "fresh-token", s_t0.AddMinutes(1), Jobs: 2);
        var written = await deliveries.AppendAsync([Accepted("one", "c"), Accepted("two", "c"), Accepted("three", "c")], s_t0, lease, CancellationToken.None);
        Assert.Equal(3, written.Sequences.Count);
        Assert.Equal(2, written.Leased.Count);

        // Only the job beyond the lease's count is due; the two leased ones are due when the lease ends, like claimed ones.
        var claimed = Assert.Single(await deliveries.ClaimAsync("n2", s_t0, TimeSpan.FromMinutes(5), 10, CancellationToken.None));
        Assert.Equal(written.Sequences[2], claimed.Item.EventSeq);
        var (_, listed) = await deliveries.ListAsync(new DeliveryFilter(Ids: [.. written.Leased]), 0, 10, CancellationToken.None);
        Assert.All(listed, d => Assert.Equal((DeliveryState.Pending, s_t0.AddMinutes(1)), (d.State, d.NextAt)));

        // Adopted by the token they were written under, with what an attempt needs; not by another token.
        Assert.Empty(await deliveries.AdoptAsync([.. written.Leased.Select(id => (id, "another-token"))], CancellationToken.None));
        var adopted = await deliveries.AdoptAsync([.. written.Leased.Select(id => (id, lease.Token))], CancellationToken.None);
        Assert.Equal(written.Leased.Order(), adopted.Select(a => a.Item.Id).Order());
        Assert.Equal("{\"id\":\"one\"}", System.Text.Encoding.UTF8.GetString(adopted.Single(a => a.Item.EventSeq == written.Sequences[0]).Item.Event));
        Assert.All(adopted, a => Assert.Equal((lease.Token, lease.Until, 0), (a.Token, a.Until, a.Attempts)));

        // An adopted lease completes under its fence; the other, never run (its node died), is claimed once the lease ended.
        var first = adopted.Single(a => a.Item.EventSeq == written.Sequences[0]);
        var record = new AttemptRecord(first.Item.Id, DeliveryPhase.Target, "n1", s_t0, 1, AttemptKind.Success, "HTTP_200", "ok", 200);
        Assert.True(await deliveries.CompleteAsync(first, new DeliveryCompletion(DeliveryState.Delivered, DeliveryPhase.Target, 1, 1, null, null, null, record), CancellationToken.None));
        Assert.Empty(await deliveries.ClaimAsync("n2", s_t0.AddSeconds(59), TimeSpan.FromMinutes(1), 10, CancellationToken.None));
        var orphan = Assert.Single(await deliveries.ClaimAsync("n2", s_t0.AddMinutes(1).AddMilliseconds(1), TimeSpan.FromMinutes(1), 10, CancellationToken.None));
        Assert.Equal(written.Sequences[1], orphan.Item.EventSeq);
        Assert.Empty(await deliveries.AdoptAsync([.. written.Leased.Select(id => (id, lease.Token))], CancellationToken.None));
    }

    /// <summary>
    /// The attempt that delivers a job is kept on the job's row, every other in a row of its own; whoever reads attempts
    /// (a delivery's history, an event's trace, the minutes of the console's chart) sees them all, in the order they were made.
    /// </summary>
    [Fact]
    public async Task Deliveries_TheDeliveringAttemptIsKeptOnItsJob_AndReadBackWithTheOthers_InOrder()
    {
        var deliveries = new SqlDeliveryStore(Database);
        var seqs = await deliveries.AppendAsync([Accepted("first-time", "c"), Accepted("after-a-retry", "c"), Accepted("dead-lettered", "c")], s_t0, CancellationToken.None);
        var leases = (await deliveries.ClaimAsync("n1", s_t0, TimeSpan.FromMinutes(1), 3, CancellationToken.None)).OrderBy(l => l.Item.EventSeq).ToList();
        Assert.Equal(3, leases.Count);
        AttemptRecord Record(Lease<DeliveryWork> lease, DeliveryPhase phase, DateTimeOffset at, AttemptKind kind, string code, int? status) =>
            new(lease.Item.Id, phase, "n1", at, 7, kind, code, kind == AttemptKind.Success ? "delivered" : "failed", status);

        // 1: delivered at once. 2: a 503 first (due again), then delivered. 3: refused, then its dead-letter queue took it.
        var t1 = s_t0.AddSeconds(1);
        Assert.True(await deliveries.CompleteAsync(leases[0], new DeliveryCompletion(DeliveryState.Delivered, DeliveryPhase.Target, 1, 1, null, null, null,
            Record(leases[0], DeliveryPhase.Target, t1, AttemptKind.Success, "HTTP_200", 200)), CancellationToken.None));
        Assert.True(await deliveries.CompleteAsync(leases[1], new DeliveryCompletion(DeliveryState.Pending, DeliveryPhase.Target, 1, 1, t1, t1, "HTTP_503: failed",
            Record(leases[1], DeliveryPhase.Target, t1, AttemptKind.Retryable, "HTTP_503", 503)), CancellationToken.None));
        Assert.True(await deliveries.CompleteAsync(leases[2], new DeliveryCompletion(DeliveryState.Pending, DeliveryPhase.DeadLetter, 0, 1, t1, t1, "HTTP_404: failed",
            Record(leases[2], DeliveryPhase.Target, t1, AttemptKind.Terminal, "HTTP_404", 404)), CancellationToken.None));
        var t2 = s_t0.AddMinutes(2);
        var again = (await deliveries.ClaimAsync("n1", t2, TimeSpan.FromMinutes(1), 3, CancellationToken.None)).OrderBy(l => l.Item.EventSeq).ToList();
        Assert.Equal([leases[1].Item.Id, leases[2].Item.Id], again.Select(l => l.Item.Id));
        Assert.True(await deliveries.CompleteAsync(again[0], new DeliveryCompletion(DeliveryState.Delivered, DeliveryPhase.Target, 2, 2, null, t1, "HTTP_503: failed",
            Record(again[0], DeliveryPhase.Target, t2, AttemptKind.Success, "HTTP_201", 201)), CancellationToken.None));
        Assert.True(await deliveries.CompleteAsync(again[1], new DeliveryCompletion(DeliveryState.DeadLettered, DeliveryPhase.DeadLetter, 1, 1, null, t1, "HTTP_404: failed",
            Record(again[1], DeliveryPhase.DeadLetter, t2, AttemptKind.Success, "KAFKA_OK", null)), CancellationToken.None));

        // Rows of their own: the 503, the 404 and the dead-letter queue's success; the two deliveries are on their jobs.
        await using (var db = await Database.OpenAsync(CancellationToken.None))
        {
            Assert.Equal(3L, await Dapper.SqlMapper.ExecuteScalarAsync<long>(db, "SELECT COUNT(*) FROM delivery_attempts"));
        }

        var once = Assert.Single(await deliveries.AttemptsAsync(leases[0].Item.Id, CancellationToken.None));
        Assert.Equal(Record(leases[0], DeliveryPhase.Target, t1, AttemptKind.Success, "HTTP_200", 200), once);
        Assert.Equal(
            [Record(leases[1], DeliveryPhase.Target, t1, AttemptKind.Retryable, "HTTP_503", 503), Record(again[0], DeliveryPhase.Target, t2, AttemptKind.Success, "HTTP_201", 201)],
            await deliveries.AttemptsAsync(leases[1].Item.Id, CancellationToken.None));
        Assert.Equal(["HTTP_404", "KAFKA_OK"], (await deliveries.AttemptsAsync(leases[2].Item.Id, CancellationToken.None)).Select(a => a.Code));

        var trace = await deliveries.TraceAsync("t1", seqs[1], CancellationToken.None);
        Assert.Equal(["HTTP_503", "HTTP_201"], trace!.Attempts.Select(a => a.Code));

        // The minutes count both kinds: t1's minute a success, a retry and a refusal; t2's a success and a dead letter.
        var minutes = await deliveries.MinutesAsync(s_t0, CancellationToken.None);
        Assert.Equal([(1, 1, 1, 0), (1, 0, 0, 1)], minutes.Select(m => (m.Succeeded, m.Retried, m.Refused, m.DeadLettered)));
    }

    [Fact]
    public async Task Deliveries_Prune_DeletesOldFinishedEvents_KeepsPendingAndFailed()
    {
        var deliveries = new SqlDeliveryStore(Database);
        var seqs = await deliveries.AppendAsync([Accepted("done", "c"), Accepted("failed", "c"), Accepted("pending", "c"), Accepted("none", "c") with { Deliveries = [] }],
            s_t0, CancellationToken.None);
        var leases = await deliveries.ClaimAsync("n", s_t0, TimeSpan.FromMinutes(1), 2, CancellationToken.None);
        foreach (var (lease, state) in leases.OrderBy(l => l.Item.EventSeq).Zip([DeliveryState.Delivered, DeliveryState.Failed]))
        {
            var record = new AttemptRecord(lease.Item.Id, DeliveryPhase.Target, "n", s_t0, 1, AttemptKind.Success, "HTTP_200", "ok", 200);
            Assert.True(await deliveries.CompleteAsync(lease, new DeliveryCompletion(state, DeliveryPhase.Target, 1, 1, null, null, null, record), CancellationToken.None));
        }

        Assert.Equal(0, await deliveries.PruneAsync(s_t0, 100, CancellationToken.None));
        Assert.Equal(2, await deliveries.PruneAsync(s_t0.AddDays(8), 100, CancellationToken.None));

        Assert.Null(await deliveries.TraceAsync("t1", seqs[0], CancellationToken.None));
        Assert.NotNull(await deliveries.TraceAsync("t1", seqs[1], CancellationToken.None));
        Assert.NotNull(await deliveries.TraceAsync("t1", seqs[2], CancellationToken.None));
        Assert.Null(await deliveries.TraceAsync("t1", seqs[3], CancellationToken.None));
        Assert.Equal(2, (await deliveries.ListAsync(new DeliveryFilter(), 0, 10, CancellationToken.None)).Total);
    }

    private static AcceptedEvent Accepted(string id, string connection) =>
        new("t1", "c1", "shop", id, "t", null, System.Text.Encoding.UTF8.GetBytes($"{{\"id\":\"{id}\"}}"), [new NewDelivery("s1", "target-1", connection)]);

    private static Connection NewConnection(string tenant, string name, DateTimeOffset? at = null) => new()
    {
        Id = Guid.NewGuid().ToString(),
        TenantId = tenant,
        Scope = Scopes.HuaweiEg,
        Name = name,
        Kind = "WEBHOOK",
        VpcId = "vpc",
        SubnetId = "subnet",
        CreatedAt = at ?? s_t0,
        UpdatedAt = at ?? s_t0,
    };

    /// <summary>A third tenant, t3, with the project id given.</summary>
    private static (Tenant Tenant, AccessKey Key, TenantUser User) Third(string projectId) => (
        new Tenant("t3", "domain-t3", projectId, "local", "account-t3", s_t0),
        new AccessKey("AK-t3", "t3", "protected", s_t0),
        new TenantUser("user-t3", "t3", "admin", "hash", s_t0));

    private Task AddTenantAsync(string id) => Tenants.CreateTenantAsync(
        new Tenant(id, $"domain-{id}", $"project-{id}", "local", $"account-{id}", s_t0),
        new AccessKey($"AK-{id}", id, "protected", s_t0),
        new TenantUser($"user-{id}", id, "admin", "hash", s_t0),
        CancellationToken.None);
}
