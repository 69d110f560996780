using System.Diagnostics;
using Junction.Testing;

namespace Junction.ProcessTests;

/// <summary>Issue 20: scripts/junction-completion.bash completes commands and subcommands by asking junction itself.</summary>
[Trait("Category", "Process")]
public sealed class CompletionTests
{
    [Theory]
    [InlineData("junction con", "con", "config connections")]
    [InlineData("junction connections w", "w", "wait watch")]
    [InlineData("junction deliveries ", "", "list redrive show")]
    public async Task BashCompletion_OffersWhatJunctionKnows(string line, string current, string expected)
    {
        var script = $$"""
            junction() { dotnet '{{Loopback.CliPath()}}' "$@"; }
            source '{{Path.Combine(Loopback.RepositoryRoot(), "scripts", "junction-completion.bash")}}'
            COMP_LINE='{{line}}'; COMP_POINT=${#COMP_LINE}; read -r -a COMP_WORDS <<< "$COMP_LINE"
            [ -z '{{current}}' ] && COMP_WORDS+=('')
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            _junction
            printf '%s\n' "${COMPREPLY[@]}" | grep -v '^-' | sort | tr '\n' ' '
            """;
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, errors);
        Assert.Equal(expected, output.Trim());
    }
}
