using Junction.Core.Connections;
using Junction.Core.Delivery;
using Junction.Core.Networks;
using Junction.Core.Verification;

namespace Junction.Server.OperatorConsole.Pages;

/// <summary>The overview: connections by face and state, what is failing and since when, deliveries per minute, the egress policy.</summary>
public sealed class IndexModel(IConnectionStore connections, IVerificationStore verifications, IDeliveryStore deliveries, EgressPolicy egress, NetworkRegistry networks)
    : ConsolePage
{
    public override string Section => "overview";

    public IReadOnlyList<FaceStateTotal> Counts { get; private set; } = [];

    public ConnectionPage Failing { get; private set; } = new(0, []);

    public IReadOnlyDictionary<string, DateTimeOffset> FailingSince { get; private set; } = new Dictionary<string, DateTimeOffset>();

    public IReadOnlyList<DeliveryMinute> Minutes { get; private set; } = [];

    public long FailedDeliveries { get; private set; }

    public long PendingDeliveries { get; private set; }

    public IReadOnlyList<string> Allowed { get; private set; } = [];

    public string NetworkMode => networks.Mode.ToString();

    public async Task OnGetAsync(CancellationToken ct)
    {
        var now = Now;
        Counts = await connections.CountByFaceAndStateAsync(ct);
        Failing = await connections.ListAllAsync(new AllConnectionsQuery(0, 10, State: ConnectionState.Failed), ct);
        FailingSince = await verifications.FailingSinceAsync([.. Failing.Items.Select(c => c.Id)], ct);
        Minutes = await deliveries.MinutesAsync(now.AddMinutes(-ConsoleCharts.Minutes + 1).AddSeconds(-now.Second), ct);
        FailedDeliveries = (await deliveries.ListAsync(new DeliveryFilter(State: DeliveryState.Failed), 0, 1, ct)).Total;
        PendingDeliveries = (await deliveries.ListAsync(new DeliveryFilter(State: DeliveryState.Pending), 0, 1, ct)).Total;
        Allowed = [.. egress.Allowed.Select(c => c.ToString())];
    }

    public long Count(string face, ConnectionState state) => Counts.Where(c => c.Face == face && c.State == state).Sum(c => c.Count);
}
