using Junction.Core.Connections;
using Junction.Core.Tenancy;

namespace Junction.Server.OperatorConsole.Pages.Connections;

/// <summary>Every connection of every face in one list, filtered by face, state, tenant and text (part of the name or id).</summary>
public sealed class IndexModel(IConnectionStore connections, ITenantStore tenants) : ConsolePage
{
    public override string Section => "connections";

    public string? Face { get; private set; }

    public string? State { get; private set; }

    public string? Tenant { get; private set; }

    public string? Text { get; private set; }

    public ConnectionPage Results { get; private set; } = new(0, []);

    public IReadOnlyList<Tenant> Tenants { get; private set; } = [];

    public Pager Pager => new(Results.Total, PageNumber, Settings.PageSize, With);

    public string TenantName(string id) => Tenants.FirstOrDefault(t => t.Id == id)?.DomainName ?? id;

    public async Task OnGetAsync(string? face, string? state, string? tenant, string? q, CancellationToken ct)
    {
        Face = face is "eg" or "eb" or "dli" ? face : null;
        ConnectionState? wanted = Enum.TryParse<ConnectionState>(state, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(state, out _) ? parsed : null;
        State = wanted?.ToString();
        Text = q is { Length: > 0 and <= 128 } ? q.Trim() : null;
        Tenants = await tenants.ListTenantsAsync(ct);
        Tenant = Tenants.Any(t => t.Id == tenant) ? tenant : null;
        Results = await connections.ListAllAsync(new AllConnectionsQuery(Offset, Settings.PageSize, Face, wanted, Tenant, Text), ct);
    }
}
