using System.CommandLine;
using System.Text.Json.Nodes;
using static Junction.Cli.Admin.AdminCommand;
using static Junction.Cli.Admin.Output;
using static Junction.Cli.Admin.TenantCommands;

namespace Junction.Cli.Admin;

/// <summary><c>junction deliveries list|show|redrive</c>: delivery jobs, their attempts, and delivering failed ones again.</summary>
internal static class DeliveryCommands
{
    private static readonly Column[] s_delivery =
    [
        Field("id", "id"), Field("state", "state"), Field("phase", "phase"), Field("attempts", "attempts"), Field("event", "event_id"),
        Field("target", "target_id"), Field("tenant", "tenant_id"), Field("error", "last_error"),
    ];

    public static Command Deliveries()
    {
        var id = Arg("id", "The delivery's id.");
        var state = Opt("--state", "Only this state: Pending, Delivered, DeadLettered, Failed or Dropped.");
        var tenant = Opt("--tenant", "Only this tenant's.");
        var subscription = Opt("--subscription", "Only this subscription's.");
        var target = Opt("--target", "Only this target's.");
        var limit = new Option<int>("--limit") { Description = "At most this many (1-1000).", DefaultValueFactory = _ => 100 };
        var offset = new Option<int>("--offset") { Description = "Skip this many first.", DefaultValueFactory = _ => 0 };
        var ids = new Option<long[]>("--id") { Description = "Redrive this delivery (repeatable).", AllowMultipleArgumentsPerToken = true };
        var all = new Option<bool>("--all") { Description = "Redrive every failed and dead-lettered delivery." };

        return Group("deliveries", "Delivery jobs: one event owed to one target, its attempts, and redrive of failed ones.",
            Create("list", "List deliveries, newest first.", [state, tenant, subscription, target, limit, offset], async (parse, http, json, ct) =>
            {
                var query = $"state={Escape(parse.GetValue(state))}&tenant_id={Escape(parse.GetValue(tenant))}&subscription_id={Escape(parse.GetValue(subscription))}" +
                    $"&target_id={Escape(parse.GetValue(target))}&offset={parse.GetValue(offset)}&limit={parse.GetValue(limit)}";
                var body = await http.GetAsync($"/deliveries?{query}", ct);
                Print(json, body, () =>
                {
                    var items = body!["items"]!.AsArray();
                    Table(items, s_delivery);
                    Console.Out.WriteLine($"{items.Count} of {Text(body["total"])}");
                });
                return ExitCodes.Success;
            }),
            Create("show", "Show one delivery and its attempts.", [id], async (parse, http, json, ct) =>
            {
                var body = await http.GetAsync($"/deliveries/{Escape(parse.GetValue(id))}", ct);
                Print(json, body, () =>
                {
                    Record(body!["delivery"]!, [.. s_delivery, Field("created", "created_at"), Field("next", "next_at"), Field("finished", "finished_at")]);
                    Console.Out.WriteLine();
                    Table(body["attempts"]!.AsArray(), Field("at", "at"), Field("phase", "phase"), Field("node", "node"), Field("ms", "duration_ms"),
                        Field("outcome", "outcome"), Field("code", "code"), Field("message", "message"));
                });
                return ExitCodes.Success;
            }),
            Create("redrive", "Deliver failed and dead-lettered deliveries again, from a first attempt: by --id, --tenant, --subscription, --target, or --all.",
                [ids, tenant, subscription, target, all], async (parse, http, json, ct) =>
            {
                var request = new JsonObject();
                if (parse.GetValue(ids) is { Length: > 0 } chosen)
                {
                    request["ids"] = new JsonArray([.. chosen.Select(i => (JsonNode)i)]);
                }

                request["tenant_id"] = parse.GetValue(tenant);
                request["subscription_id"] = parse.GetValue(subscription);
                request["target_id"] = parse.GetValue(target);
                request["all"] = parse.GetValue(all);
                var body = await http.PostAsync("/deliveries/redrive", request, ct);
                Print(json, body, () => Console.Out.WriteLine($"redriven: {Text(body!["redriven"])}"));
                return ExitCodes.Success;
            }));
    }
}
