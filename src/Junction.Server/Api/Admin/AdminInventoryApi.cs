using System.Text.RegularExpressions;
using Junction.Core.Instances;
using Junction.Core.Inventory;
using Junction.Core.Networks;
using Junction.Core.Security;
using Junction.Server.Api.Wire;
using Junction.Server.Hosting;

namespace Junction.Server.Api.Admin;

/// <summary>
/// Networks (VPCs and their subnets) and Kafka instance registrations in the admin API. They are kept in the database
/// and join those declared in configuration, which are listed (<c>source: config</c>) but cannot be changed here.
/// A change takes effect on this node at once and on the others within <c>Junction:InventoryRefresh</c>.
/// </summary>
internal static partial class AdminInventoryApi
{
    public static RouteGroupBuilder MapInventory(this RouteGroupBuilder group)
    {
        group.MapGet("/networks", ListNetworksAsync).WithSummary("Every VPC with its subnets, from configuration and from this API.").Produces<NetworkList>();
        group.MapPost("/networks", AddVpcAsync).WithSummary("Registers a VPC.")
            .AdminBody<CreateNetworkRequest>().Produces<VpcView>(201).Produces<AdminError>(400).Produces<AdminError>(409);
        group.MapDelete("/networks/{id}", DeleteVpcAsync).WithSummary("Removes a VPC that has no subnets left.")
            .Produces(204).Produces<AdminError>(404).Produces<AdminError>(409);
        group.MapPost("/networks/{id}/subnets", AddSubnetAsync).WithSummary("Registers a subnet of a registered VPC.")
            .AdminBody<CreateNetworkRequest>().Produces<SubnetView>(201).Produces<AdminError>(400).Produces<AdminError>(404).Produces<AdminError>(409);
        group.MapDelete("/networks/{id}/subnets/{subnet}", DeleteSubnetAsync).WithSummary("Removes a subnet.")
            .Produces(204).Produces<AdminError>(404).Produces<AdminError>(409);

        group.MapGet("/instances/kafka", ListKafkaAsync).WithSummary("Every Kafka instance, from configuration and from this API; passwords are never shown.")
            .Produces<ItemList<KafkaInstanceView>>();
        group.MapGet("/instances/kafka/{id}", ShowKafkaAsync).WithSummary("One Kafka instance.").Produces<KafkaInstanceView>().Produces<AdminError>(404);
        group.MapPost("/instances/kafka", AddKafkaAsync).WithSummary("Registers a Kafka instance (an instance id such as ckafka-xxxxxxxx and how to reach it).")
            .AdminBody<KafkaInstanceRequest>().Produces<KafkaInstanceView>(201).Produces<AdminError>(400).Produces<AdminError>(409);
        group.MapPut("/instances/kafka/{id}", UpdateKafkaAsync).WithSummary("Replaces a Kafka instance's settings; without a password, the kept one stays.")
            .AdminBody<KafkaInstanceRequest>().Produces<KafkaInstanceView>().Produces<AdminError>(400).Produces<AdminError>(404).Produces<AdminError>(409);
        group.MapDelete("/instances/kafka/{id}", DeleteKafkaAsync).WithSummary("Removes a Kafka instance.")
            .Produces(204).Produces<AdminError>(404).Produces<AdminError>(409);
        return group;
    }

    internal static async Task<IResult> ListNetworksAsync(NetworkRegistry networks, InventorySync sync, CancellationToken ct)
    {
        // Read through the database so that a change made on another node shows at once here too.
        await sync.RefreshAsync(ct);
        return AdminApi.Json(new NetworkList(networks.Mode.ToString(), [.. networks.Vpcs.Select(v => VpcOf(v, networks))]));
    }

    internal static Task<IResult> AddVpcAsync(
        HttpContext context, IInventoryStore store, NetworkRegistry networks, InventorySync sync, TimeProvider time, Junction.Core.Tenancy.ITenantStore tenants,
        CancellationToken ct) =>
        AddNetworkAsync(context, null, store, networks, sync, time, tenants, ct);

    internal static Task<IResult> AddSubnetAsync(
        HttpContext context, string id, IInventoryStore store, NetworkRegistry networks, InventorySync sync, TimeProvider time, Junction.Core.Tenancy.ITenantStore tenants,
        CancellationToken ct) =>
        AddNetworkAsync(context, id, store, networks, sync, time, tenants, ct);

