using Junction.Core.Connections;

namespace Junction.Server.OperatorConsole.Pages.Connections;

/// <summary>Every connection of every face in one list, filtered by face, state, tenant and text (part of the name or id).</summary>
public sealed class IndexModel(IConnectionStore connections) : ConsolePage
{
    public override string Section => "connections";

    public string? Face { get; private set; }

    public string? State { get; private set; }

    public string? Tenant { get; private set; }

    public string? Text { get; private set; }

    public ConnectionPage Results { get; private set; } = new(0, []);

    public Pager Pager => new(Results.Total, PageNumber, Settings.PageSize, With);

    public async Task OnGetAsync(string? face, string? state, string? tenant, string? q, CancellationToken ct)
    {
        Face = face is "eg" or "eb" or "dli" ? face : null;
        ConnectionState? wanted = Enum.TryParse<ConnectionState>(state, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(state, out _) ? parsed : null;
        State = wanted?.ToString();
        Text = q is { Length: > 0 and <= 128 } ? q.Trim() : null;
        Tenant = (await LoadTenantsAsync(tenant, ct))?.Id;
        Results = await connections.ListAllAsync(new AllConnectionsQuery(Offset, Settings.PageSize, Face, wanted, Tenant, Text), ct);
    }
}
