using Junction.Core.Connections;
using Junction.Core.Dli;
using Junction.Core.Events;
using Junction.Core.Instances;
using Junction.Core.Networks;
using Junction.Core.Security;
using Junction.Core.Verification;
using Junction.Verification.Probes;

namespace Junction.Verification.Engine;

/// <summary>
/// Decides what verifying one connection means and runs the probes for it. For an EG connection: its VPC and subnet
/// must be declared networks (strict mode) or are accepted with a note saying they were not checked (lax mode); a
/// KAFKA connection's cluster must then answer a metadata request with the connection's own security settings.
/// </summary>
public sealed class ConnectionVerifier(
    NetworkRegistry networks, InstanceRegistry instances, IKafkaProbe kafka, IPingProbe ping, ISecretProtector protector,
    IHttpProbe? http = null, IEgStore? eg = null, Runtime.Egress.EgressGuard? egress = null, Core.Tenancy.CredentialService? credentials = null)
{
    /// <summary>At most this many DLI hosts are pinged per check; the rest pass the egress check only.</summary>
    public const int MaxPingedHosts = 16;

    public async Task<VerificationResult> VerifyAsync(Connection connection, TimeSpan probeTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (Scopes.IsTencentEb(connection.Scope))
        {
            return await VerifyTencentConnectorAsync(connection, probeTimeout, cancellationToken);
        }

        var network = CheckNetwork(connection);
        if (!network.Ok)
        {
            return network;
        }

        if (connection.Scope == Scopes.HuaweiDli)
        {
            return await VerifyDliHostsAsync(connection, network, probeTimeout, cancellationToken);
        }

        if (connection.Kafka is not { } target)
        {
            return connection.Scope == Scopes.HuaweiEg
                ? await VerifyWebhookAsync(connection, network, probeTimeout, cancellationToken)
                : VerificationResult.Success(network.Message, network.Detail);
        }

        string? password = null;
        if (connection.ProtectedSecret is not null)
        {
            password = protector.Unprotect(connection.ProtectedSecret);
            if (password is null)
            {
                return VerificationResult.Failure(VerificationCodes.SecretUnavailable,
                    "the stored password cannot be decrypted (the data-protection key ring changed); update the connection's credentials");
            }
        }

        // The bootstrap addresses must also keep to the connection's network rules (never another tenant's network).
        if (egress is not null && networks.Confine(connection.VpcId, connection.SubnetId, connection.Name, connection.TenantId) is { } confine)
        {
            foreach (var (host, port) in new Runtime.Kafka.KafkaEndpoint(target.BootstrapServers, target.SecurityProtocol, null, null, null).Bootstraps())
            {
                var decision = await egress.CheckAsync(host, port, cancellationToken);
                if (decision.Allowed && decision.Addresses.Select(a => confine(a, port)).FirstOrDefault(f => f is not null) is { } refused)
                {
                    return VerificationResult.Failure(refused.Code, refused.Message, network.Message);
                }
            }
        }

        var result = await kafka.ProbeAsync(KafkaProbeRequest.For(target, password), probeTimeout, cancellationToken);
        return result with { Detail = string.IsNullOrEmpty(result.Detail) ? network.Message : $"{result.Detail}; {network.Message}" };
    }

    /// <summary>
    /// An EG WEBHOOK connection is the path to the targets that use it: once one does, the most recently changed
    /// target's URL is requested through it (one bounded HEAD, egress-checked, and in strict network mode only inside
    /// the connection's network). Until a target uses it, only the network was checked, and the status says so.
    /// </summary>
    private async Task<VerificationResult> VerifyWebhookAsync(Connection connection, VerificationResult network, TimeSpan probeTimeout, CancellationToken cancellationToken)
    {
        if (http is null || eg is null)
        {
            return VerificationResult.Success(network.Message, network.Detail);
        }

        var (_, targets) = await eg.ListAsync(new EgQuery(connection.TenantId, EgKinds.Target, 0, 1, RefId: connection.Id, Sort: "updated_at"), cancellationToken);
        var target = targets.Select(d => EgJson.Read<EgTarget>(d.Body)).FirstOrDefault();
        var url = target?.Detail?["url"]?.GetValue<string>() ?? target?.ApigwDetail?["url"]?.GetValue<string>();
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var endpoint))
        {
            return VerificationResult.Success(
                $"{network.Message}; no subscription target uses this connection yet, so no endpoint was contacted", network.Detail);
        }

        if (networks.Confine(connection.VpcId, connection.SubnetId, connection.Name, connection.TenantId) is { } confine && egress is not null)
        {
            var decision = await egress.CheckAsync(endpoint.Host, endpoint.Port, cancellationToken);
            if (!decision.Allowed)
            {
                return VerificationResult.Failure(decision.Refusal!);
            }

            if (decision.Addresses.Select(a => confine(a, endpoint.Port)).FirstOrDefault(f => f is not null) is { } refused)
            {
                return VerificationResult.Failure(refused.Code, $"target {target!.Id} posts to {endpoint.Authority}: {refused.Message}", network.Message);
            }
        }

        var probed = await http.ProbeAsync(endpoint, probeTimeout, cancellationToken);
        return probed with
        {
            Message = $"target {target!.Id}: {probed.Message}",
            Detail = string.IsNullOrEmpty(probed.Detail) ? network.Message : $"{probed.Detail}; {network.Message}",
        };
    }

    /// <summary>
    /// A Tencent EB connector: <c>ckafka</c> resolves its instance id through the operator's instance registry and must
    /// find its topic on that cluster; <c>apigw</c>, <c>tdmq</c> and <c>dts</c> name Tencent services Junction cannot
    /// reach, so after the checks done at create (format, type, owner account) they are reported as not verified.
    /// </summary>
    private async Task<VerificationResult> VerifyTencentConnectorAsync(Connection connection, TimeSpan probeTimeout, CancellationToken cancellationToken)
    {
        if (connection.Kafka is not { } target)
        {
            return VerificationResult.NotVerified(
                $"the {connection.Kind} resource is well-formed and belongs to this account, but Junction has no access to Tencent's {connection.Kind} service, so the resource itself was not checked");
        }

        // Only the tenant's own instances and shared ones: another tenant's instance answers as an unknown one, so its
        // topics and credentials are neither used nor revealed.
        var tenant = credentials is null ? null : await credentials.GetTenantAsync(connection.TenantId, cancellationToken);
        var instance = instances.FindKafkaFor(target.InstanceId, tenant?.DomainName);
        if (instance is null)
        {
            return VerificationResult.Failure(VerificationCodes.InstanceUnknown,
                $"CKafka instance '{target.InstanceId}' is not registered with Junction for this account",
                "the operator registers instances with 'junction instances add' (the admin API) or under Junction:Instances:Kafka, for this tenant or shared");
        }

        if (instance.PasswordUnreadable)
        {
            return VerificationResult.Failure(VerificationCodes.SecretUnavailable,
                $"the stored password of Kafka instance '{instance.Id}' cannot be decrypted (the data-protection key ring changed); set it again with 'junction instances update'");
        }

        return await kafka.ProbeAsync(
            new KafkaProbeRequest(instance.BootstrapServers, instance.SecurityProtocol, instance.SaslMechanism, instance.UserName, instance.Password, target.Topic),
            probeTimeout, cancellationToken);
    }

    /// <summary>
    /// A DLI enhanced connection: the destination network (as for EG), then its hosts — every host's address must be
    /// allowed by the egress policy (all of them, checked before anything is sent), and the first
    /// <see cref="MaxPingedHosts"/> must answer an ICMP echo.
    /// </summary>
    private async Task<VerificationResult> VerifyDliHostsAsync(Connection connection, VerificationResult network, TimeSpan probeTimeout, CancellationToken cancellationToken)
    {
        var hosts = DliConnectionDetail.Parse(connection.Detail).Hosts;
        if (hosts.Count == 0)
        {
            return VerificationResult.Success(network.Message, "no hosts declared");
        }

        // Every host passes the egress policy and the connection's network rules, not only those pinged: a refused
        // address among the rest fails the check.
        var confine = networks.Confine(connection.VpcId, connection.SubnetId, connection.Name, connection.TenantId);
        foreach (var host in hosts)
        {
            if (!System.Net.IPAddress.TryParse(host.Ip, out var address))
            {
                continue;
            }

            if ((egress?.Check(address, 0) ?? confine?.Invoke(address, 0)) is { } refusal)
            {
                return VerificationResult.Failure(refusal.Code, $"host {host.Name} ({host.Ip}): {refusal.Message}", refusal.Detail);
            }
        }

        var pinged = hosts.Take(MaxPingedHosts).ToList();
        var results = await Task.WhenAll(pinged.Select(h => ping.ProbeAsync(h.Ip, probeTimeout / 2, cancellationToken)));
        var failed = results.Select((r, i) => (Result: r, Host: pinged[i])).Where(x => !x.Result.Ok).ToList();
        if (failed.Count > 0)
        {
            var first = failed[0];
            return VerificationResult.Failure(first.Result.Code,
                $"host {first.Host.Name} ({first.Host.Ip}): {first.Result.Message}" + (failed.Count > 1 ? $"; {failed.Count - 1} more host(s) failed" : ""),
                string.Join("; ", failed.Select(f => $"{f.Host.Name}: {f.Result.Message}")));
        }

        var unpinged = hosts.Count - pinged.Count;
        var note = unpinged > 0 ? $"; {unpinged} more host(s) not pinged (limit {MaxPingedHosts})" : "";
        return VerificationResult.Success($"{pinged.Count} host(s) answered ICMP echo{note}", network.Message);
    }

    private VerificationResult CheckNetwork(Connection connection)
    {
        if (connection.VpcId is null && connection.SubnetId is null)
        {
            return VerificationResult.Success("no network to check");
        }

        var check = networks.Check(connection.VpcId, connection.SubnetId, connection.TenantId);
        if (check.Known)
        {
            return VerificationResult.Success($"network: {check.Reason}");
        }

        if (check.Foreign)
        {
            // In any mode: naming another tenant's VPC never reaches into it.
            return VerificationResult.Failure(VerificationCodes.NetworkUnknown, check.Reason, "use a VPC of this tenant's own, or one the operator shares");
        }

        return networks.Mode == NetworkMode.Strict
            ? VerificationResult.Failure(VerificationCodes.NetworkUnknown, check.Reason,
                "declare the VPC and subnet under Junction:Networks:Vpcs, or fix vpc_id/subnet_id")
            : VerificationResult.Success($"network not checked: {check.Reason}; accepted because Junction:Networks:Mode is Lax");
    }
}
