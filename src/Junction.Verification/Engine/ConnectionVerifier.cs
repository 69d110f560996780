using Junction.Core.Connections;
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
public sealed class ConnectionVerifier(NetworkRegistry networks, InstanceRegistry instances, IKafkaProbe kafka, ISecretProtector protector)
{
    public async Task<VerificationResult> VerifyAsync(Connection connection, TimeSpan probeTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (Faces.IsTencentEb(connection.Face))
        {
            return await VerifyTencentConnectorAsync(connection, probeTimeout, cancellationToken);
        }

        var network = CheckNetwork(connection);
        if (!network.Ok)
        {
            return network;
        }

        if (connection.Kafka is not { } target)
        {
            return VerificationResult.Success(network.Message, network.Detail);
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

        var result = await kafka.ProbeAsync(
            new KafkaProbeRequest(target.BootstrapServers, target.SecurityProtocol, target.SaslMechanism, target.UserName, password),
            probeTimeout, cancellationToken);
        return result with { Detail = string.IsNullOrEmpty(result.Detail) ? network.Message : $"{result.Detail}; {network.Message}" };
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

        var instance = instances.FindKafka(target.InstanceId);
        if (instance is null)
        {
            return VerificationResult.Failure(VerificationCodes.InstanceUnknown,
                $"CKafka instance '{target.InstanceId}' is not registered with Junction", "the operator registers instances under Junction:Instances:Kafka");
        }

        return await kafka.ProbeAsync(
            new KafkaProbeRequest(instance.BootstrapServers, instance.SecurityProtocol, instance.SaslMechanism, instance.UserName, instance.Password, target.Topic),
            probeTimeout, cancellationToken);
    }

    private VerificationResult CheckNetwork(Connection connection)
    {
        if (connection.VpcId is null && connection.SubnetId is null)
        {
            return VerificationResult.Success("no network to check");
        }

        var check = networks.Check(connection.VpcId, connection.SubnetId);
        if (check.Known)
        {
            return VerificationResult.Success($"network: {check.Reason}");
        }

        return networks.Mode == NetworkMode.Strict
            ? VerificationResult.Failure(VerificationCodes.NetworkUnknown, check.Reason,
                "declare the VPC and subnet under Junction:Networks:Vpcs, or fix vpc_id/subnet_id")
            : VerificationResult.Success($"network not checked: {check.Reason}; accepted because Junction:Networks:Mode is Lax");
    }
}