    internal static async Task<IResult> AddNetworkAsync(
        HttpContext context, string? vpcId, IInventoryStore store, NetworkRegistry networks, InventorySync sync, TimeProvider time,
        Junction.Core.Tenancy.ITenantStore tenants, CancellationToken ct)
    {
        var (fields, failure) = await AdminApi.ReadAsync(context, ct);
        if (fields is null)
        {
            return failure!;
        }

        var id = fields.String("id", required: true);
        var name = fields.String("name", maxLength: 64);
        var cidr = fields.String("cidr");
        CheckId(fields, id, "id");
        if (cidr is not null && !Cidr.TryParse(cidr, out _))
        {
            fields.Problem($"cidr '{cidr}' is not a CIDR such as 10.0.0.0/16");
        }

        // A VPC names its owner (or is shared); a subnet goes with its VPC.
        var (tenant, shared) = vpcId is null ? Owner(fields, "VPC") : (null, false);
        if (vpcId is not null && (fields.Has("tenant") || fields.Has("shared")))
        {
            fields.Problem("a subnet belongs to whoever its VPC belongs to: give tenant or shared on the VPC, not here");
        }

        if (AdminApi.Problems(context, fields) is { } problems)
        {
            return problems;
        }

        if (await UnknownOwnerAsync(context, tenant, tenants, ct) is { } unknown)
        {
            return unknown;
        }

        if (vpcId is not null && networks.IsConfigured(vpcId))
        {
            return Conflict(context, $"VPC '{vpcId}' is declared in configuration (Junction:Networks); add its subnets there");
        }

        if (networks.IsConfigured(id!))
        {
            return Conflict(context, $"'{id}' is declared in configuration (Junction:Networks)");
        }

        var outcome = await store.AddNetworkAsync(new StoredNetwork(id!, vpcId, name, cidr, time.GetUtcNow(), tenant, shared), ct);
        await sync.RefreshAsync(ct);
        return outcome switch
        {
            InventoryWrite.Done => vpcId is null
                ? AdminApi.Json(new VpcView(id!, name, cidr, "admin", [], tenant, shared), 201)
                : AdminApi.Json(new SubnetView(id!, name, cidr), 201),
            InventoryWrite.MissingVpc => AdminApi.Error(context, 404, "Junction.NotFound", $"VPC '{vpcId}' is not registered"),
            _ => Conflict(context, $"a VPC or subnet with id '{id}' is already registered"),
        };
    }

    internal static Task<IResult> DeleteVpcAsync(HttpContext context, string id, IInventoryStore store, NetworkRegistry networks, InventorySync sync, CancellationToken ct) =>
        DeleteNetworkAsync(context, null, id, store, networks, sync, ct);

    internal static Task<IResult> DeleteSubnetAsync(
        HttpContext context, string id, string subnet, IInventoryStore store, NetworkRegistry networks, InventorySync sync, CancellationToken ct) =>
        DeleteNetworkAsync(context, id, subnet, store, networks, sync, ct);

    internal static async Task<IResult> DeleteNetworkAsync(
        HttpContext context, string? vpcId, string id, IInventoryStore store, NetworkRegistry networks, InventorySync sync, CancellationToken ct)
    {
        if (networks.IsConfigured(id) || (vpcId is not null && networks.IsConfigured(vpcId)))
        {
            return Conflict(context, $"'{vpcId ?? id}' is declared in configuration (Junction:Networks); change it there");
        }

        if (vpcId is not null && !(await store.ListNetworksAsync(ct)).Any(n => n.Id == id && n.VpcId == vpcId))
        {
            return AdminApi.Error(context, 404, "Junction.NotFound", $"VPC '{vpcId}' has no registered subnet '{id}'");
        }

        var outcome = await store.DeleteNetworkAsync(id, ct);
        await sync.RefreshAsync(ct);
        return outcome switch
        {
            InventoryWrite.Done => Results.NoContent(),
            InventoryWrite.HasSubnets => Conflict(context, $"VPC '{id}' still has subnets; remove them first"),
            _ => AdminApi.Error(context, 404, "Junction.NotFound", $"'{id}' is not a registered network"),
        };
    }

    internal static async Task<IResult> ListKafkaAsync(InstanceRegistry instances, InventorySync sync, CancellationToken ct)
    {
        await sync.RefreshAsync(ct);
        return AdminApi.Json(new ItemList<KafkaInstanceView>([.. instances.Kafka.Select(k => KafkaOf(k, instances))]));
    }

    internal static async Task<IResult> ShowKafkaAsync(HttpContext context, string id, InstanceRegistry instances, InventorySync sync, CancellationToken ct)
    {
        await sync.RefreshAsync(ct);
        return instances.FindKafka(id) is { } instance ? AdminApi.Json(KafkaOf(instance, instances)) : InstanceNotFound(context, id);
    }

