using Junction.Core.Tenancy;
using Junction.Server.Api.Wire;
using Junction.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Junction.Server.Auth;

/// <summary>How a Huawei face words the errors of the gate.</summary>
internal interface IHuaweiGateErrors
{
    IResult Unauthorized(string reason);

    IResult WrongProject(string reason);

    IResult TooLarge(string reason);
}

/// <summary>A request that passed the gate: its tenant and its raw body.</summary>
internal sealed record GatePass(Tenant Tenant, byte[] Body);

/// <summary>
/// The common front of the Huawei faces: read the raw body (bounded), authenticate (token or AK/SK), and check that
/// the path's project is the caller's own. A tenant never reaches another project's resources.
/// </summary>
internal sealed class HuaweiGate(HuaweiAuthenticator authenticator, IOptions<JunctionOptions> options)
{
    public async Task<(GatePass? Pass, IResult? Error)> EnterAsync(
        HttpContext context, string projectId, IHuaweiGateErrors errors, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxRequestBodyBytes;
        var body = await RequestBody.ReadAsync(context, max, cancellationToken);
        if (body.TooLarge)
        {
            return (null, errors.TooLarge($"the request body is larger than {max} bytes"));
        }

        var auth = await authenticator.AuthenticateAsync(context.Request, body.Bytes, cancellationToken);
        if (auth.Tenant is null)
        {
            return (null, errors.Unauthorized(auth.Failure!));
        }

        if (!string.Equals(auth.Tenant.ProjectId, projectId, StringComparison.Ordinal))
        {
            return (null, errors.WrongProject($"the credentials do not belong to project '{projectId}'"));
        }

        return (new GatePass(auth.Tenant, body.Bytes), null);
    }
}
