namespace Junction.Runtime.Work;

/// <summary>How one leased worker runs; each worker binds these from its own configuration section.</summary>
public sealed record LeasedWorkerOptions
{
    /// <summary>Whether this node runs the worker at all.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Items handled at once on this node.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>How often to look for due work when nothing woke the worker.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a claim holds an item; a node that dies is replaced after this.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When every slot is busy, how long the worker may wait for more slots to free before claiming again, so that it
    /// claims batches rather than one item per freed slot.
    /// </summary>
    public TimeSpan ClaimGather { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>When a handler is stopped; must be shorter than <see cref="LeaseDuration"/>.</summary>
    public TimeSpan HardStop { get; init; } = TimeSpan.FromSeconds(15);
}
