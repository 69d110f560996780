using System.ComponentModel.DataAnnotations;

namespace Junction.Verification.Engine;

/// <summary>Timing and limits of verification. Configuration section <c>Junction:Verification</c>.</summary>
public sealed class VerificationOptions : IValidatableObject
{
    public const string SectionName = "Junction:Verification";

    /// <summary>Run the verification worker in this process. The default value is true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Probes running at once in this process. The default value is 16.</summary>
    [Range(1, 1024)]
    public int Concurrency { get; set; } = 16;

    /// <summary>How often an idle engine looks for due work (creates wake it at once). The default value is 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a ready connection is checked again. The default value is 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Delay before the first re-check of a failing connection; doubles per failure. The default value is 5 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest delay between checks of a failing connection. The default value is 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest one probe may take. The default value is 10 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a claimed connection stays leased to this node; must exceed twice the probe timeout. The default value is 60 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The leased worker's part of these options: the hard stop is 1.5 × the probe timeout, inside the lease.</summary>
    public Runtime.Work.LeasedWorkerOptions Worker => new()
    {
        Enabled = Enabled,
        Concurrency = Concurrency,
        PollInterval = PollInterval,
        LeaseDuration = LeaseDuration,
        HardStop = ProbeTimeout + (ProbeTimeout / 2),
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LeaseDuration < ProbeTimeout * 2)
        {
            yield return new ValidationResult(
                $"{SectionName}:LeaseDuration ({LeaseDuration}) must be at least twice {SectionName}:ProbeTimeout ({ProbeTimeout})");
        }

        if (MaxBackoff < InitialBackoff)
        {
            yield return new ValidationResult($"{SectionName}:MaxBackoff must not be shorter than {SectionName}:InitialBackoff");
        }
    }
}
