using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Junction.Core.Routing;
using Junction.Core.Routing.Filters;

namespace Junction.Bench;

/// <summary>
/// The event languages on one core (docs/performance.md): evaluations per second of typical and documented filters
/// against a hand-written check of the same three conditions (the baseline), and route selection on a bus with 1, 10
/// and 200 rules against the 1-rule bus. In process, so no second build is needed.
/// </summary>
internal static class RoutingBench
{
    public static void Run()
    {
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("in-process"))
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        BenchmarkRunner.Run<FilterEvaluation>(config);
        BenchmarkRunner.Run<RouteSelection>(config);
    }
}

public class FilterEvaluation
{
    private const string Event = """
        {"specversion":"1.0","id":"7f3c","source":"app-7","type":"order:created","subject":"orders/991","time":"2026-12-05T10:00:00Z",
         "datacontenttype":"application/json","data":{"amount":250,"currency":"EUR","customer":{"tier":"gold","ip":"10.0.0.7"},"items":["a","b"]}}
        """;

    private JsonDocument _event = null!;
    private EventFilter _eg3 = null!;
    private EventFilter _eb3 = null!;
    private EventFilter _egDocNested = null!;
    private EventFilter _ebPrefixSuffix = null!;
    private EventFilter _ebAnythingButCidr = null!;
    private EventFilter _ebMiss = null!;

    [GlobalSetup]
    public void Setup()
    {
        _event = JsonDocument.Parse(Event);
        _eg3 = EgFilterRule.Parse("""{"source":[{"op":"StringIn","values":["app-7"]}],"type":[{"op":"StringIn","values":["order:created"]}],"data":{"amount":[{"op":"NumberGreaterThan","value":100}]}}""").Value!.Filter;
        _eb3 = EbEventPattern.Parse("""{"source":["app-7"],"type":["order:created"],"data":{"amount":[{"numeric":[">",100]}]}}""").Value!.Filter;
        _egDocNested = EgFilterRule.Parse("""{"source":[{"op":"StringIn","values":["app-7"]}],"subject":{"and":[{"op":"StringStartsWith","values":["orders/"]},{"op":"StringEndsWith","values":["1"]}]},"data":{"customer":{"tier":[{"op":"StringIn","values":["gold","silver"]}]},"currency":[{"op":"StringNotIn","values":["USD"]}]}}""").Value!.Filter;
        _ebPrefixSuffix = EbEventPattern.Parse("""{"source":[{"prefix":"app-"}],"subject":[{"suffix":"/991"}],"data":{"items":["b"]}}""").Value!.Filter;
        _ebAnythingButCidr = EbEventPattern.Parse("""{"type":[{"anything-but":["order:deleted","order:paid"]}],"data":{"customer":{"ip":[{"cidr":"10.0.0.0/24"}]}}}""").Value!.Filter;
        _ebMiss = EbEventPattern.Parse("""{"source":["app-8"],"type":["order:created"],"data":{"amount":[{"numeric":[">",100]}]}}""").Value!.Filter;
        if (!HandWritten() || !_eg3.Matches(_event.RootElement) || !_eb3.Matches(_event.RootElement) || !_egDocNested.Matches(_event.RootElement)
            || !_ebPrefixSuffix.Matches(_event.RootElement) || !_ebAnythingButCidr.Matches(_event.RootElement) || _ebMiss.Matches(_event.RootElement))
        {
            throw new InvalidOperationException("a benchmark filter does not evaluate as intended");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _event.Dispose();

    /// <summary>The same three conditions as <see cref="EgThreeConditions"/>, written out by hand.</summary>
    [Benchmark(Baseline = true)]
    public bool HandWritten()
    {
        var root = _event.RootElement;
        return root.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.String && source.ValueEquals("app-7")
            && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("order:created")
            && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("amount", out var amount) && amount.ValueKind == JsonValueKind.Number && amount.GetDecimal() > 100;
    }

    [Benchmark]
    public bool EgThreeConditions() => _eg3.Matches(_event.RootElement);

    [Benchmark]
    public bool EbThreeConditions() => _eb3.Matches(_event.RootElement);

    [Benchmark]
    public bool EgAndLeafNestedNotIn() => _egDocNested.Matches(_event.RootElement);

    [Benchmark]
    public bool EbPrefixSuffixArray() => _ebPrefixSuffix.Matches(_event.RootElement);

    [Benchmark]
    public bool EbAnythingButCidr() => _ebAnythingButCidr.Matches(_event.RootElement);

    [Benchmark]
    public bool EbFirstConditionMisses() => _ebMiss.Matches(_event.RootElement);
}

public class RouteSelection
{
    private readonly List<int> _matches = [];
    private JsonDocument _event = null!;
    private RouteIndex<int> _index = null!;

    [Params(1, 10, 200)]
    public int Rules { get; set; }

    /// <summary>distinct: each rule names its own source (the usual bus); shared: every rule names the event's source.</summary>
    [Params("distinct", "shared")]
    public string Sources { get; set; } = "distinct";

    [GlobalSetup]
    public void Setup()
    {
        _event = JsonDocument.Parse("""{"source":"app-0","type":"order:created","data":{"amount":250,"currency":"EUR"}}""");
        _index = new RouteIndex<int>(Enumerable.Range(0, Rules).Select(i =>
            (i, EbEventPattern.Parse("""{"source":["app-SOURCE"],"type":["order:created"],"data":{"amount":[{"numeric":[">",BOUND]}]}}"""
                .Replace("SOURCE", Sources == "shared" ? "0" : $"{i}", StringComparison.Ordinal).Replace("BOUND", $"{i}", StringComparison.Ordinal)).Value!.Filter)));
    }

    [GlobalCleanup]
    public void Cleanup() => _event.Dispose();

    [Benchmark]
    public int Select()
    {
        _matches.Clear();
        _index.Match(_event.RootElement, _matches);
        return _matches.Count;
    }
}
