using Junction.Server.Hosting;

// The server's own entry point (also what WebApplicationFactory starts in the API tests). Operators normally start it
// through the CLI: `junction serve`, which calls the same JunctionHost.
await JunctionHost.Build(args).RunAsync();

/// <summary>Marker for WebApplicationFactory.</summary>
public partial class Program;
