using Junction.Core.Connections;
using Junction.Core.Security;
using Microsoft.Extensions.Options;

namespace Junction.Core.EventBuses;

/// <summary>How a write of an event bus ended.</summary>
public enum BusWrite
{
    Done,
    NotFound,

    /// <summary>The Cloud (default) bus of a region cannot be changed or deleted.</summary>
    Immutable,

    /// <summary>The name <c>default</c> belongs to the Cloud bus.</summary>
    NameReserved,
    NameTaken,

    /// <summary>The region already has its quota of custom buses (<see cref="EventBusService.BusQuota"/>).</summary>
    QuotaExceeded,

    /// <summary>Rules or connectors still belong to the bus.</summary>
    InUse,
}

/// <summary>
/// The business rules of Tencent EB event buses, in Core so that the EB face only reads the wire and writes answers:
/// every account and region has its Cloud bus from its first use and it can be neither changed nor deleted, the name
/// <c>default</c> is its own, custom buses count against a per-region quota, times are whole seconds (as Tencent
/// answers them). Uniqueness, the quota and "in use" hold under concurrency because the store decides them inside its
/// transactions (<see cref="IEventBusStore"/>).
/// </summary>
public sealed class EventBusService(IEventBusStore buses, IOptions<ConnectionQuotas> quotas, TimeProvider time)
{
    /// <summary>Custom buses per tenant and region.</summary>
    public int BusQuota => quotas.Value.EbBusesPerRegion;

    /// <summary>The Cloud bus of the tenant's region, created on first use.</summary>
    public Task<EventBus> EnsureDefaultAsync(string tenantId, string region, CancellationToken cancellationToken)
    {
        var now = Now();
        return buses.EnsureDefaultAsync(new EventBus
        {
            Id = NewId(),
            TenantId = tenantId,
            Region = region,
            Name = EventBusTypes.DefaultName,
            Description = "Tencent Cloud service event bus",
            Type = EventBusTypes.Cloud,
            CreatedAt = now,
            UpdatedAt = now,
        }, cancellationToken);
    }

    /// <summary>Creates a custom bus (the region's Cloud bus first, if it has none yet).</summary>
    public async Task<(BusWrite Outcome, EventBus? Bus)> CreateAsync(
        string tenantId, string region, string name, string? description, bool? enableStore, long? saveDays, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (string.Equals(name, EventBusTypes.DefaultName, StringComparison.OrdinalIgnoreCase))
        {
            return (BusWrite.NameReserved, null);
        }

        await EnsureDefaultAsync(tenantId, region, cancellationToken);
        var now = Now();
        var bus = new EventBus
        {
            Id = NewId(),
            TenantId = tenantId,
            Region = region,
            Name = name,
            Description = description ?? "",
            Type = EventBusTypes.Custom,
            EnableStore = enableStore ?? false,
            SaveDays = saveDays,
            CreatedAt = now,
            UpdatedAt = now,
        };
        return await buses.CreateAsync(bus, BusQuota, cancellationToken) switch
        {
            BusCreateOutcome.Created => (BusWrite.Done, bus),
            BusCreateOutcome.NameTaken => (BusWrite.NameTaken, null),
            _ => (BusWrite.QuotaExceeded, null),
        };
    }

    public Task<EventBus?> GetAsync(string tenantId, string region, string id, CancellationToken cancellationToken) =>
        buses.GetAsync(tenantId, region, id, cancellationToken);

    /// <summary>The region's buses, its Cloud bus included (created on first use).</summary>
    public async Task<(long Total, IReadOnlyList<EventBus> Items)> ListAsync(EventBusQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Region is { } region)
        {
            await EnsureDefaultAsync(query.TenantId, region, cancellationToken);
        }

        return await buses.ListAsync(query, cancellationToken);
    }

    /// <summary>Changes a custom bus; a new name must not be <c>default</c> and must be free in the region.</summary>
    public async Task<BusWrite> UpdateAsync(string tenantId, string region, string id, EventBusChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var bus = await buses.GetAsync(tenantId, region, id, cancellationToken);
        if (bus is null)
        {
            return BusWrite.NotFound;
        }

        if (bus.Type == EventBusTypes.Cloud)
        {
            return BusWrite.Immutable;
        }

        if (changes.Name is not null && string.Equals(changes.Name, EventBusTypes.DefaultName, StringComparison.OrdinalIgnoreCase))
        {
            return BusWrite.NameReserved;
        }

        try
        {
            return await buses.UpdateAsync(tenantId, region, id, changes, Now(), cancellationToken) is null ? BusWrite.NotFound : BusWrite.Done;
        }
        catch (NameTakenException)
        {
            return BusWrite.NameTaken;
        }
    }

    /// <summary>Deletes a custom bus that has no rules and no connectors (checked in the delete's transaction).</summary>
    public async Task<BusWrite> DeleteAsync(string tenantId, string region, string id, CancellationToken cancellationToken)
    {
        var bus = await buses.GetAsync(tenantId, region, id, cancellationToken);
        if (bus is null)
        {
            return BusWrite.NotFound;
        }

        if (bus.Type == EventBusTypes.Cloud)
        {
            return BusWrite.Immutable;
        }

        return await buses.DeleteAsync(tenantId, region, id, cancellationToken) switch
        {
            BusDeleteOutcome.Deleted => BusWrite.Done,
            BusDeleteOutcome.InUse => BusWrite.InUse,
            _ => BusWrite.NotFound,
        };
    }

    private static string NewId() => "eb-" + RandomIds.Suffix(8);

    /// <summary>Tencent answers bus times in whole seconds; storing them so keeps what is read back equal to what was answered.</summary>
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
}
