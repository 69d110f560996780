namespace Junction.Core.Work;

/// <summary>
/// How much of one owner's work (a connection's deliveries, say) a claim may take: per owner, whose none, and how
/// many of an owner's are already running here (<see cref="InFlight"/>: the claim takes at most
/// <see cref="PerOwner"/> minus that, so that it does not take work it would only put back).
/// </summary>
public sealed record OwnerLimits(int PerOwner, IReadOnlyCollection<string> Busy, IReadOnlyDictionary<string, int>? InFlight = null)
{
    public static OwnerLimits None { get; } = new(int.MaxValue, []);
}
