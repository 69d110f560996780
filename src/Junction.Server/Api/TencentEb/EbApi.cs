using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using Junction.Core.Connections;
using Junction.Core.EventBuses;
using Junction.Core.Tenancy;
using Junction.Server.Api.Wire;
using Junction.Server.Auth;
using Junction.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Junction.Server.Api.TencentEb;

/// <summary>What every action handler gets: the caller, the region, the parameters and the services.</summary>
internal sealed record EbContext(Tenant Tenant, string Region, EbParams Params, EbServices Services, CancellationToken CancellationToken);

internal sealed record EbServices(
    Tc3Authenticator Authenticator, ConnectionService Connections, EventBusService Buses, EbRateLimiter RateLimiter,
    IOptions<TencentOptions> Tencent, IOptions<ConnectionQuotas> Quotas, IOptions<JunctionOptions> Junction, TimeProvider Time,
    IEbRuleStore Rules, EbPublisher Publisher, IOptions<EbDataPlaneOptions> Eb, Core.Instances.InstanceRegistry Instances,
    Core.Inventory.IInventoryStore Inventory);

/// <summary>
/// Tencent Cloud EventBridge, API version 2021-04-16: <c>POST /</c> with the action in <c>X-TC-Action</c>
/// (spec/tencent-eb.md). Checks run in Tencent's order: method, action and version, signature, rate limit, parameters,
/// values, existence, state and quotas. Every answer is HTTP 200 with the <c>Response</c> envelope.
/// </summary>
internal static partial class EbApi
{
    public const string Version = "2021-04-16";

    private static readonly JsonSerializerOptions s_json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly Dictionary<string, Func<EbContext, Task<JsonObject>>> s_actions = new(StringComparer.Ordinal)
    {
        ["CreateEventBus"] = CreateEventBusAsync,
        ["DeleteEventBus"] = DeleteEventBusAsync,
        ["GetEventBus"] = GetEventBusAsync,
        ["ListEventBuses"] = ListEventBusesAsync,
        ["UpdateEventBus"] = UpdateEventBusAsync,
        ["CreateConnection"] = CreateConnectionAsync,
        ["DeleteConnection"] = DeleteConnectionAsync,
        ["ListConnections"] = ListConnectionsAsync,
        ["UpdateConnection"] = UpdateConnectionAsync,
        ["CheckRule"] = CheckRuleAsync,
        ["CheckTransformation"] = CheckTransformationAsync,
        ["CreateRule"] = CreateRuleAsync,
        ["UpdateRule"] = UpdateRuleAsync,
        ["GetRule"] = GetRuleAsync,
        ["ListRules"] = ListRulesAsync,
        ["DeleteRule"] = DeleteRuleAsync,
        ["CreateTarget"] = CreateTargetAsync,
        ["UpdateTarget"] = UpdateTargetAsync,
        ["ListTargets"] = ListTargetsAsync,
        ["DeleteTarget"] = DeleteTargetAsync,
        ["CreateTransformation"] = CreateTransformationAsync,
        ["GetTransformation"] = GetTransformationAsync,
        ["UpdateTransformation"] = UpdateTransformationAsync,
        ["DeleteTransformation"] = DeleteTransformationAsync,
        ["PutEvents"] = PutEventsAsync,
        ["PublishEvent"] = PutEventsAsync,
    };

    public static IEndpointRouteBuilder MapTencentEb(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/", ["POST", "GET", "HEAD", "PUT", "DELETE", "PATCH"], HandleAsync);
        return app;
    }

    /// <summary>
    /// True when a request is addressed to this face (fallback errors use its envelope): anything with Tencent's headers,
    /// a TC3 signature or the legacy signature's query parameters, and every non-GET request to <c>/</c>. A plain
    /// <c>GET /</c> is not Tencent's: it gets the index page.
    /// </summary>
    public static bool Owns(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers.ContainsKey("X-TC-Action"))
        {
            return true;
        }

        if (request.Path != "/")
        {
            return false;
        }

