using Junction.Testing;

namespace Junction.ProcessTests;

/// <summary>
/// Issue 20: <c>junction config print</c> shows every setting with its source and masks secrets; <c>config validate</c>
/// names each problem by its key; and config/junction.example.json really holds every key (printed with it, no
/// setting comes from the defaults but the empty lists).
/// </summary>
[Trait("Category", "Process")]
public sealed class ConfigCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly CliRunner _cli = new(new Dictionary<string, string>());

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task ExampleFile_HoldsEveryKey_PrintShowsSources_AndMasksSecrets()
    {
        var example = Path.Combine(Loopback.RepositoryRoot(), "config", "junction.example.json");

        var printed = await _cli.RunAsync(["config", "print", "--config", example, "--data", _data.Path, "--Junction:Admin:Key=an-operator-key-never-shown"]);

        Assert.True(printed.ExitCode == 0, printed.Stderr);
        var lines = printed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("Junction:", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count >= 60, printed.Stdout);
        var fromDefaults = lines.Where(l => l.EndsWith("(default)", StringComparison.Ordinal) && !l.Contains("= []", StringComparison.Ordinal)).ToList();
        Assert.True(fromDefaults.Count == 0, "not in config/junction.example.json: " + string.Join("; ", fromDefaults));
        Assert.Contains(lines, l => l.StartsWith("Junction:DataDirectory = ", StringComparison.Ordinal) && l.EndsWith("(command line)", StringComparison.Ordinal));
        Assert.Contains("Junction:Admin:Key = ****   (command line)", lines);
        Assert.DoesNotContain("an-operator-key-never-shown", printed.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_NamesEachProblemByItsKey()
    {
        var bad = await _cli.RunAsync(["config", "validate", "--data", _data.Path, "--Junction:Quotas:EgConnections=0", "--Junction:Networks:Vpcs:0:Id=vpc-1"]);

        Assert.Equal(3, bad.ExitCode);
        Assert.Contains("Junction:Quotas:EgConnections", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("Junction:Networks:Vpcs:0 must name its Tenant", bad.Stderr, StringComparison.Ordinal);

        var good = await _cli.RunAsync(["config", "validate", "--data", _data.Path]);
        Assert.Equal(0, good.ExitCode);
        Assert.Contains("the configuration is valid", good.Stdout, StringComparison.Ordinal);
    }
}
