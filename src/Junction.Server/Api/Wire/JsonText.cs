using System.Text.Json;

namespace Junction.Server.Api.Wire;

/// <summary>
/// Text a request may carry in JSON but Junction cannot read or store: a string escape that is no UTF-16 text (a lone
/// surrogate such as <c>"\ud800"</c>, which System.Text.Json refuses to decode) and the NUL character (PostgreSQL's
/// <c>text</c> cannot hold it). Checked once when a face parses a body, so that no field reader meets them later.
/// </summary>
internal static class JsonText
{
    /// <summary>The first such string (a value or a property name) with its path, or null when there is none.</summary>
    public static string? Problem(JsonElement element, string path = "")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var name = Check(property.Name, path.Length == 0 ? "a property name" : $"a property name in {path}");
                    if (name is not null)
                    {
                        return name;
                    }

                    var child = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    if (Problem(property.Value, child) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Problem(item, $"{path}[{index++}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.String:
                string text;
                try
                {
                    text = element.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    return $"{Where(path)} holds a string that is not valid Unicode (a lone surrogate escape such as \\ud800)";
                }

                return Check(text, Where(path));
            default:
                return null;
        }
    }

    private static string? Check(string text, string where) =>
        text.Contains('\0', StringComparison.Ordinal) ? $"{where} contains the NUL character (\\u0000), which Junction does not accept" : null;

    private static string Where(string path) => path.Length == 0 ? "the body" : path;
}
