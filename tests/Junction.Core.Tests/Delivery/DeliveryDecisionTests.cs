using FsCheck;
using FsCheck.Fluent;
using Junction.Core.Delivery;

namespace Junction.Core.Tests.Delivery;

/// <summary>The pure retry decision: success is done, terminal dead-letters, retryable retries until retry_times are spent.</summary>
public sealed class DeliveryDecisionTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
    private static readonly RetryPolicy s_policy = new(3, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2));

    [Theory]
    [InlineData(200, AttemptKind.Success)]
    [InlineData(204, AttemptKind.Success)]
    [InlineData(299, AttemptKind.Success)]
    [InlineData(408, AttemptKind.Retryable)]
    [InlineData(429, AttemptKind.Retryable)]
    [InlineData(500, AttemptKind.Retryable)]
    [InlineData(503, AttemptKind.Retryable)]
    [InlineData(400, AttemptKind.Terminal)]
    [InlineData(401, AttemptKind.Terminal)]
    [InlineData(404, AttemptKind.Terminal)]
    [InlineData(410, AttemptKind.Terminal)]
    [InlineData(302, AttemptKind.Terminal)]
    public void HttpStatus_MapsToItsKind(int status, AttemptKind kind)
    {
        var outcome = AttemptOutcome.FromHttpStatus(status, null);
        Assert.Equal(kind, outcome.Kind);
        Assert.Equal($"HTTP_{status}", outcome.Code);
    }

    [Fact]
    public void Success_IsDone()
    {
        Assert.IsType<DeliveryDecision.Done>(DeliveryDecision.Decide(AttemptOutcome.Success("HTTP_200", 200), 4, s_policy, s_now, 0.5));
    }

    [Fact]
    public void Terminal_DeadLettersAtOnce_EvenWithRetriesLeft()
    {
        var decision = DeliveryDecision.Decide(AttemptOutcome.FromHttpStatus(404, null), 1, s_policy, s_now, 0.5);
        Assert.Contains("not retried", Assert.IsType<DeliveryDecision.DeadLetter>(decision).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Retryable_RetriesExactlyRetryTimes_ThenDeadLetters()
    {
        var failure = AttemptOutcome.FromHttpStatus(503, null);
        for (var attempt = 1; attempt <= s_policy.RetryTimes; attempt++)
        {
            Assert.IsType<DeliveryDecision.RetryAt>(DeliveryDecision.Decide(failure, attempt, s_policy, s_now, 0.5));
        }

        var last = DeliveryDecision.Decide(failure, s_policy.RetryTimes + 1, s_policy, s_now, 0.5);
        Assert.Contains("gave up after 4 attempts", Assert.IsType<DeliveryDecision.DeadLetter>(last).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroRetries_DeadLettersAfterTheFirstAttempt()
    {
        var decision = DeliveryDecision.Decide(AttemptOutcome.FromHttpStatus(500, null), 1, s_policy with { RetryTimes = 0 }, s_now, 0.5);
        Assert.IsType<DeliveryDecision.DeadLetter>(decision);
    }

    [Fact]
    public void RetryAfter_IsHonoured_UpToTheCap()
    {
        var asked = DeliveryDecision.Decide(AttemptOutcome.FromHttpStatus(429, TimeSpan.FromSeconds(30)), 1, s_policy, s_now, 0.0);
        Assert.Equal(s_now.AddSeconds(30), Assert.IsType<DeliveryDecision.RetryAt>(asked).At);

        var capped = DeliveryDecision.Decide(AttemptOutcome.FromHttpStatus(503, TimeSpan.FromHours(3)), 1, s_policy, s_now, 0.0);
        Assert.Equal(s_now + s_policy.MaxRetryAfter, Assert.IsType<DeliveryDecision.RetryAt>(capped).At);
    }

    /// <summary>Full jitter: every retry is due between now and the exponential ceiling (initial × 2^(n−1), capped).</summary>
    [FsCheck.Xunit.Property(MaxTest = 500)]
    public Property Backoff_StaysWithinTheExponentialCeiling()
    {
        var attempts = Gen.Choose(1, 40).ToArbitrary();
        var jitters = Gen.Choose(0, 1000).Select(n => n / 1001.0).ToArbitrary();
        return Prop.ForAll(attempts, jitters, (attempt, jitter) =>
        {
            var policy = s_policy with { RetryTimes = 100 };
            var retry = (DeliveryDecision.RetryAt)DeliveryDecision.Decide(AttemptOutcome.Retryable("X", "x"), attempt, policy, s_now, jitter);
            var ceiling = TimeSpan.FromMilliseconds(Math.Min(1000 * Math.Pow(2, attempt - 1), policy.MaxDelay.TotalMilliseconds));
            return retry.At >= s_now && retry.At <= s_now + ceiling;
        });
    }
}
