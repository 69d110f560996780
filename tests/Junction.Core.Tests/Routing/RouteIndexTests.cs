using System.Text.Json;
using Junction.Core.Routing;
using Junction.Core.Routing.Filters;

namespace Junction.Core.Tests.Routing;

public sealed class RouteIndexTests
{
    /// <summary>
    /// Counts how often the index asks a filter: the filter AND a counter that always passes, so the index still sees
    /// the filter's own required parts and files it as it would the filter alone.
    /// </summary>
    private sealed class Counting
    {
        private readonly Counter _counter = new();

        public Counting(EventFilter inner) => Filter = new AllOfFilter([_counter, inner]);

        public EventFilter Filter { get; }

        public int Calls => _counter.Calls;

        private sealed class Counter : EventFilter
        {
            public int Calls { get; private set; }

            public override bool Matches(JsonElement root)
            {
                Calls++;
                return true;
            }
        }
    }

    private static EventFilter Pattern(string json) => EbEventPattern.Parse(json).Value!.Filter;

    [Fact]
    public void Match_EvaluatesOnlyTheFiltersFiledUnderTheEventsSourceOrType_PlusUnindexed()
    {
        var routes = new List<(string, EventFilter)>();
        for (var i = 0; i < 200; i++)
        {
            routes.Add(($"rule-{i}", Pattern(Json.F("""{"source":["app-<0>"],"data":{"n":[{"numeric":[">",0]}]}}""", i))));
        }

        var byType = new Counting(Pattern("""{"type":["order:created"]}"""));
        var unindexed = new Counting(Pattern("""{"data":{"n":[{"numeric":[">",5]}]}}"""));
        var otherType = new Counting(Pattern("""{"type":["order:deleted"]}"""));
        routes.Insert(50, ("by-type", byType.Filter));
        routes.Add(("unindexed", unindexed.Filter));
        routes.Add(("other-type", otherType.Filter));
        var index = new RouteIndex<string>(routes);

        using var e = JsonDocument.Parse("""{"source":"app-120","type":"order:created","data":{"n":7}}""");
        Assert.Equal(["by-type", "rule-120", "unindexed"], index.Match(e.RootElement));
        Assert.Equal((1, 1, 0), (byType.Calls, unindexed.Calls, otherType.Calls));
    }

    [Fact]
    public void Match_AgreesWithEvaluatingEveryFilter()
    {
        var random = new Random(7);
        string[] sources = ["a", "b", "c"];
        string[] types = ["t1", "t2"];
        var filters = new List<(int, EventFilter)>();
        for (var i = 0; i < 60; i++)
        {
            var json = (i % 4) switch
            {
                0 => $$"""{"source":["{{sources[random.Next(3)]}}","{{sources[random.Next(3)]}}"]}""",
                1 => Json.F("""{"type":["<0>"],"data":{"n":[<1>]}}""", types[random.Next(2)], random.Next(3)),
                2 => $$"""{"$or":[{"source":["{{sources[random.Next(3)]}}"]},{"type":["{{types[random.Next(2)]}}"]}]}""",
                _ => Json.F("""{"data":{"n":[{"numeric":[">=",<0>]}]}}""", random.Next(3)),
            };
            filters.Add((i, Pattern(json)));
        }

        var index = new RouteIndex<int>(filters);
        foreach (var source in sources.Append("none"))
        {
            foreach (var type in types)
            {
                for (var n = 0; n < 3; n++)
                {
                    using var e = JsonDocument.Parse(Json.F("""{"source":"<0>","type":"<1>","data":{"n":<2>}}""", source, type, n));
                    Assert.Equal(filters.Where(f => f.Item2.Matches(e.RootElement)).Select(f => f.Item1), index.Match(e.RootElement));
                }
            }
        }
    }

    [Fact]
    public void EgRules_AreFiledUnderTheirSources()
    {
        var counting = new Counting(EgFilterRule.Parse("""{"source":[{"op":"StringIn","values":["HC.OBS","HC.SMN"]}]}""").Value!.Filter);
        var index = new RouteIndex<string>([("sub", counting.Filter)]);
        using var other = JsonDocument.Parse("""{"source":"custom","type":"t"}""");
        using var obs = JsonDocument.Parse("""{"source":"HC.SMN","type":"t"}""");

        Assert.Empty(index.Match(other.RootElement));
        Assert.Equal(0, counting.Calls);
        Assert.Equal(["sub"], index.Match(obs.RootElement));
    }
}
