namespace Junction.Cli;

/// <summary>The exit codes of <c>junction</c>, documented in docs/cli.md.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Anything else: the server answered 5xx or something unexpected, or a waited-for connection failed.</summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong (unknown command or option, missing argument).</summary>
    public const int Usage = 2;

    /// <summary>Configuration is missing or invalid: a server setting, or the admin address or key.</summary>
    public const int Configuration = 3;

    /// <summary>The admin API answered 404: the tenant, key, user, network, instance or connection does not exist.</summary>
    public const int NotFound = 4;

    /// <summary>The admin API answered 409: the thing exists already, or is declared in configuration, or is in use.</summary>
    public const int Conflict = 5;

    /// <summary>The admin API refused the input (400 or 413); the message names the field.</summary>
    public const int InvalidInput = 6;

    /// <summary>The admin API answered 401: no operator key, a wrong one, or the admin API is disabled.</summary>
    public const int Unauthorized = 7;

    /// <summary>The server could not be reached (refused, timed out, not HTTP).</summary>
    public const int Unreachable = 8;

    /// <summary><c>connections wait</c> gave up before the connection was verified.</summary>
    public const int TimedOut = 9;

    /// <summary><c>serve</c> or <c>dev</c> cannot listen: the address is already in use.</summary>
    public const int AddressInUse = 10;
}