    internal static async Task<IResult> AddKafkaAsync(
        HttpContext context, IInventoryStore store, InstanceRegistry instances, ISecretProtector protector, InventorySync sync, TimeProvider time,
        Junction.Core.Tenancy.ITenantStore tenants, CancellationToken ct)
    {
        var (request, failure) = await ReadKafkaAsync(context, null, tenants, ct);
        if (request is null)
        {
            return failure!;
        }

        if (instances.IsConfigured(request.Id))
        {
            return Conflict(context, $"Kafka instance '{request.Id}' is declared in configuration (Junction:Instances:Kafka)");
        }

        var now = time.GetUtcNow();
        var outcome = await store.AddKafkaInstanceAsync(Stored(request, request.Password is null ? null : protector.Protect(request.Password), now, now), ct);
        await sync.RefreshAsync(ct);
        return outcome == InventoryWrite.Done
            ? AdminApi.Json(KafkaOf(instances.FindKafka(request.Id)!, instances), 201)
            : Conflict(context, $"Kafka instance '{request.Id}' is already registered");
    }

    internal static async Task<IResult> UpdateKafkaAsync(
        HttpContext context, string id, IInventoryStore store, InstanceRegistry instances, ISecretProtector protector, InventorySync sync, TimeProvider time,
        Junction.Core.Tenancy.ITenantStore tenants, CancellationToken ct)
    {
        if (instances.IsConfigured(id))
        {
            return Conflict(context, $"Kafka instance '{id}' is declared in configuration (Junction:Instances:Kafka); change it there");
        }

        var current = (await store.ListKafkaInstancesAsync(ct)).FirstOrDefault(k => k.Id == id);
        if (current is null)
        {
            return InstanceNotFound(context, id);
        }

        var (request, failure) = await ReadKafkaAsync(context, id, tenants, ct);
        if (request is null)
        {
            return failure!;
        }

        // Without a password the kept one stays, unless the new settings need none.
        var password = request.Password is not null ? protector.Protect(request.Password)
            : request.UserName is null ? null
            : current.ProtectedPassword;
        var outcome = await store.UpdateKafkaInstanceAsync(Stored(request, password, current.CreatedAt, time.GetUtcNow()), ct);
        await sync.RefreshAsync(ct);
        return outcome == InventoryWrite.Done ? AdminApi.Json(KafkaOf(instances.FindKafka(id)!, instances)) : InstanceNotFound(context, id);
    }

    internal static async Task<IResult> DeleteKafkaAsync(HttpContext context, string id, IInventoryStore store, InstanceRegistry instances, InventorySync sync, CancellationToken ct)
    {
        if (instances.IsConfigured(id))
        {
            return Conflict(context, $"Kafka instance '{id}' is declared in configuration (Junction:Instances:Kafka); remove it there");
        }

        var outcome = await store.DeleteKafkaInstanceAsync(id, ct);
        await sync.RefreshAsync(ct);
        return outcome == InventoryWrite.Done ? Results.NoContent() : InstanceNotFound(context, id);
    }

