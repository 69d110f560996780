using System.ComponentModel.DataAnnotations;
using Junction.Core.Delivery;
using Junction.Runtime.Work;

namespace Junction.Delivery;

/// <summary>How events are delivered. Configuration section <c>Junction:Delivery</c>; docs/configuration.md lists every key.</summary>
public sealed class DeliveryOptions : IValidatableObject
{
    public const string SectionName = "Junction:Delivery";

    /// <summary>Run the delivery worker in this process. The default value is true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Delivery attempts running at once in this process. The default value is 1024.</summary>
    [Range(1, 4096)]
    public int Concurrency { get; set; } = 1024;

    /// <summary>
    /// Attempts through one connection at once in this process (EG's <c>flavor.concurrency</c> is the ceiling). Jobs of a
    /// connection at its limit wait for a place — in the database, or in memory when they were handed over or claimed
    /// meanwhile (<see cref="DeliveryHandoff"/>) — instead of holding a slot, so one slow endpoint never takes every
    /// slot. The default value is 500, the <c>flavor.concurrency</c> EG shows (under half of <see cref="Concurrency"/>).
    /// For a Kafka connection it bounds the messages awaiting acks, and so the producer's batches: one connection carried
    /// ~21,500 events/s at 500 and 23,700-25,800 at 2,000 (with 4,096 slots) on this machine (docs/performance.md, eighth
    /// session).
    /// </summary>
    [Range(1, 4096)]
    public int MaxInFlightPerConnection { get; set; } = 500;

    /// <summary>How long a claimed job whose connection is at its limit, put back while the worker stops, waits before it is claimed again. The default value is 50 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan BusyRetryDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How often an idle worker looks for due jobs (an accepted event wakes it at once on its own node). The default value is 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest one attempt may take, connect to answer. The default value is 10 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a claimed job stays leased to this node; must be at least twice the attempt timeout. The default value is 60 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The ceiling of the first retry's delay; doubles per retry (full jitter draws below it). The default value is 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between two attempts. The default value is 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest wait a target's Retry-After is honoured up to. The default value is 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most retries a target may ask for with <c>retry_times</c>; more is capped to this. The default value is 32.</summary>
    [Range(0, 1000)]
    public int MaxRetryTimes { get; set; } = 32;

    /// <summary>
    /// How long events whose deliveries all finished (delivered, dead-lettered, dropped) are kept for traces before
    /// they are deleted with their jobs and attempts; events with a pending or failed job are kept. The default value is 7 days.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often this node deletes what the retention let go. The default value is 10 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The retry policy of a target that asks for <paramref name="retryTimes"/> retries.</summary>
    public RetryPolicy Policy(int retryTimes) =>
        new(Math.Clamp(retryTimes, 0, MaxRetryTimes), InitialRetryDelay, MaxRetryDelay, MaxRetryAfter);

    /// <summary>The leased worker's part: the hard stop is 1.5 × the attempt timeout, inside the lease.</summary>
    public LeasedWorkerOptions Worker => new()
    {
        Enabled = Enabled,
        Concurrency = Concurrency,
        PollInterval = PollInterval,
        LeaseDuration = LeaseDuration,
        HardStop = AttemptTimeout + (AttemptTimeout / 2),
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LeaseDuration < AttemptTimeout * 2)
        {
            yield return new ValidationResult(
                $"{SectionName}:LeaseDuration ({LeaseDuration}) must be at least twice {SectionName}:AttemptTimeout ({AttemptTimeout})");
        }

        if (MaxRetryDelay < InitialRetryDelay)
        {
            yield return new ValidationResult($"{SectionName}:MaxRetryDelay must not be shorter than {SectionName}:InitialRetryDelay");
        }
    }
}
