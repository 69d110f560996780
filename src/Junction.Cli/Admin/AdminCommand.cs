using System.CommandLine;

namespace Junction.Cli.Admin;

/// <summary>The glue between a command and the admin API: settings, the client, errors to exit codes.</summary>
internal static class AdminCommand
{
    public delegate Task<int> Action(ParseResult parse, AdminHttp http, bool json, CancellationToken cancellationToken);

    /// <summary>A group such as <c>tenants</c>, carrying the admin options for all its subcommands.</summary>
    public static Command Group(string name, string description, params Command[] subcommands)
    {
        var group = new Command(name, description);
        foreach (var option in AdminSettings.All)
        {
            group.Options.Add(option);
        }

        foreach (var subcommand in subcommands)
        {
            group.Subcommands.Add(subcommand);
        }

        return group;
    }

    public static Command Create(string name, string description, IEnumerable<Symbol> symbols, Action action)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
            }
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var settings = AdminSettings.Resolve(parse);
                using var http = new AdminHttp(settings);
                return await action(parse, http, settings.Json, cancellationToken);
            }
            catch (CliException exception)
            {
                await Console.Error.WriteLineAsync($"junction: {exception.Message}");
                return exception.ExitCode;
            }
        });
        return command;
    }

    public static Argument<string> Arg(string name, string description) => new(name) { Description = description };

    public static Option<string?> Opt(string name, string description) => new(name) { Description = description };

    /// <summary><c>--password-stdin</c>: reads a secret from the first line of standard input, so it never shows in the process list.</summary>
    public static Option<bool> PasswordStdin(string what) => new("--password-stdin") { Description = $"Read {what} from the first line of standard input." };

    public static string? ReadPassword(ParseResult parse, Option<bool> option)
    {
        if (!parse.GetValue(option))
        {
            return null;
        }

        var line = Console.In.ReadLine();
        return string.IsNullOrEmpty(line) ? throw new CliException(ExitCodes.Usage, "--password-stdin: standard input had no password on its first line") : line;
    }
}
