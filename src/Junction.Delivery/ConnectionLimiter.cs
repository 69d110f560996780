using System.Collections.Concurrent;

namespace Junction.Delivery;

/// <summary>Counts this node's attempts in flight per connection, so that one connection cannot take more than its share.</summary>
public sealed class ConnectionLimiter(DeliverySignal signal)
{
    private readonly ConcurrentDictionary<string, int> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Takes a place for <paramref name="key"/> if fewer than <paramref name="limit"/> are taken.</summary>
    public bool TryEnter(string key, int limit)
    {
        while (true)
        {
            var current = _inFlight.GetOrAdd(key, 0);
            if (current >= limit)
            {
                return false;
            }

            if (_inFlight.TryUpdate(key, current + 1, current))
            {
                return true;
            }
        }
    }

    public void Exit(string key)
    {
        while (true)
        {
            var current = _inFlight.GetValueOrDefault(key);
            if (current <= 1)
            {
                // Leave no entry behind for a connection with nothing in flight: keys come and go with connections.
                if (current == 0 || _inFlight.TryRemove(new KeyValuePair<string, int>(key, current)))
                {
                    signal.Notify();
                    return;
                }
            }
            else if (_inFlight.TryUpdate(key, current - 1, current))
            {
                signal.Notify();
                return;
            }
        }
    }

    /// <summary>Attempts through <paramref name="key"/> in flight on this node.</summary>
    public int InFlight(string key) => _inFlight.GetValueOrDefault(key);

    /// <summary>Attempts in flight per connection with any: the next claim skips those at their limit and takes at most what it leaves of the others.</summary>
    public IReadOnlyDictionary<string, int> Running() => new Dictionary<string, int>(_inFlight, StringComparer.Ordinal);
}
