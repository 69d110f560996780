namespace Junction.Core.Work;

/// <summary>How much of one owner's work (a connection's deliveries, say) a claim may take: per owner, and whose none.</summary>
public sealed record OwnerLimits(int PerOwner, IReadOnlyCollection<string> Busy)
{
    public static OwnerLimits None { get; } = new(int.MaxValue, []);
}
