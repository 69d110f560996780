namespace Junction.Core.Routing.Filters;

/// <summary>
/// Why a filter, pattern or transform was refused: where (<see cref="Path"/>, e.g. <c>filter.data.age[0].op</c>) and
/// which rule it broke. <see cref="IsSyntax"/> is set when the text is not JSON at all. Faces turn it into their own code (EG <c>EG.00513004</c>; EB
/// <c>InvalidParameterValue.EventPattern</c>, <c>.InvalidPattern</c>, <c>.Transformations</c>).
/// </summary>
public sealed record FilterError(string Path, string Message, bool IsSyntax = false)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>Either a parsed value or the error that refused it. Parsers never throw for bad input.</summary>
public readonly record struct Parsed<T>(T? Value, FilterError? Error)
    where T : class
{
    public bool Ok => Error is null;

    public static implicit operator Parsed<T>(T value) => new(value, null);

    public static implicit operator Parsed<T>(FilterError error) => new(null, error);
}

/// <summary>Thrown inside the parsers and turned into a <see cref="FilterError"/> at their entry points.</summary>
internal sealed class FilterException(string path, string message, bool syntax = false) : Exception(message)
{
    public FilterError Error { get; } = new(path, message, syntax);
}
