using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Junction.Core.Connections;
using Junction.Core.Delivery;
using Junction.Core.Events;
using Junction.Core.Security;
using Junction.Server.Api.Wire;
using Junction.Server.Auth;
using Microsoft.Extensions.Options;

namespace Junction.Server.Api.HuaweiEg;

/// <summary>EG's data-plane codes (spec/dataplane.md §2.9).</summary>
internal static class EgDataCodes
{
    public const string InvalidSubscriptionStatus = "EG.00513002";
    public const string InvalidTargetAddress = "EG.00513003";
    public const string InvalidFilter = "EG.00513004";
    public const string InvalidChannel = "EG.00513005";
    public const string NotModified = "EG.00514004";
    public const string RequestTooLarge = "00533007";
    public const string EventTooLarge = "00533012";
    public const string TooManyEvents = "00533013";
}

/// <summary>What the EG data-plane endpoints share: the services, the gate, the default channel, and the answers.</summary>
internal sealed class EgDataPlane(
    HuaweiGate gate, IEgStore store, IConnectionStore connections, EgPublisher publisher, IDeliveryStore deliveries,
    ISecretProtector protector, IOptions<EgDataPlaneOptions> options, TimeProvider time,
    Core.Verification.IVerificationStore verifications, Core.Verification.IVerificationSignal verificationSignal)
{
    private readonly ConcurrentDictionary<string, bool> _defaultsMade = new(StringComparer.Ordinal);

    public IEgStore Store => store;

    public IConnectionStore Connections => connections;

    public EgPublisher Publisher => publisher;

    public IDeliveryStore Deliveries => deliveries;

    public ISecretProtector Protector => protector;

    public EgDataPlaneOptions Options => options.Value;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The gate, then (for endpoints with a body) the body as one JSON object; the tenant's default channel exists after it.</summary>
    public async Task<(GatePass? Pass, JsonFields? Body, IResult? Error)> EnterAsync(HttpContext context, string projectId, bool withBody, CancellationToken cancellationToken)
    {
        var (pass, error) = await gate.EnterAsync(context, projectId, EgGateErrors.Instance, cancellationToken);
        if (pass is null)
        {
            return (null, null, error);
        }

        await EnsureDefaultChannelAsync(pass.Tenant.Id, cancellationToken);
        if (!withBody)
        {
            return (pass, null, null);
        }

        var fields = JsonFields.Parse(pass.Body, out var parseError);
        return fields is null ? (null, null, EgError.BadRequest(parseError!)) : (pass, fields, null);
    }

    /// <summary>The project's <c>default</c> OFFICIAL channel, made once (its id derives from the tenant, so every node makes the same one).</summary>
    private async Task EnsureDefaultChannelAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (_defaultsMade.ContainsKey(tenantId))
        {
            return;
        }

        var id = EgDefaults.DefaultChannelId(tenantId);
        if (await store.GetAsync(tenantId, EgKinds.Channel, id, cancellationToken) is null)
        {
            var now = time.GetUtcNow();
            var channel = new EgChannel(id, EgChannel.DefaultName, "The built-in channel of cloud-service events; it cannot be changed.", EgChannel.Official, null, null, null, now, now);
            // A concurrent request (here or on another node) may have made it first: the name is then taken, which is fine.
            await store.CreateAsync(Document(tenantId, channel), [], new EgQuota(int.MaxValue), cancellationToken);
        }

        _defaultsMade[tenantId] = true;
    }

    public async Task<T?> GetAsync<T>(string tenantId, string kind, string id, CancellationToken cancellationToken)
        where T : class
    {
        var document = await store.GetAsync(tenantId, kind, id, cancellationToken);
        return document is null ? null : EgJson.Read<T>(document.Body);
    }

    public async Task<IReadOnlyList<EgTarget>> TargetsAsync(string tenantId, IReadOnlyCollection<string> subscriptionIds, CancellationToken cancellationToken) =>
        [.. (await store.ChildrenAsync(tenantId, EgKinds.Target, subscriptionIds, cancellationToken)).Select(d => EgJson.Read<EgTarget>(d.Body))];

    /// <summary>
    /// Checks a target's connections: its <c>connection_id</c> must be one of the project's EG connections (or the
    /// default one) of the kind the target needs, and a dead-letter queue's must be a KAFKA connection. Null when fine.
    /// </summary>
    public async Task<EgError?> CheckConnectionsAsync(string tenantId, EgTarget target, CancellationToken cancellationToken)
    {
        var webhook = EgResourceRequests.WebhookKinds.Contains(target.Name) || target.Name == "HC.APIGW";
        if (target.ConnectionId is { } id && id != EgDefaults.DefaultConnectionId(tenantId))
        {
            var connection = await connections.GetAsync(tenantId, Scopes.HuaweiEg, id, cancellationToken);
            if (connection is null)
            {
                return EgError.BadRequest($"target {target.Name}: connection_id '{id}' is not a connection of this project");
            }

            if (webhook && connection.Kind != EgRequests.Webhook)
            {
                return EgError.BadRequest($"target {target.Name}: connection '{connection.Name}' is a {connection.Kind} connection; a webhook target needs a WEBHOOK connection (or the default one)");
            }

            if (target.Name == "HC.Kafka" && connection.Kind != EgRequests.Kafka)
            {
                return EgError.BadRequest($"target HC.Kafka: connection '{connection.Name}' is a {connection.Kind} connection; a Kafka target needs a KAFKA connection");
            }
        }
        else if (target.Name == "HC.Kafka" && target.ConnectionId is not null)
        {
            return EgError.BadRequest("target HC.Kafka: the default connection is the public network; a Kafka target needs a KAFKA connection");
        }

        if (EgJson.Text(target.DeadLetterQueue, "connection_id") is { } dlq)
        {
            var connection = await connections.GetAsync(tenantId, Scopes.HuaweiEg, dlq, cancellationToken);
            if (connection is null || connection.Kind != EgRequests.Kafka)
            {
                return EgError.BadRequest($"dead_letter_queue.connection_id '{dlq}' is not a KAFKA connection of this project");
            }
        }

        return null;
    }

    /// <summary>
    /// A WEBHOOK connection is verified through the targets that use it (ConnectionVerifier): after a target write,
    /// its connections are checked again now rather than at their next periodic check.
    /// </summary>
    public async Task RecheckConnectionsAsync(string tenantId, IEnumerable<EgTarget> targets, CancellationToken cancellationToken)
    {
        var ids = targets.Select(t => t.ConnectionId).OfType<string>().Where(id => id != EgDefaults.DefaultConnectionId(tenantId)).Distinct().ToList();
        if (ids.Count > 0)
        {
            await verifications.RecheckAsync(ids, time.GetUtcNow(), cancellationToken);
            verificationSignal.Notify();
        }
    }

    public static EgDocument Document(string tenantId, EgChannel c) =>
        new(tenantId, EgKinds.Channel, c.Id, null, c.Name, true, c.ProviderType, null, EgJson.Write(c), c.CreatedTime, c.UpdatedTime);

    public static EgDocument Document(string tenantId, EgSource s) =>
        new(tenantId, EgKinds.Source, s.Id, s.ChannelId, s.Name, true, s.ProviderType, null, EgJson.Write(s), s.CreatedTime, s.UpdatedTime);

    public static EgDocument Document(string tenantId, EgSubscription s) =>
        new(tenantId, EgKinds.Subscription, s.Id, s.ChannelId, s.Name, true, s.Status, null, EgJson.Write(s), s.CreatedTime, s.UpdatedTime);

    public static EgDocument Document(string tenantId, EgTarget t) =>
        new(tenantId, EgKinds.Target, t.Id, t.SubscriptionId, t.Name, false, t.ProviderType, t.ConnectionId, EgJson.Write(t), t.CreatedTime, t.UpdatedTime);

    public static IResult Ok(JsonNode value) => Results.Text(value.ToJsonString(EgRequests.ResponseJson), "application/json; charset=utf-8");

    public static EgError NotFound(string what, string id) =>
        new(404, EgCodes.NotFound, "Not request resource found", $"{what} '{id}' does not exist in this project");

    public static EgError Problems(JsonFields body, string? code = null) =>
        new(400, code ?? EgCodes.InvalidParameters, string.Join("; ", body.Problems));

    public static EgError NameTaken(string what, string name) =>
        new(400, EgCodes.NameDuplicated, "name duplicated", $"{(what[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an" : "a")} {what} named '{name}' already exists in this project");

    public static EgError Quota(string what, int quota) =>
        new(403, EgCodes.QuotaUnavailable, "resource quota unavailable", $"the quota of {quota} {what} is used up");

    private sealed class EgGateErrors : IHuaweiGateErrors
    {
        public static readonly EgGateErrors Instance = new();

        public IResult Unauthorized(string reason) => EgError.Unauthorized(reason);

        public IResult WrongProject(string reason) => new EgError(403, EgCodes.NoPermission, "no permission to operate", reason);

        public IResult TooLarge(string reason) => new EgError(413, EgCodes.InvalidParameters, reason);
    }
}
