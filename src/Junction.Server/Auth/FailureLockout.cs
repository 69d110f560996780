using System.Collections.Concurrent;

namespace Junction.Server.Auth;

/// <summary>
/// Counts consecutive authentication failures per key (an access key and the client's address, a user, a source) and
/// locks the key for a while after too many, so that guessing costs the server nothing once locked: a locked key is
/// refused before any HMAC or password hash is computed. A success clears the count. In memory, per node.
/// </summary>
public sealed class FailureLockout(TimeProvider time, int maxConsecutive, TimeSpan lockout)
{
    /// <summary>Keys remembered at most; past this, keys that are not locked are forgotten first.</summary>
    public const int MaxKeys = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int MaxConsecutive => maxConsecutive;

    public TimeSpan Lockout => lockout;

    /// <summary>How long the key stays locked; null when it is not locked.</summary>
    public TimeSpan? Locked(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        var left = entry.LockedUntil - time.GetUtcNow();
        return left > TimeSpan.Zero ? left : null;
    }

    public void Failed(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_entries.Count >= MaxKeys)
        {
            var now = time.GetUtcNow();
            foreach (var stale in _entries.Where(e => e.Value.LockedUntil <= now).Select(e => e.Key).ToList())
            {
                _entries.TryRemove(stale, out _);
            }
        }

        _entries.AddOrUpdate(
            key,
            _ => Next(new Entry(0, DateTimeOffset.MinValue)),
            (_, current) => Next(current));
    }

    public void Succeeded(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _entries.TryRemove(key, out _);
    }

    private Entry Next(Entry current)
    {
        var now = time.GetUtcNow();
        if (current.LockedUntil > now)
        {
            return current;
        }

        var count = current.Count + 1;
        return count >= maxConsecutive ? new Entry(0, now + lockout) : new Entry(count, DateTimeOffset.MinValue);
    }

    private sealed record Entry(int Count, DateTimeOffset LockedUntil);
}

/// <summary>The lockouts of this node: signatures per (access key, client address), passwords per user and per source.</summary>
public sealed class AuthLockouts(TimeProvider time, Microsoft.Extensions.Options.IOptions<Hosting.SignatureOptions> signatures, Microsoft.Extensions.Options.IOptions<Hosting.IamOptions> iam)
    : IDisposable
{
    /// <summary>Bounds the password checks running at once, so that token requests cannot take every core.</summary>
    public SemaphoreSlim PasswordChecks { get; } = new(iam.Value.PasswordCheckSlots, iam.Value.PasswordCheckSlots);

    public TimeSpan PasswordCheckWait => iam.Value.PasswordCheckWait;

    public FailureLockout Signatures { get; } = new(time, signatures.Value.LockoutFailures, signatures.Value.LockoutDuration);

    public FailureLockout Users { get; } = new(time, iam.Value.LockoutFailures, iam.Value.LockoutDuration);

    public FailureLockout Sources { get; } = new(time, iam.Value.SourceLockoutFailures, iam.Value.LockoutDuration);

    /// <summary>The key of a signature failure: the access key as the client's address uses it.</summary>
    public static string SignatureKey(string accessKey, HttpRequest request) => $"{accessKey}|{Source(request)}";

    public static string Source(HttpRequest request) =>
        request?.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "-";

    public static string Seconds(TimeSpan left) => $"{Math.Ceiling(left.TotalSeconds):0} s";

    public void Dispose() => PasswordChecks.Dispose();
}
