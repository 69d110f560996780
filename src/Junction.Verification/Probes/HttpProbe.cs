using System.Net;
using Junction.Core.Verification;
using Junction.Runtime.Egress;
using Junction.Runtime.Http;

namespace Junction.Verification.Probes;

public interface IHttpProbe
{
    Task<VerificationResult> ProbeAsync(Uri endpoint, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>
/// Sends one bounded <c>HEAD</c> request (falling back to <c>GET</c> when the server refuses <c>HEAD</c>) through
/// Runtime's guarded HTTP client, so not even the TCP handshake reaches a refused address; redirects are followed by
/// hand (at most 3), each target checked again.
/// </summary>
public sealed class HttpProbe : IHttpProbe, IDisposable
{
    private const int MaxRedirects = 3;
    private readonly EgressGuard _egress;
    private readonly HttpClient _client;

    public HttpProbe(EgressGuard egress, OutboundHttp http)
    {
        ArgumentNullException.ThrowIfNull(http);
        _egress = egress;
        _client = http.CreateClient("junction-verifier/1.0", TimeSpan.FromMinutes(1));
    }

    public async Task<VerificationResult> ProbeAsync(Uri endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var target = endpoint;
        for (var hop = 0; ; hop++)
        {
            if (target.Scheme is not ("http" or "https"))
            {
                return VerificationResult.Failure(VerificationCodes.HttpUnreachable, $"{target} is not an http or https URL");
            }

            var decision = await _egress.CheckAsync(target.Host, target.Port, cancellationToken);
            if (!decision.Allowed)
            {
                return VerificationResult.Failure(decision.Refusal!);
            }

            HttpResponseMessage response;
            try
            {
                response = await SendAsync(HttpMethod.Head, target, deadline.Token);
                if (response.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented)
                {
                    response.Dispose();
                    response = await SendAsync(HttpMethod.Get, target, deadline.Token);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return VerificationResult.Failure(VerificationCodes.HttpTimeout,
                    $"{target} did not answer within {timeout.TotalSeconds:0.###} s", $"step: request to {target.Authority}");
            }
            catch (HttpRequestException exception) when (exception.InnerException is EgressRefusedException refused)
            {
                return VerificationResult.Failure(refused.Failure);
            }
            catch (HttpRequestException exception)
            {
                return VerificationResult.Failure(VerificationCodes.HttpUnreachable,
                    $"{target} could not be reached: {exception.Message}", $"step: {exception.HttpRequestError}");
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (hop >= MaxRedirects)
                    {
                        return VerificationResult.Failure(VerificationCodes.HttpStatus, $"{endpoint} redirects more than {MaxRedirects} times");
                    }

                    target = new Uri(target, location);
                    continue;
                }

                // Any answer below 500 proves the endpoint is reachable and serving; 5xx says it is up but broken.
                return status < 500
                    ? VerificationResult.Success($"{target} answered HTTP {status}", $"{response.Version} {status} {response.ReasonPhrase}")
                    : VerificationResult.Failure(VerificationCodes.HttpStatus, $"{target} answered HTTP {status}", "the endpoint is reachable but failing");
            }
        }
    }

    public void Dispose() => _client.Dispose();

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri target, CancellationToken cancellationToken) =>
        _client.SendAsync(new HttpRequestMessage(method, target), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
}
