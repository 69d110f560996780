namespace Junction.Cli.Admin;

/// <summary>A failure that ends the command with a message on standard error and a documented exit code.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
