using System.Text.Json;
using System.Text.Json.Nodes;

namespace Junction.Cli.Admin;

/// <summary>What a command prints: the API's JSON as it came (<c>--output json</c>), or an aligned table.</summary>
internal static class Output
{
    // Unescaped: `--output json` shows the API's text as it is (quotes, '<', non-ASCII), for people and jq alike.
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A column: its header and how to read it from one item.</summary>
    public sealed record Column(string Header, Func<JsonNode, string?> Read);

    public static Column Field(string header, string path) => new(header, node => Text(Walk(node, path)));

    public static void Json(JsonNode? node) => Console.Out.WriteLine(node?.ToJsonString(s_indented) ?? "{}");

    public static void Table(IEnumerable<JsonNode?> items, params Column[] columns)
    {
        var rows = items.Where(i => i is not null).Select(i => columns.Select(c => c.Read(i!) ?? "-").ToArray()).ToList();
        var widths = columns.Select((c, i) => rows.Select(r => r[i].Length).Prepend(c.Header.Length).Max()).ToArray();
        Console.Out.WriteLine(Line(columns.Select(c => c.Header.ToUpperInvariant()).ToArray(), widths));
        foreach (var row in rows)
        {
            Console.Out.WriteLine(Line(row, widths));
        }

        if (rows.Count == 0)
        {
            Console.Out.WriteLine("(none)");
        }
    }

    /// <summary>One item as "key: value" lines, in the order of <paramref name="columns"/>.</summary>
    public static void Record(JsonNode node, params Column[] columns)
    {
        var width = columns.Max(c => c.Header.Length);
        foreach (var column in columns)
        {
            Console.Out.WriteLine($"{(column.Header + ":").PadRight(width + 1)} {column.Read(node) ?? "-"}");
        }
    }

    /// <summary>A secret that will not be shown again: said plainly, on standard output (where the caller asked for it).</summary>
    public static void Secret(string label, string? value)
    {
        Console.Out.WriteLine($"{label}: {value}");
    }

    public static void SecretNotice() =>
        Console.Error.WriteLine("Save the secret now: Junction keeps only an encrypted copy (or a hash) and will not show it again.");

    public static JsonNode? Walk(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node?[part];
        }

        return node;
    }

    public static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        JsonValue value => value.ToJsonString(),
        JsonArray array => string.Join(",", array.Select(Text)),
        _ => node.ToJsonString(),
    };

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
