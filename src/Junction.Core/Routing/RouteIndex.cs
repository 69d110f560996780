using System.Text.Json;
using Junction.Core.Routing.Filters;

namespace Junction.Core.Routing;

/// <summary>
/// Chooses the routes (EG subscriptions, EB rules) of one channel or bus whose filters an event passes, without
/// evaluating every filter: a filter that requires <c>source</c> (or else <c>type</c>) to be one of a few exact strings
/// is filed under each of them, so an event is tested only against the filters filed under its own source and type
/// plus those that name neither. Immutable: build a new index when the routes change.
/// </summary>
public sealed class RouteIndex<TRoute>
{
    private readonly Entry[] _entries;
    private readonly Dictionary<string, int[]> _bySource;
    private readonly Dictionary<string, int[]> _byType;
    private readonly int[] _unindexed;

    public RouteIndex(IEnumerable<(TRoute Route, EventFilter Filter)> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        _entries = [.. routes.Select(r => new Entry(r.Route, r.Filter))];
        var bySource = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var byType = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var unindexed = new List<int>();
        for (var i = 0; i < _entries.Length; i++)
        {
            var filter = _entries[i].Filter;
            if (RequiredValues(filter, "source") is { } sources)
            {
                File(bySource, sources, i);
            }
            else if (RequiredValues(filter, "type") is { } types)
            {
                File(byType, types, i);
            }
            else
            {
                unindexed.Add(i);
            }
        }

        _bySource = bySource.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        _byType = byType.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        _unindexed = [.. unindexed];
    }

    /// <summary>The routes whose filters the event passes, in the order they were given.</summary>
    public List<TRoute> Match(JsonElement @event)
    {
        var matches = new List<TRoute>();
        Match(@event, matches);
        return matches;
    }

    /// <summary>Adds the matching routes to <paramref name="into"/>, in the order they were given.</summary>
    public void Match(JsonElement @event, List<TRoute> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var bySource = Bucket(_bySource, @event, "source");
        var byType = Bucket(_byType, @event, "type");

        // Three sorted lists of entry numbers, merged, so that matches keep the routes' order.
        int s = 0, t = 0, u = 0;
        while (true)
        {
            var next = int.MaxValue;
            if (s < bySource.Length) next = bySource[s];
            if (t < byType.Length && byType[t] < next) next = byType[t];
            if (u < _unindexed.Length && _unindexed[u] < next) next = _unindexed[u];
            if (next == int.MaxValue)
            {
                return;
            }

            if (s < bySource.Length && bySource[s] == next) s++;
            else if (t < byType.Length && byType[t] == next) t++;
            else u++;

            var entry = _entries[next];
            if (entry.Filter.Matches(@event))
            {
                into.Add(entry.Route);
            }
        }
    }

    private static int[] Bucket(Dictionary<string, int[]> index, JsonElement @event, string key) =>
        index.Count > 0 && @event.ValueKind == JsonValueKind.Object && @event.TryGetProperty(key, out var value)
            && value.ValueKind == JsonValueKind.String && index.TryGetValue(value.GetString()!, out var bucket)
            ? bucket
            : [];

    private static void File(Dictionary<string, List<int>> index, IReadOnlyList<string> values, int entry)
    {
        foreach (var value in values.Distinct(StringComparer.Ordinal))
        {
            if (!index.TryGetValue(value, out var list))
            {
                index[value] = list = [];
            }

            list.Add(entry);
        }
    }

    /// <summary>
    /// The exact strings a filter requires a top-level key to be one of, or null when it does not (then the filter is
    /// not filed under that key). Only a required part counts: a conjunct of the filter, never one side of an OR.
    /// </summary>
    private static IReadOnlyList<string>? RequiredValues(EventFilter filter, string key) => filter switch
    {
        FieldFilter { Quantifier: FieldQuantifier.Some, Test: StringEqualsTest strings } field
            when field.Path.Count == 1 && field.Path[0] == key => strings.Values,
        AllOfFilter all => all.Parts.Select(part => RequiredValues(part, key)).FirstOrDefault(values => values is not null),
        _ => null,
    };

    private sealed record Entry(TRoute Route, EventFilter Filter);
}
