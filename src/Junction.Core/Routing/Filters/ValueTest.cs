using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Junction.Core.Routing.Filters;

/// <summary>
/// A test of one JSON value. <see cref="Applies"/> says whether the test is about values of that kind at all (a string
/// test is not about numbers); a negated field uses it so that a mistyped value neither matches nor counts as "not".
/// Strings compare ordinally (case-sensitive, no normalisation).
/// </summary>
public abstract class ValueTest
{
    public abstract bool Applies(JsonValueKind kind);

    /// <summary>Called only for values of a kind the test <see cref="Applies"/> to.</summary>
    public abstract bool Matches(JsonElement value);
}

/// <summary>The value is exactly one of the strings.</summary>
public sealed class StringEqualsTest(string[] values) : ValueTest
{
    private readonly HashSet<string>? _set = values.Length > 8 ? new HashSet<string>(values, StringComparer.Ordinal) : null;

    public IReadOnlyList<string> Values => values;

    public override bool Applies(JsonValueKind kind) => kind == JsonValueKind.String;

    public override bool Matches(JsonElement value)
    {
        if (_set is not null)
        {
            return _set.Contains(value.GetString()!);
        }

        foreach (var candidate in values)
        {
            // ValueEquals compares without allocating the event's string.
            if (value.ValueEquals(candidate))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>How a string test compares: prefix, suffix or substring (ordinal).</summary>
public enum StringMatch
{
    Prefix,
    Suffix,
    Contains,
}

/// <summary>The value starts with, ends with or contains any of the strings.</summary>
public sealed class StringPartTest(StringMatch match, string[] values) : ValueTest
{
    public StringMatch Match => match;

    public IReadOnlyList<string> Values => values;

    public override bool Applies(JsonValueKind kind) => kind == JsonValueKind.String;

    public override bool Matches(JsonElement value)
    {
        var text = value.GetString()!;
        foreach (var candidate in values)
        {
            var hit = match switch
            {
                StringMatch.Prefix => text.StartsWith(candidate, StringComparison.Ordinal),
                StringMatch.Suffix => text.EndsWith(candidate, StringComparison.Ordinal),
                _ => text.Contains(candidate, StringComparison.Ordinal),
            };
            if (hit)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// A number from a filter. Numbers compare as <see cref="decimal"/> when both sides fit (so 0.1 + 0.2 style surprises
/// and 2^53 rounding do not happen), otherwise as <see cref="double"/>.
/// </summary>
public readonly record struct FilterNumber(decimal? Decimal, double Double)
{
    public static bool TryRead(JsonElement element, out FilterNumber number)
    {
        number = default;
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var d) || !double.IsFinite(d))
        {
            return false;
        }

        number = new FilterNumber(element.TryGetDecimal(out var m) ? m : null, d);
        return true;
    }

    /// <summary>Compares an event's number with this one: negative, zero or positive; null when it is not a number.</summary>
    public int? CompareFrom(JsonElement value)
    {
        if (Decimal is { } mine && value.TryGetDecimal(out var theirs))
        {
            return theirs.CompareTo(mine);
        }

        return value.TryGetDouble(out var d) && double.IsFinite(d) ? d.CompareTo(Double) : null;
    }

    public override string ToString() => Decimal?.ToString(CultureInfo.InvariantCulture) ?? Double.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A comparison operator of the numeric tests.</summary>
public enum NumberOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>One comparison: the event's value <c>op</c> the bound.</summary>
public readonly record struct NumberComparison(NumberOperator Operator, FilterNumber Bound)
{
    public bool Holds(int order) => Operator switch
    {
        NumberOperator.Equal => order == 0,
        NumberOperator.NotEqual => order != 0,
        NumberOperator.Less => order < 0,
        NumberOperator.LessOrEqual => order <= 0,
        NumberOperator.Greater => order > 0,
        _ => order >= 0,
    };
}

/// <summary>The number satisfies every comparison (a single bound, a range <c>[lo, hi]</c>, or EB's operator pairs).</summary>
public sealed class NumberTest(NumberComparison[] comparisons) : ValueTest
{
    public IReadOnlyList<NumberComparison> Comparisons => comparisons;

    public override bool Applies(JsonValueKind kind) => kind == JsonValueKind.Number;

    public override bool Matches(JsonElement value)
    {
        foreach (var comparison in comparisons)
        {
            if (comparison.Bound.CompareFrom(value) is not { } order || !comparison.Holds(order))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>The value is the boolean given.</summary>
public sealed class BooleanTest(bool expected) : ValueTest
{
    public bool Expected => expected;

    public override bool Applies(JsonValueKind kind) => kind is JsonValueKind.True or JsonValueKind.False;

    public override bool Matches(JsonElement value) => (value.ValueKind == JsonValueKind.True) == expected;
}

/// <summary>The value is JSON <c>null</c> (<paramref name="isNull"/>) or anything but <c>null</c>.</summary>
public sealed class NullTest(bool isNull) : ValueTest
{
    public bool IsNull => isNull;

    public override bool Applies(JsonValueKind kind) => true;

    public override bool Matches(JsonElement value) => (value.ValueKind == JsonValueKind.Null) == isNull;
}

/// <summary>The value is an IP address (a string) inside one of the networks.</summary>
public sealed class CidrTest(IPNetwork[] networks) : ValueTest
{
    public IReadOnlyList<IPNetwork> Networks => networks;

    public override bool Applies(JsonValueKind kind) => kind == JsonValueKind.String;

    public override bool Matches(JsonElement value)
    {
        if (!IPAddress.TryParse(value.GetString(), out var address))
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Any of several tests passes (the OR of one leaf's values); applies to the kinds any of them applies to.</summary>
public sealed class AnyOfTest(ValueTest[] tests) : ValueTest
{
    public IReadOnlyList<ValueTest> Tests => tests;

    public override bool Applies(JsonValueKind kind)
    {
        foreach (var test in tests)
        {
            if (test.Applies(kind))
            {
                return true;
            }
        }

        return false;
    }

    public override bool Matches(JsonElement value)
    {
        foreach (var test in tests)
        {
            if (test.Applies(value.ValueKind) && test.Matches(value))
            {
                return true;
            }
        }

        return false;
    }

    internal static ValueTest Of(List<ValueTest> tests) => tests.Count == 1 ? tests[0] : new AnyOfTest([.. tests]);
}
