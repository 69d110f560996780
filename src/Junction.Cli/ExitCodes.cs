namespace Junction.Cli;

/// <summary>The exit codes of <c>junction</c>, documented in docs/cli.md.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int Configuration = 3;
}
