using System.Reflection;
using Dapper;
using Junction.Core.Delivery;
using Junction.Storage.Sql;
using Junction.Storage.Sqlite;
using Junction.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Junction.Storage.Tests.Sqlite;

/// <summary>
/// A database written by an earlier Junction keeps its meaning after the later migrations: the EG generation moves to
/// <c>resource_generations</c> (17), and a delivery recorded before 18 keeps its successful attempt as the row it has.
/// </summary>
public sealed class SqliteUpgradeTests : IDisposable
{
    private static readonly DateTimeOffset s_t0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Fact]
    public async Task From16_TheEgGenerationAndEarlierSuccessRowsKeepTheirMeaning()
    {
        using var database = new SqliteDatabase(Path.Combine(_directory.Path, "junction.db"));
        var old = UpTo.Version(database, 16);
        await new Migrator(old, new FakeTimeProvider(), NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);

        // What version 16 wrote: a generation, and a delivered job whose success is a delivery_attempts row.
        long job;
        await using (var db = await database.OpenAsync(CancellationToken.None))
        {
            await db.ExecuteAsync("INSERT INTO eg_generations (tenant_id, generation) VALUES ('t1', 7)");
            var seq = await db.ExecuteScalarAsync<long>(
                "INSERT INTO events (tenant_id, channel_id, source, event_id, type, body, received_at) VALUES ('t1', 'c1', 'shop', 'e-1', 't', '{}', 0) RETURNING seq");
            job = await db.ExecuteScalarAsync<long>("""
                INSERT INTO deliveries (tenant_id, event_seq, subscription_id, target_id, connection_key, state, phase, attempts, created_at, finished_at)
                VALUES ('t1', @seq, 's1', 'target-1', 'c', 'Delivered', 'Target', 1, 0, 5) RETURNING id
                """, new { seq });
            await db.ExecuteAsync("""
                INSERT INTO delivery_attempts (delivery_id, phase, node, at, duration_ms, kind, code, message, status)
                VALUES (@job, 'Target', 'n0', @at, 5, 'Success', 'HTTP_200', 'delivered', 200)
                """, new { job, at = s_t0.ToUnixTimeMilliseconds() });
        }

        await new Migrator(database, new FakeTimeProvider(), NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);

        Assert.Equal(7, await new SqlEgStore(database).GenerationAsync("t1", CancellationToken.None));
        Assert.Equal(0, await new SqlEbRuleStore(database).GenerationAsync("t1", CancellationToken.None));
        var deliveries = new SqlDeliveryStore(database);
        var attempt = Assert.Single(await deliveries.AttemptsAsync(job, CancellationToken.None));
        Assert.Equal(("n0", AttemptKind.Success, "HTTP_200"), (attempt.Node, attempt.Kind, attempt.Code));
        Assert.Equal(1, Assert.Single(await deliveries.MinutesAsync(s_t0, CancellationToken.None)).Succeeded);
    }

    /// <summary>A database that offers the migrations up to one version only: an earlier Junction's.</summary>
    public class UpTo : DispatchProxy
    {
        private IDatabase _inner = null!;
        private int _version;

        public static IDatabase Version(IDatabase inner, int version)
        {
            var proxy = Create<IDatabase, UpTo>();
            var upTo = (UpTo)(object)proxy;
            upTo._inner = inner;
            upTo._version = version;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            return targetMethod.Name == "get_Migrations"
                ? _inner.Migrations.Where(m => m.Version <= _version).ToList()
                : targetMethod.Invoke(_inner, args);
        }
    }
}