    /// <summary>Reads and checks a Kafka instance body; on update the id comes from the path (a body id must match it).</summary>
    private static async Task<(KafkaInstanceRequest? Request, IResult? Failure)> ReadKafkaAsync(
        HttpContext context, string? pathId, Junction.Core.Tenancy.ITenantStore tenants, CancellationToken ct)
    {
        var (fields, failure) = await AdminApi.ReadAsync(context, ct);
        if (fields is null)
        {
            return (null, failure);
        }

        var id = fields.String("id", required: pathId is null) ?? pathId;
        if (pathId is not null && id != pathId)
        {
            fields.Problem($"id '{id}' in the body differs from '{pathId}' in the path");
        }

        CheckId(fields, id, "id");
        var servers = fields.String("bootstrap_servers", required: true, maxLength: 1024);
        if (servers is not null && !servers.Split(',').All(s => ServerPattern().IsMatch(s.Trim()) && PortOk(s.Trim())))
        {
            fields.Problem($"bootstrap_servers must be host:port[,host:port...] with ports from 1 to 65535 (got '{servers}')");
        }

        var protocol = fields.String("security_protocol") ?? "PLAINTEXT";
        if (protocol is not ("PLAINTEXT" or "SASL_PLAINTEXT" or "SASL_SSL" or "SSL"))
        {
            fields.Problem($"security_protocol must be PLAINTEXT, SASL_PLAINTEXT, SASL_SSL or SSL (got '{protocol}')");
        }

        var sasl = protocol.StartsWith("SASL_", StringComparison.Ordinal);
        var mechanism = fields.String("sasl_mechanism");
        var user = fields.String("user_name", maxLength: 256);
        var password = fields.String("password", maxLength: 1024);
        if (sasl)
        {
            mechanism ??= "PLAIN";
            if (mechanism is not ("PLAIN" or "SCRAM-SHA-256" or "SCRAM-SHA-512"))
            {
                fields.Problem($"sasl_mechanism must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (got '{mechanism}')");
            }

            if (user is null)
            {
                fields.Problem($"user_name is required with {protocol}");
            }
        }
        else if (mechanism is not null || user is not null || password is not null)
        {
            fields.Problem($"sasl_mechanism, user_name and password go with SASL_PLAINTEXT or SASL_SSL, not {protocol}");
        }

        var (tenant, shared) = Owner(fields, "Kafka instance");
        if (AdminApi.Problems(context, fields) is { } problems)
        {
            return (null, problems);
        }

        if (await UnknownOwnerAsync(context, tenant, tenants, ct) is { } unknown)
        {
            return (null, unknown);
        }

        return (new KafkaInstanceRequest(id!, string.Join(',', servers!.Split(',').Select(s => s.Trim())), protocol, mechanism, user, password, tenant, shared), null);
    }

    /// <summary>
    /// Who may use a network or an instance: <c>tenant</c> (a tenant's IAM domain name) or <c>"shared": true</c>, exactly
    /// one (issue 19: shared infrastructure must be owned, or shared on purpose).
    /// </summary>
    internal static (string? Tenant, bool Shared) Owner(JsonFields fields, string what)
    {
        var tenant = fields.String("tenant", maxLength: 64);
        var shared = fields.Bool("shared") ?? false;
        if ((tenant is null) == !shared)
        {
            fields.Problem($"a {what} needs either tenant (the IAM domain name of the only tenant that may use it) or \"shared\": true (every tenant may), not both or neither");
        }

        return (tenant, shared);
    }

    /// <summary>The 400 for an owner that names no tenant's IAM domain name; null when it names one, or none (shared).</summary>
    internal static async Task<IResult?> UnknownOwnerAsync(HttpContext context, string? tenant, Junction.Core.Tenancy.ITenantStore tenants, CancellationToken ct) =>
        tenant is not null && await tenants.FindByDomainNameAsync(tenant, ct) is null
            ? AdminApi.Error(context, 400, "Junction.InvalidParameter", $"tenant '{tenant}' is no tenant's IAM domain name (junction tenants list)")
            : null;

    private static bool PortOk(string server) =>
        int.TryParse(server[(server.LastIndexOf(':') + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
        && port is >= 1 and <= 65535;

    private static StoredKafkaInstance Stored(KafkaInstanceRequest r, string? protectedPassword, DateTimeOffset created, DateTimeOffset updated) =>
        new(r.Id, r.BootstrapServers, r.SecurityProtocol!, r.SaslMechanism, r.UserName, protectedPassword, created, updated, r.Tenant, r.Shared ?? false);

    private static void CheckId(JsonFields fields, string? id, string field)
    {
        if (id is not null && !IdPattern().IsMatch(id))
        {
            fields.Problem($"{field} must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit (got '{id}')");
        }
    }

    private static VpcView VpcOf(VpcOptions v, NetworkRegistry networks) =>
        new(v.Id, v.Name, v.Cidr, networks.IsConfigured(v.Id) ? "config" : "admin", [.. v.Subnets.Select(s => new SubnetView(s.Id, s.Name, s.Cidr))], v.Tenant, v.Shared);

    private static KafkaInstanceView KafkaOf(KafkaInstance k, InstanceRegistry instances) =>
        new(k.Id, k.BootstrapServers, k.SecurityProtocol, k.SaslMechanism, k.UserName, !string.IsNullOrEmpty(k.Password) || k.PasswordUnreadable,
            instances.IsConfigured(k.Id) ? "config" : "admin", k.Tenant, k.Shared);

    private static IResult Conflict(HttpContext context, string message) => AdminApi.Error(context, 409, "Junction.Conflict", message);

    private static IResult InstanceNotFound(HttpContext context, string id) =>
        AdminApi.Error(context, 404, "Junction.NotFound", $"Kafka instance '{id}' is not registered");

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):[0-9]{1,5}\z")]
    private static partial Regex ServerPattern();
}
