using Junction.Core.Security;
using Junction.Core.Verification;
using Microsoft.Extensions.Options;

namespace Junction.Core.Connections;

/// <summary>What a face asks Core to create; Core adds identity, time, lifecycle and encryption.</summary>
public sealed record NewConnection(
    string TenantId,
    string Scope,
    string Name,
    string Description,
    string Kind,
    string? VpcId,
    string? SubnetId,
    KafkaTarget? Kafka,
    string? Secret,
    bool Enabled = true,
    string? Detail = null,
    string? Id = null);

public abstract record CreateResult
{
    public sealed record Created(Connection Connection) : CreateResult;

    public sealed record NameTaken(string Name) : CreateResult;

    public sealed record QuotaExceeded(int Quota) : CreateResult;

    /// <summary>The event bus the connector was for was deleted meanwhile; nothing was written.</summary>
    public sealed record ScopeGone : CreateResult;

    /// <summary>What the face writes together with the connection was refused (the face's writer says why); nothing was written.</summary>
    public sealed record Refused : CreateResult;
}

/// <summary>The business rules of connections, once for every face: identity, uniqueness, quotas, lifecycle, secrets.</summary>
public sealed class ConnectionService(
    IConnectionStore store, ISecretProtector protector, IOptions<ConnectionQuotas> quotas, IVerificationSignal signal, TimeProvider time,
    IEnumerable<IConnectionRetirement> retirements)
{
    public Task<CreateResult> CreateAsync(NewConnection request, CancellationToken cancellationToken) =>
        CreateAsync(request, store.CreateAsync, cancellationToken);

    /// <summary>
    /// Creates a connection through a writer of the face's own that stores it together with what belongs to it, in one
    /// transaction (DLI: its tags and queue bindings, <c>IDliStore.CreateConnectionAsync</c>); the writer gets the
    /// connection and its quota.
    /// </summary>
    public async Task<CreateResult> CreateAsync(
        NewConnection request, Func<Connection, int, CancellationToken, Task<CreateOutcome>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(write);
        var now = Truncate(time.GetUtcNow());
        var connection = new Connection
        {
            // A face may give ids its own shape (Tencent: connection-xxxxxxxx); Core's default is a UUID, as EG's.
            Id = request.Id ?? Guid.NewGuid().ToString(),
            TenantId = request.TenantId,
            Scope = request.Scope,
            Name = request.Name,
            Description = request.Description,
            Kind = request.Kind,
            VpcId = request.VpcId,
            SubnetId = request.SubnetId,
            Kafka = request.Kafka,
            ProtectedSecret = request.Secret is null ? null : protector.Protect(request.Secret),
            Enabled = request.Enabled,
            Detail = request.Detail,
            State = ConnectionState.Pending,
            CreatedAt = now,
            UpdatedAt = now,
        };

        var quota = quotas.Value.For(request.Scope);
        var outcome = await write(connection, quota, cancellationToken);
        if (outcome == CreateOutcome.Created)
        {
            // Stored as due now; wake this process's engine instead of waiting for its next poll.
            signal.Notify();
        }

        return outcome switch
        {
            CreateOutcome.Created => new CreateResult.Created(connection),
            CreateOutcome.NameTaken => new CreateResult.NameTaken(request.Name),
            CreateOutcome.QuotaExceeded => new CreateResult.QuotaExceeded(quota),
            CreateOutcome.ScopeGone => new CreateResult.ScopeGone(),
            CreateOutcome.Refused => new CreateResult.Refused(),
            var other => throw new InvalidOperationException($"unexpected store outcome {other}"),
        };
    }

    public Task<Connection?> GetAsync(string tenantId, string scope, string id, CancellationToken cancellationToken) =>
        store.GetAsync(tenantId, scope, id, cancellationToken);

    public Task<ConnectionPage> ListAsync(ConnectionQuery query, CancellationToken cancellationToken) =>
        store.ListAsync(query, cancellationToken);

    public Task<Connection?> UpdateDescriptionAsync(string tenantId, string scope, string id, string description, CancellationToken cancellationToken) =>
        store.UpdateAsync(tenantId, scope, id, new ConnectionChanges(Description: description), Truncate(time.GetUtcNow()), cancellationToken);

    /// <summary>Changes the given fields (null: unchanged). A new name must still be unique in its scope.</summary>
    public Task<Connection?> UpdateAsync(string tenantId, string scope, string id, ConnectionChanges changes, CancellationToken cancellationToken) =>
        store.UpdateAsync(tenantId, scope, id, changes, Truncate(time.GetUtcNow()), cancellationToken);

    public Task<long> CountAsync(string tenantId, string scope, CancellationToken cancellationToken) =>
        store.CountAsync(tenantId, scope, cancellationToken);

    /// <summary>Deletes the connection; what this node kept open for it is closed at once (<see cref="IConnectionRetirement"/>).</summary>
    public async Task<bool> DeleteAsync(string tenantId, string scope, string id, CancellationToken cancellationToken)
    {
        var connection = await store.GetAsync(tenantId, scope, id, cancellationToken);
        if (!await store.DeleteAsync(tenantId, scope, id, cancellationToken))
        {
            return false;
        }

        if (connection is not null)
        {
            foreach (var retirement in retirements)
            {
                retirement.Retired(connection);
            }
        }

        return true;
    }

    /// <summary>Times are stored with millisecond precision; truncating here keeps what is returned equal to what is read back.</summary>
    private static DateTimeOffset Truncate(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());
}
