using System.Text.Json.Nodes;
using Junction.Server.Api.Admin;
using Junction.Server.Api.Wire;

namespace Junction.Server.OperatorConsole;

/// <summary>What an admin operation answered, as the console shows it: the status, the value, or the error's message.</summary>
public sealed record AdminOutcome(int Status, object? Value, string? Error)
{
    public bool Ok => Status is >= 200 and < 300;

    /// <summary>The value as <typeparamref name="T"/>, or null (the operation failed or answered something else).</summary>
    public T? As<T>()
        where T : class => Value as T;
}

/// <summary>
/// Runs the admin API's own operations for the console, so that both share every rule (validation, ownership, the
/// refusals of configured resources, secrets shown once): a form's fields go in as the operation's body, and its
/// answer comes back as an <see cref="AdminOutcome"/> instead of being written to the response.
/// </summary>
internal static class ConsoleActions
{
    public static async Task<AdminOutcome> RunAsync(HttpContext context, JsonObject? body, Func<Task<IResult>> operation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(operation);
        if (body is not null)
        {
            var fields = JsonFields.Parse(System.Text.Encoding.UTF8.GetBytes(body.ToJsonString()), out _)
                ?? throw new InvalidOperationException("the console built a body that is not a JSON object");
            context.Items[AdminApi.FieldsKey] = fields;
        }

        try
        {
            var result = await operation();
            var status = (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
            var value = (result as IValueHttpResult)?.Value;
            return value is AdminError error ? new AdminOutcome(status, null, error.Error.Message) : new AdminOutcome(status, value, null);
        }
        finally
        {
            context.Items.Remove(AdminApi.FieldsKey);
        }
    }

    /// <summary>A body from form values: empty values are left out (as a client would omit them); "on" checkboxes are true.</summary>
    public static JsonObject Body(params (string Name, object? Value)[] fields)
    {
        var body = new JsonObject();
        foreach (var (name, value) in fields)
        {
            switch (value)
            {
                case null:
                case string { Length: 0 }:
                    break;
                case bool flag:
                    if (flag)
                    {
                        body[name] = true;
                    }

                    break;
                case JsonNode node:
                    body[name] = node;
                    break;
                default:
                    body[name] = JsonValue.Create(value.ToString());
                    break;
            }
        }

        return body;
    }
}
