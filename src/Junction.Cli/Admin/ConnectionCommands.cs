using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using static Junction.Cli.Admin.AdminCommand;
using static Junction.Cli.Admin.Output;
using static Junction.Cli.Admin.TenantCommands;

namespace Junction.Cli.Admin;

/// <summary><c>junction connections list|show|history|wait</c>: every connection of every face.</summary>
internal static class ConnectionCommands
{
    private const int PageSize = 1000;

    private static readonly Column[] s_connection =
    [
        Field("id", "id"), Field("face", "face"), Field("name", "name"), Field("kind", "kind"), Field("state", "state"), Field("tenant", "tenant_id"),
        Field("error", "error.code"),
    ];

    public static Command Connections()
    {
        var id = Arg("id", "The connection's id (any face).");
        var face = Opt("--face", "Only this face: eg, eb or dli.");
        var state = Opt("--state", "Only this state: Pending, Ready, Failed or Unverified.");
        var tenant = Opt("--tenant", "Only this tenant's: its id, project id, account id or IAM domain name.");
        var text = Opt("--search", "Only those whose name or id contains this text (case-sensitive).");
        var limit = new Option<int>("--limit") { Description = "At most this many (1-1000).", DefaultValueFactory = _ => 100 };
        var offset = new Option<int>("--offset") { Description = "Skip this many first.", DefaultValueFactory = _ => 0 };
        var all = new Option<bool>("--all") { Description = "Every match, page after page (progress on standard error)." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait at most (default 120).", DefaultValueFactory = _ => 120 };

        return Group("connections", "Every connection across the three faces, with its verification state and history.",
            Create("list", "List connections, newest first.", [face, state, tenant, text, limit, offset, all], async (parse, http, json, ct) =>
            {
                var query = $"face={Escape(parse.GetValue(face))}&state={Escape(parse.GetValue(state))}&tenant_id={Escape(parse.GetValue(tenant))}&q={Escape(parse.GetValue(text))}";
                var body = parse.GetValue(all)
                    ? await AllAsync(http, query, parse.GetValue(offset), ct)
                    : await http.GetAsync($"/connections?{query}&offset={parse.GetValue(offset)}&limit={parse.GetValue(limit)}", ct);
                Print(json, body, () =>
                {
                    var items = body!["items"]!.AsArray();
                    Table(items, s_connection);
                    Console.Out.WriteLine($"{items.Count} of {Text(body["total"])}");
                });
                return ExitCodes.Success;
            }),
            Create("show", "Show one connection.", [id], async (parse, http, json, ct) =>
            {
                var body = await http.GetAsync($"/connections/{Escape(parse.GetValue(id))}", ct);
                Print(json, body, () => Record(body!, [.. s_connection, Field("message", "error.message"), Field("created", "created_at"), Field("updated", "updated_at")]));
                return ExitCodes.Success;
            }),
            Create("history", "Show a connection's last 100 verifications, newest first.", [id], async (parse, http, json, ct) =>
            {
                var body = await http.GetAsync($"/connections/{Escape(parse.GetValue(id))}/history", ct);
                Print(json, body, () => Table(body!["history"]!.AsArray(),
                    Field("finished", "finished_at"), Field("node", "node"), Field("from", "from"), Field("to", "to"), Field("code", "code"), Field("message", "message")));
                return ExitCodes.Success;
            }),
            Create("wait", "Wait until a connection has been verified; exit 0 when Ready or Unverified, 1 when Failed, 9 on timeout.", [id, timeout],
                async (parse, http, json, ct) => await WaitAsync(http, parse.GetValue(id)!, TimeSpan.FromSeconds(parse.GetValue(timeout)), json, ct)),
            Create("delete", "Delete a connection of any face, by that face's rules (DLI: soft delete).", [id], async (parse, http, json, ct) =>
            {
                await http.DeleteAsync($"/connections/{Escape(parse.GetValue(id))}", ct);
                Done(json, $"deleted connection {parse.GetValue(id)}");
                return ExitCodes.Success;
            }),
            Create("recheck", "Make a connection due for verification now (then 'wait' or 'watch' it).", [id], async (parse, http, json, ct) =>
            {
                var body = await http.PostAsync($"/connections/{Escape(parse.GetValue(id))}/recheck", new JsonObject(), ct);
                Print(json, body, () => Console.Out.WriteLine($"connection {parse.GetValue(id)} is due for a check now (state {Text(body!["state"])})"));
                return ExitCodes.Success;
            }),
            Create("watch", "Print a connection's state each time it changes, until stopped (Ctrl+C).", [id], async (parse, http, json, ct) =>
            {
                string? last = null;
                try
                {
                    while (true)
                    {
                        var body = await http.GetAsync($"/connections/{Escape(parse.GetValue(id))}", ct);
                        var now = $"{Text(body!["state"])} {Text(body["error"]?["code"])} {Text(body["error"]?["message"])}".Trim();
                        if (now != last)
                        {
                            Print(json, body, () => Console.Out.WriteLine($"{Text(body["updated_at"])}  {now}"));
                            last = now;
                        }

                        await Task.Delay(TimeSpan.FromSeconds(1), ct);
                    }
                }
                catch (OperationCanceledException)
                {
                    return ExitCodes.Success;
                }
            }));
    }

    /// <summary><c>junction status</c>: the server's version and database, connections by face and state, those failing now.</summary>
    public static Command Status()
    {
        var command = Create("status", "The server's version and database, its connections by face and state, and those failing now.", [], async (_, http, json, ct) =>
        {
            var body = await http.GetAsync("/status", ct);
            Print(json, body, () =>
            {
                Console.Out.WriteLine($"junction {Text(body!["version"])}, {Text(body["database"])} schema {Text(body["schema"])}");
                Table(body["connections"]!.AsArray(), Field("face", "face"), Field("state", "state"), Field("count", "count"));
                Console.Out.WriteLine($"failing now: {Text(body["failing_total"])}");
                if (body["failing"]!.AsArray().Count > 0)
                {
                    Table(body["failing"]!.AsArray(), [.. s_connection, Field("message", "error.message")]);
                }
            });
            return ExitCodes.Success;
        });
        foreach (var option in AdminSettings.All)
        {
            command.Options.Add(option);
        }

        return command;
    }

    private static async Task<JsonNode> AllAsync(AdminHttp http, string query, int offset, CancellationToken ct)
    {
        var items = new JsonArray();
        long total;
        var progress = !Console.IsErrorRedirected;
        while (true)
        {
            var page = await http.GetAsync($"/connections?{query}&offset={offset + items.Count}&limit={PageSize}", ct);
            total = page!["total"]!.GetValue<long>();
            var batch = page["items"]!.AsArray();
            var count = batch.Count;
            foreach (var item in batch.ToList())
            {
                batch.Remove(item);
                items.Add(item);
            }

            if (progress)
            {
                Console.Error.Write($"\rfetched {items.Count} of {Math.Max(0, total - offset)}");
            }

            // An empty page ends it too: rows deleted while paging.
            if (count == 0 || items.Count >= total - offset)
            {
                break;
            }
        }

        if (progress)
        {
            Console.Error.WriteLine();
        }

        return new JsonObject { ["total"] = total, ["items"] = items };
    }

    private static async Task<int> WaitAsync(AdminHttp http, string id, TimeSpan timeout, bool json, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var progress = !Console.IsErrorRedirected;
        while (true)
        {
            var connection = (await http.GetAsync($"/connections/{Escape(id)}", ct))!;
            var state = Text(connection["state"]);
            if (state != "Pending")
            {
                if (progress)
                {
                    Console.Error.WriteLine();
                }

                Print(json, connection, () => Console.Out.WriteLine(state == "Failed"
                    ? $"{id}: Failed ({Text(Walk(connection, "error.code"))}: {Text(Walk(connection, "error.message"))})"
                    : $"{id}: {state}"));
                return state == "Failed" ? ExitCodes.Failure : ExitCodes.Success;
            }

            if (clock.Elapsed >= timeout)
            {
                throw new CliException(ExitCodes.TimedOut, $"{id} was still Pending after {timeout.TotalSeconds:0} s");
            }

            if (progress)
            {
                Console.Error.Write($"\rwaiting for {id}: Pending ({clock.Elapsed.TotalSeconds:0} s)");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }
}
