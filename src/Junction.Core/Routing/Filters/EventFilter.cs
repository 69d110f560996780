using System.Text.Json;

namespace Junction.Core.Routing.Filters;

/// <summary>
/// The one predicate model that both event languages compile into: EG filter rules (<see cref="EgFilterRule"/>) and EB
/// event patterns (<see cref="EbEventPattern"/>). A filter is evaluated over an event parsed once into a
/// <see cref="JsonElement"/>; nothing is parsed again per rule. Negation is a <see cref="FieldQuantifier.None"/> field:
/// true only when the field is present with a value the test applies to and no such value passes it, which is what
/// both clouds' <c>Not*</c> and <c>anything-but</c> operators mean (docs/events.md).
/// </summary>
public abstract class EventFilter
{
    /// <summary>True when the event (the whole CloudEvent or envelope, as a JSON object) passes the filter.</summary>
    public abstract bool Matches(JsonElement root);

    /// <summary>A filter that every event passes (the empty pattern <c>{}</c>).</summary>
    public static EventFilter Everything { get; } = new AllOfFilter([]);

    internal static EventFilter All(List<EventFilter> parts) => parts.Count == 1 ? parts[0] : new AllOfFilter([.. parts]);

    internal static EventFilter Any(List<EventFilter> parts) => parts.Count == 1 ? parts[0] : new AnyOfFilter([.. parts]);
}

/// <summary>Every part must pass (keys of a pattern, fields of a filter, <c>{"and":[…]}</c>).</summary>
public sealed class AllOfFilter(EventFilter[] parts) : EventFilter
{
    public IReadOnlyList<EventFilter> Parts => parts;

    public override bool Matches(JsonElement root)
    {
        foreach (var part in parts)
        {
            if (!part.Matches(root))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>At least one part must pass (the values of a leaf array, <c>$or</c>, <c>{"or":[…]}</c>).</summary>
public sealed class AnyOfFilter(EventFilter[] parts) : EventFilter
{
    public IReadOnlyList<EventFilter> Parts => parts;

    public override bool Matches(JsonElement root)
    {
        foreach (var part in parts)
        {
            if (part.Matches(root))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>How a field's values are tested: some value passes, or (negation) values exist and none passes.</summary>
public enum FieldQuantifier
{
    /// <summary>At least one value at the path passes the test.</summary>
    Some,

    /// <summary>At least one value at the path is of a kind the test applies to, and none of them passes it.</summary>
    None,
}

/// <summary>
/// A test of the value(s) at a path. A path walks objects; an array met on the way is walked element by element (an
/// array of objects), and an array at the end is a set of values: <see cref="FieldQuantifier.Some"/> wants one to pass,
/// <see cref="FieldQuantifier.None"/> wants none to. A missing field has no values, so neither quantifier passes.
/// </summary>
public sealed class FieldFilter(string[] path, FieldQuantifier quantifier, ValueTest test) : EventFilter
{
    public IReadOnlyList<string> Path => path;

    public FieldQuantifier Quantifier => quantifier;

    public ValueTest Test => test;

    public override bool Matches(JsonElement root)
    {
        var scan = default(Scan);
        Walk(root, 0, ref scan);
        return quantifier == FieldQuantifier.Some ? scan.Hit : scan.Candidate && !scan.Hit;
    }

    private void Walk(JsonElement node, int depth, ref Scan scan)
    {
        if (depth == path.Length)
        {
            if (node.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in node.EnumerateArray())
                {
                    Leaf(item, ref scan);
                }
            }
            else
            {
                Leaf(node, ref scan);
            }

            return;
        }

        if (node.ValueKind == JsonValueKind.Object)
        {
            // TryGetProperty takes the last of duplicated names, as the filter languages do.
            if (node.TryGetProperty(path[depth], out var child))
            {
                Walk(child, depth + 1, ref scan);
            }
        }
        else if (node.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in node.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object)
                {
                    Walk(item, depth, ref scan);
                }
            }
        }
    }

    private void Leaf(JsonElement value, ref Scan scan)
    {
        if (!test.Applies(value.ValueKind))
        {
            return;
        }

        scan.Candidate = true;
        try
        {
            if (!scan.Hit && test.Matches(value))
            {
                scan.Hit = true;
            }
        }
        catch (InvalidOperationException)
        {
            // A string escape that is no UTF-16 text (a lone surrogate) cannot be read, so it matches nothing.
        }
    }

    private struct Scan
    {
        public bool Candidate;
        public bool Hit;
    }
}

/// <summary>The field is present (with any value, <c>null</c> included) or absent.</summary>
public sealed class PresenceFilter(string[] path, bool present) : EventFilter
{
    public IReadOnlyList<string> Path => path;

    public bool Present => present;

    public override bool Matches(JsonElement root) => Exists(root, 0) == present;

    private bool Exists(JsonElement node, int depth)
    {
        if (depth == path.Length)
        {
            return true;
        }

        if (node.ValueKind == JsonValueKind.Object)
        {
            return node.TryGetProperty(path[depth], out var child) && Exists(child, depth + 1);
        }

        if (node.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in node.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && Exists(item, depth))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
