namespace Junction.Core.Work;

/// <summary>Exponential back-off, shared by verification's re-checks and delivery's retries.</summary>
public static class Backoff
{
    /// <summary><paramref name="initial"/> × 2^(attempt−1), capped at <paramref name="max"/>; attempt 1 waits <paramref name="initial"/>.</summary>
    public static TimeSpan Exponential(TimeSpan initial, TimeSpan max, int attempt)
    {
        var exponential = initial.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        return TimeSpan.FromMilliseconds(Math.Min(exponential, max.TotalMilliseconds));
    }

    /// <summary>Takes up to <paramref name="spread"/> (0–1) of <paramref name="delay"/> off, by <paramref name="jitter"/> (0–1).</summary>
    public static TimeSpan Jittered(TimeSpan delay, double jitter, double spread) =>
        TimeSpan.FromMilliseconds(delay.TotalMilliseconds * (1 - (spread * Math.Clamp(jitter, 0, 1))));
}
