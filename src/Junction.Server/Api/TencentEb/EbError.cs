namespace Junction.Server.Api.TencentEb;

/// <summary>
/// A Tencent error: answered as HTTP 200 with <c>{"Response": {"Error": {"Code", "Message"}, "RequestId"}}</c>, because the
/// SDK only exposes the code of a 200 answer. Thrown inside the face and answered at its one entry point.
/// </summary>
internal sealed class EbError(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

    public static EbError Missing(string path) => new("MissingParameter", $"The request is missing a required parameter `{path}`.");

    public static EbError Unknown(string path) => new("UnknownParameter", $"The parameter `{path}` is not recognized.");

    public static EbError Type(string path, string expected) => new("InvalidParameter", $"Parameter `{path}` type error: expected {expected}.");

    public static EbError Value(string field, string message) => new($"InvalidParameterValue.{field}", message);
}
