namespace Junction.Core.Work;

/// <summary>
/// An item of durable work claimed by one node until <see cref="Until"/>. <see cref="Token"/> fences the result: a node
/// whose lease expired and was taken over writes nothing. <see cref="Attempts"/> counts the failures so far.
/// </summary>
public sealed record Lease<T>(T Item, string Token, int Attempts, DateTimeOffset Until);
