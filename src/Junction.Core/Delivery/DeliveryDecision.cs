using Junction.Core.Work;

namespace Junction.Core.Delivery;

/// <summary>What one delivery attempt came to, in sink-neutral terms.</summary>
public enum AttemptKind
{
    /// <summary>The target took the event: any 2xx, or the broker's ack at the connection's <c>acks</c>.</summary>
    Success,

    /// <summary>Worth trying again: connect, TLS, DNS and timeout failures, 408, 429, 5xx, retriable broker errors.</summary>
    Retryable,

    /// <summary>Trying again cannot help: any other 4xx, a refused address, a target Junction cannot deliver to.</summary>
    Terminal,
}

/// <summary>
/// One attempt's outcome: its kind, a stable code (<c>HTTP_503</c>, <c>JUNCTION.EGRESS_REFUSED</c>, …), a message a
/// person can act on, the HTTP status when there was one, and how long the target asked us to wait (Retry-After).
/// </summary>
public sealed record AttemptOutcome(AttemptKind Kind, string Code, string Message, int? Status = null, TimeSpan? RetryAfter = null)
{
    public static AttemptOutcome Success(string code, int? status = null) => new(AttemptKind.Success, code, "delivered", status);

    public static AttemptOutcome Retryable(string code, string message, int? status = null, TimeSpan? retryAfter = null) =>
        new(AttemptKind.Retryable, code, message, status, retryAfter);

    public static AttemptOutcome Terminal(string code, string message, int? status = null) => new(AttemptKind.Terminal, code, message, status);

    /// <summary>The outcome an HTTP answer means: 2xx success; 408, 429 and 5xx retryable; any other status terminal.</summary>
    public static AttemptOutcome FromHttpStatus(int status, TimeSpan? retryAfter)
    {
        var code = $"HTTP_{status}";
        return status switch
        {
            >= 200 and < 300 => Success(code, status),
            408 or 429 or >= 500 => Retryable(code, $"the target answered HTTP {status}", status, retryAfter),
            _ => Terminal(code, $"the target answered HTTP {status}, which retrying cannot change", status),
        };
    }
}

/// <summary>
/// How a target retries: <see cref="RetryTimes"/> retries after the first attempt (EG's <c>retry_times</c>, EB's
/// <c>MaxRetryAttempts</c>), exponential back-off with full jitter from <see cref="InitialDelay"/> capped at
/// <see cref="MaxDelay"/>, and a target's Retry-After honoured up to <see cref="MaxRetryAfter"/>. A
/// <see cref="Fixed"/> policy (EB's <c>RetryInterval</c>) waits exactly <see cref="InitialDelay"/> between attempts.
/// </summary>
public sealed record RetryPolicy(int RetryTimes, TimeSpan InitialDelay, TimeSpan MaxDelay, TimeSpan MaxRetryAfter, bool Fixed = false);

/// <summary>The next step after an attempt.</summary>
public abstract record DeliveryDecision
{
    private DeliveryDecision()
    {
    }

    /// <summary>Nothing more to do: the target has the event.</summary>
    public sealed record Done : DeliveryDecision;

    /// <summary>Try again at <see cref="At"/>.</summary>
    public sealed record RetryAt(DateTimeOffset At) : DeliveryDecision;

    /// <summary>Give up on this target: <see cref="Reason"/> says why (the last outcome's message, and whether retries ran out).</summary>
    public sealed record DeadLetter(string Reason) : DeliveryDecision;

    /// <summary>
    /// The pure retry decision (design.md §7): from an attempt's outcome, its number (1 = the first attempt) and the
    /// target's policy. Success is done; a terminal failure dead-letters at once; a retryable one is tried again after
    /// a jittered exponential delay (or the target's Retry-After, capped) until <see cref="RetryPolicy.RetryTimes"/>
    /// retries have been spent. <paramref name="jitter"/> is a number in [0, 1): the full-jitter draw.
    /// </summary>
    public static DeliveryDecision Decide(AttemptOutcome outcome, int attempt, RetryPolicy policy, DateTimeOffset now, double jitter)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        switch (outcome.Kind)
        {
            case AttemptKind.Success:
                return new Done();
            case AttemptKind.Terminal:
                return new DeadLetter($"{outcome.Code}: {outcome.Message} (terminal, not retried)");
        }

        var retriesSpent = attempt - 1;
        if (retriesSpent >= policy.RetryTimes)
        {
            return new DeadLetter($"{outcome.Code}: {outcome.Message} (gave up after {attempt} attempt{(attempt == 1 ? "" : "s")})");
        }

        if (policy.Fixed)
        {
            return new RetryAt(now + policy.InitialDelay);
        }

        // Full jitter: anywhere between nothing and the exponential ceiling, so that a burst of failures spreads out.
        var ceiling = Backoff.Exponential(policy.InitialDelay, policy.MaxDelay, attempt);
        var delay = TimeSpan.FromMilliseconds(ceiling.TotalMilliseconds * Math.Clamp(jitter, 0, 1));
        if (outcome.RetryAfter is { } asked && asked > TimeSpan.Zero)
        {
            delay = asked < policy.MaxRetryAfter ? asked : policy.MaxRetryAfter;
        }

        return new RetryAt(now + delay);
    }
}
