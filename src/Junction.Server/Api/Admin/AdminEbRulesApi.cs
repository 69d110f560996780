using System.Text.Json.Nodes;
using Junction.Core.EventBuses;
using Junction.Core.Instances;
using Junction.Core.Tenancy;

namespace Junction.Server.Api.Admin;

/// <summary>
/// Tencent EB rules as the operator sees them, and their dead-letter configuration (spec/dataplane.md §3.7): Tencent
/// documents no way to set it, so besides the CreateRule/UpdateRule extension the operator can set or clear it here,
/// checked by the same rules (<see cref="EbDeadLetter"/>) for the rule's own account.
/// </summary>
internal static class AdminEbRulesApi
{
    public static RouteGroupBuilder MapEbRules(this RouteGroupBuilder group)
    {
        group.MapGet("/eb/rules/{id}", ShowAsync).WithSummary("One Tencent EB rule of any tenant, with its dead-letter configuration.")
            .Produces<EbRuleView>().Produces<AdminError>(404);
        group.MapPut("/eb/rules/{id}/dead-letter", SetAsync).WithSummary("Sets a rule's DeadLetterConfig: DLQ (a CKafka topic of the rule's account), DROP or IGNORE_ERROR.")
            .AdminBody<EbDeadLetterRequest>().Produces<EbRuleView>().Produces<AdminError>(400).Produces<AdminError>(404);
        group.MapDelete("/eb/rules/{id}/dead-letter", ClearAsync).WithSummary("Clears a rule's DeadLetterConfig: a job that gives up is then kept as failed for redrive.")
            .Produces<EbRuleView>().Produces<AdminError>(404);
        return group;
    }

    internal static async Task<IResult> ShowAsync(HttpContext context, string id, IEbRuleStore rules, CancellationToken ct) =>
        await rules.FindRuleAsync(id, ct) is { } rule ? AdminApi.Json(View(rule)) : NotFound(context, id);

    internal static async Task<IResult> SetAsync(
        HttpContext context, string id, IEbRuleStore rules, CredentialService credentials, InstanceRegistry instances, TimeProvider time, CancellationToken ct)
    {
        if (await rules.FindRuleAsync(id, ct) is not { } rule || await credentials.GetTenantAsync(rule.TenantId, ct) is not { } tenant)
        {
            return NotFound(context, id);
        }

        var (fields, failure) = await AdminApi.ReadAsync(context, ct);
        if (fields is null)
        {
            return failure!;
        }

        var method = fields.String("dispose_method", required: true);
        var topic = fields.String("topic_name", maxLength: 249);
        var resource = fields.String("resource_description", maxLength: 512);
        if (AdminApi.Problems(context, fields) is { } problems)
        {
            return problems;
        }

        var (json, error) = EbDeadLetter.Validate(method!, topic, resource, tenant.AccountId, instance => instances.FindKafkaFor(instance, tenant.DomainName) is not null);
        if (json is null)
        {
            return AdminApi.Error(context, 400, "Junction.InvalidParameter", error!);
        }

        var updated = rule with { DeadLetter = json, UpdatedAt = time.GetUtcNow() };
        return await rules.UpdateRuleAsync(updated, ct) == EbWriteOutcome.Done ? AdminApi.Json(View(updated)) : NotFound(context, id);
    }

    internal static async Task<IResult> ClearAsync(HttpContext context, string id, IEbRuleStore rules, TimeProvider time, CancellationToken ct)
    {
        if (await rules.FindRuleAsync(id, ct) is not { } rule)
        {
            return NotFound(context, id);
        }

        var updated = rule with { DeadLetter = null, UpdatedAt = time.GetUtcNow() };
        return await rules.UpdateRuleAsync(updated, ct) == EbWriteOutcome.Done ? AdminApi.Json(View(updated)) : NotFound(context, id);
    }

    private static EbRuleView View(EbRule rule)
    {
        var config = rule.DeadLetter is null ? null : JsonNode.Parse(rule.DeadLetter);
        var dead = config is null
            ? null
            : new EbDeadLetterView(
                config["DisposeMethod"]!.GetValue<string>(),
                config["CkafkaDeliveryParams"]?["TopicName"]?.GetValue<string>(),
                config["CkafkaDeliveryParams"]?["ResourceDescription"]?.GetValue<string>());
        return new EbRuleView(rule.Id, rule.TenantId, rule.BusId, rule.Name, rule.Enabled, rule.Pattern, rule.TransformationId, dead, rule.CreatedAt, rule.UpdatedAt);
    }

    private static IResult NotFound(HttpContext context, string id) => AdminApi.Error(context, 404, "Junction.NotFound", $"EB rule '{id}' does not exist");
}
