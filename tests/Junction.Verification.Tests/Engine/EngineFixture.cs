using Junction.Core.Connections;
using Junction.Core.Networks;
using Junction.Core.Security;
using Junction.Core.Tenancy;
using Junction.Core.Work;
using Junction.Runtime.Kafka;
using Junction.Runtime.Net;
using Junction.Storage.Sql;
using Junction.Storage.Sqlite;
using Junction.Testing;
using Junction.Verification.Engine;
using Junction.Verification.Probes;
using Junction.Verification.Tests.Egress;
using Microsoft.Extensions.Logging.Abstractions;

namespace Junction.Verification.Tests.Engine;

/// <summary>An engine on a real SQLite file with a controllable clock; several engines can share the file as nodes.</summary>
internal sealed class EngineFixture : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();

    public EngineFixture(NetworkOptions? networks = null, VerificationOptions? options = null)
    {
        Database = new SqliteDatabase(Path.Combine(_directory.Path, "junction.db"));
        new Migrator(Database, Time, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        new SqlTenantStore(Database).CreateTenantAsync(
            new Tenant("t1", "junction", "p1", "local", "100000000001", Start),
            new AccessKey("AK", "t1", "x", Start),
            new TenantUser("u1", "t1", "admin", "x", Start),
            CancellationToken.None).GetAwaiter().GetResult();
        Networks = networks ?? new NetworkOptions();
        Options = options ?? new VerificationOptions { ProbeTimeout = TimeSpan.FromSeconds(2), LeaseDuration = TimeSpan.FromSeconds(30) };
        Connections = new SqlConnectionStore(Database);
        Store = new SqlVerificationStore(Database);
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public SqliteDatabase Database { get; }

    public SqlConnectionStore Connections { get; }

    public SqlVerificationStore Store { get; }

    public NetworkOptions Networks { get; }

    public VerificationOptions Options { get; }

    /// <summary>A new verification worker (a node) on the same database.</summary>
    public VerificationWorker NewEngine(SqliteDatabase? database = null)
    {
        var registry = new NetworkRegistry(Microsoft.Extensions.Options.Options.Create(Networks));
        var guard = TestEgress.Guard(networks: Networks);
        var verifier = new ConnectionVerifier(
            registry, new Junction.Core.Instances.InstanceRegistry(Microsoft.Extensions.Options.Options.Create(new Junction.Core.Instances.InstanceOptions())),
            new KafkaProbe(new KafkaClients(guard)), new PingProbe(guard, new OutboundSockets(guard)), new PlainProtector(), egress: guard);
        var store = database is null ? Store : new SqlVerificationStore(database);
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        var node = new NodeId();
        var handler = new VerificationHandler(store, verifier, options, node, Time, new Junction.Core.Telemetry.JunctionMetrics(), NullLogger<VerificationHandler>.Instance);
        return new VerificationWorker(store, handler, new VerificationSignal(), options, node, Time, NullLogger<VerificationWorker>.Instance);
    }

    /// <summary>A second tenant, for tests of how work is shared between tenants.</summary>
    public async Task AddTenantAsync(string id) =>
        await new SqlTenantStore(Database).CreateTenantAsync(
            new Tenant(id, $"domain-{id}", $"p-{id}", "local", $"2000000000{id.Length:00}", Start),
            new AccessKey($"AK-{id}", id, "x", Start),
            new TenantUser($"u-{id}", id, "admin", "x", Start),
            CancellationToken.None);

    public async Task<Connection> AddKafkaAsync(string name, string bootstrap, string vpc = "vpc-1", string subnet = "subnet-1", string tenant = "t1")
    {
        var now = Time.GetUtcNow();
        var connection = new Connection
        {
            Id = Guid.NewGuid().ToString(),
            TenantId = tenant,
            Scope = Scopes.HuaweiEg,
            Name = name,
            Kind = "KAFKA",
            VpcId = vpc,
            SubnetId = subnet,
            Kafka = new KafkaTarget("inst", bootstrap, "PLAINTEXT", false, null, "1"),
            CreatedAt = now,
            UpdatedAt = now,
        };
        Assert.Equal(CreateOutcome.Created, await Connections.CreateAsync(connection, 100_000, CancellationToken.None));
        return connection;
    }

    public async Task<Connection> GetAsync(Connection connection) =>
        (await Connections.GetAsync("t1", Scopes.HuaweiEg, connection.Id, CancellationToken.None))!;

    public void Dispose()
    {
        Database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    private sealed class PlainProtector : ISecretProtector
    {
        public string Protect(string plaintext) => plaintext;

        public string? Unprotect(string ciphertext) => ciphertext;
    }
}