        return !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            || request.Headers.Authorization.ToString().StartsWith("TC3-", StringComparison.Ordinal)
            || request.Headers.Keys.Any(k => k.StartsWith("X-TC-", StringComparison.OrdinalIgnoreCase))
            || request.Query.ContainsKey("Action") || request.Query.ContainsKey("Signature");
    }

    private static async Task<IResult> HandleAsync(HttpContext context, [AsParameters] EbServices services, CancellationToken cancellationToken)
    {
        if (!Owns(context.Request))
        {
            return OperatorConsole.ConsoleSetup.WantsConsole(context) ? Results.Redirect(OperatorConsole.ConsoleSetup.Prefix) : IndexPage.Answer(context);
        }

        try
        {
            return Answer(context, await DispatchAsync(context, services, cancellationToken));
        }
        catch (EbError error)
        {
            return Error(context, error.Code, error.Message);
        }
    }

    private static async Task<JsonObject> DispatchAsync(HttpContext context, EbServices services, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.Method != "POST")
        {
            throw new EbError("UnsupportedProtocol", $"HTTP method {request.Method} is not supported; send POST with a JSON body.");
        }

        var action = request.Headers["X-TC-Action"].ToString();
        if (action.Length == 0)
        {
            if (await IsLegacySignatureAsync(context, services, cancellationToken))
            {
                throw new EbError("AuthFailure.InvalidAuthorization",
                    "The legacy HmacSHA1/HmacSHA256 signature (Signature and SignatureMethod parameters) is not supported; sign with TC3-HMAC-SHA256, every official SDK's default.");
            }

            throw EbError.Missing("Action");
        }

        if (!s_actions.TryGetValue(action, out var handler))
        {
            throw new EbError("InvalidAction", $"The request `Action` is invalid or not found: `{action}`.");
        }

        var version = request.Headers["X-TC-Version"].ToString();
        if (version.Length == 0)
        {
            throw EbError.Missing("Version");
        }

        if (version != Version)
        {
            throw new EbError("NoSuchVersion", $"The API version `{version}` does not exist; EventBridge is `{Version}`.");
        }

        var max = services.Junction.Value.MaxRequestBodyBytes;
        var body = await RequestBody.ReadAsync(context, max, cancellationToken);
        if (body.TooLarge)
        {
            throw new EbError("RequestSizeLimitExceeded", $"The request body is larger than {max} bytes.");
        }

        var auth = await services.Authenticator.AuthenticateAsync(request, body.Bytes, cancellationToken);
        if (auth.Tenant is null)
        {
            throw new EbError(auth.Code!, auth.Message!);
        }

        if (!services.RateLimiter.TryAcquire(auth.Tenant.AccountId, action))
        {
            throw new EbError("RequestLimitExceeded",
                $"Request frequency limit exceeded: {services.Tencent.Value.RequestsPerSecond} requests per second for {action}.");
        }

        var region = request.Headers["X-TC-Region"].ToString();
        if (region.Length == 0)
        {
            region = services.Tencent.Value.DefaultRegion;
        }
        else if (!RegionPattern().IsMatch(region))
        {
            throw new EbError("UnsupportedRegion", $"The region `{region}` is not a region name.");
        }

        return await handler(new EbContext(auth.Tenant, region, EbParams.Parse(body.Bytes), services, cancellationToken));
    }

    /// <summary>Whether an action-less request carries the legacy signature: <c>Signature</c> or <c>SignatureMethod</c> in the query or form body.</summary>
    private static async Task<bool> IsLegacySignatureAsync(HttpContext context, EbServices services, CancellationToken cancellationToken)
    {
        static bool Legacy(IEnumerable<string> keys) => keys.Any(k => k is "Signature" or "SignatureMethod");
        if (Legacy(context.Request.Query.Keys))
        {
            return true;
        }

        var body = await RequestBody.ReadAsync(context, services.Junction.Value.MaxRequestBodyBytes, cancellationToken);
        if (body.TooLarge || body.Bytes.Length == 0 || body.Bytes[0] == (byte)'{')
        {
            return false;
        }

        var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(System.Text.Encoding.UTF8.GetString(body.Bytes));
        return Legacy(form.Keys);
    }

    private static IResult Answer(HttpContext context, JsonObject response)
    {
        response["RequestId"] = RequestId(context);
        return Results.Text(new JsonObject { ["Response"] = response }.ToJsonString(s_json), "application/json", statusCode: 200);
    }

    internal static IResult Error(HttpContext context, string code, string message)
    {
        // Tencent errors travel as HTTP 200; metrics still count them by what they are.
        context.Items[ErrorStatusKey] = code == "InternalError" ? 500 : 400;
        return Answer(context, new JsonObject { ["Error"] = new JsonObject { ["Code"] = code, ["Message"] = message } });
    }

    /// <summary>The HTTP-equivalent status of a Tencent error answer, for metrics.</summary>
    public const string ErrorStatusKey = "Junction.EbErrorStatus";

    /// <summary>Tencent request ids are UUIDs: the same id as X-Request-Id, in UUID form.</summary>
    private static string RequestId(HttpContext context)
    {
        var id = RequestIds.Get(context);
        return Guid.TryParseExact(id.AsSpan(0, Math.Min(32, id.Length)), "N", out var guid) ? guid.ToString("D") : id;
    }

    private static string Time(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>Offset, Limit (1–100, default 20), OrderBy and Order as the list actions take them.</summary>
    private static (int Offset, int Limit, SortField Sort, bool Descending) Paging(EbParams p)
    {
        var offset = p.Integer("Offset") ?? 0;
        if (offset < 0 || offset > int.MaxValue)
        {
            throw EbError.Value("Offset", $"Offset must be 0 or more, not {offset}.");
        }

        var limit = p.Integer("Limit") ?? 20;
        if (limit is < 1 or > 100)
        {
            throw EbError.Value("Limit", $"Limit must be from 1 to 100, not {limit}.");
        }

        var orderBy = p.String("OrderBy") ?? "updated_at";
        SortField sort = orderBy switch
        {
            "created_at" or "AddTime" => SortField.CreatedTime,
            "updated_at" or "ModTime" => SortField.UpdatedTime,
            "name" => SortField.Name,
            _ => throw EbError.Value("OrderBy", $"OrderBy must be created_at, updated_at or name, not '{orderBy}'."),
        };
        var order = p.String("Order") ?? "DESC";
        if (order is not ("ASC" or "DESC"))
        {
            throw EbError.Value("Order", $"Order must be ASC or DESC, not '{order}'.");
        }

        return ((int)offset, (int)limit, sort, order == "DESC");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z]{2}-[a-z0-9-]{1,40}\z")]
    private static partial System.Text.RegularExpressions.Regex RegionPattern();
}

/// <summary>Tencent's per-API frequency limit, per account and action, in this process (configurable; 0 turns it off).</summary>
internal sealed class EbRateLimiter : IDisposable
{
    /// <summary>PutEvents' rate over the per-action rate (Tencent: 1,000 against 20 requests a second).</summary>
    public const int PutEventsRateFactor = 50;

    private readonly PartitionedRateLimiter<string>? _limiter;

    public EbRateLimiter(IOptions<TencentOptions> options)
    {
        var perSecond = options.Value.RequestsPerSecond;
        if (perSecond > 0)
        {
            // PutEvents gets 50 times the per-action rate: Tencent allows 1,000 PutEvents requests a second against 20 for other actions.
            _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ =>
                new FixedWindowRateLimiterOptions
                {
                    PermitLimit = key.EndsWith("/PutEvents", StringComparison.Ordinal) || key.EndsWith("/PublishEvent", StringComparison.Ordinal)
                        ? perSecond * PutEventsRateFactor
                        : perSecond,
                    Window = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        }
    }

    public bool TryAcquire(string accountId, string action)
    {
        if (_limiter is null)
        {
            return true;
        }

        using var lease = _limiter.AttemptAcquire($"{accountId}/{action}");
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter?.Dispose();
}
