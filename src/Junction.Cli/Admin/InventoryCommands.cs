using System.CommandLine;
using System.Text.Json.Nodes;
using static Junction.Cli.Admin.AdminCommand;
using static Junction.Cli.Admin.Output;
using static Junction.Cli.Admin.TenantCommands;

namespace Junction.Cli.Admin;

/// <summary><c>junction networks|instances|functions ...</c>.</summary>
internal static class InventoryCommands
{
    private static readonly Column[] s_instance =
    [
        Field("id", "id"), Field("bootstrap_servers", "bootstrap_servers"), Field("protocol", "security_protocol"), Field("mechanism", "sasl_mechanism"),
        Field("user", "user_name"), Field("has_password", "has_password"), Field("source", "source"), Field("tenant", "tenant"), Field("shared", "shared"),
    ];

    public static Command Networks()
    {
        var id = Arg("id", "The VPC's id.");
        var vpc = Arg("vpc", "The VPC's id.");
        var subnet = Arg("subnet", "The subnet's id.");
        var name = Opt("--name", "A name for people.");
        var cidr = Opt("--cidr", "Its address range, such as 10.0.0.0/16; Junction may connect inside it (the egress policy).");
        var tenant = Opt("--tenant", "The IAM domain name of the only tenant whose connections may use this VPC and its subnets.");
        var shared = new Option<bool>("--shared") { Description = "Every tenant's connections may use this VPC and its subnets." };
        return Group("networks", "VPCs and subnets that connections name (vpc_id, subnet_id); their CIDRs open the egress policy.",
            Create("list", "List every VPC and subnet, from configuration and from the admin API.", [], async (_, http, json, ct) =>
            {
                var body = await http.GetAsync("/networks", ct);
                Print(json, body, () =>
                {
                    var rows = body!["items"]!.AsArray().SelectMany(v => v!["subnets"]!.AsArray()
                        .Select(s => (JsonNode?)new JsonObject { ["id"] = Text(s!["id"]), ["kind"] = "subnet", ["vpc"] = Text(v["id"]), ["cidr"] = Text(s["cidr"]), ["name"] = Text(s["name"]), ["source"] = Text(v["source"]) })
                        .Prepend(new JsonObject
                        {
                            ["id"] = Text(v["id"]), ["kind"] = "vpc", ["cidr"] = Text(v["cidr"]), ["name"] = Text(v["name"]), ["source"] = Text(v["source"]),
                            ["owner"] = v["shared"]?.GetValue<bool>() == true ? "shared" : Text(v["tenant"]),
                        }));
                    Table(rows, Field("id", "id"), Field("kind", "kind"), Field("vpc", "vpc"), Field("cidr", "cidr"), Field("name", "name"), Field("owner", "owner"), Field("source", "source"));
                    Console.Out.WriteLine($"mode: {Text(body["mode"])}");
                });
                return ExitCodes.Success;
            }),
            Create("add-vpc", "Register a VPC, for one tenant (--tenant) or every tenant (--shared).", [id, name, cidr, tenant, shared], async (parse, http, json, ct) =>
            {
                var request = Network(parse.GetValue(id), parse.GetValue(name), parse.GetValue(cidr));
                AddIfSet(request, "tenant", parse.GetValue(tenant));
                if (parse.GetValue(shared))
                {
                    request["shared"] = true;
                }

                var body = await http.PostAsync("/networks", request, ct);
                Print(json, body, () => Console.Out.WriteLine($"registered VPC {parse.GetValue(id)}"));
                return ExitCodes.Success;
            }),
            Create("add-subnet", "Register a subnet of a registered VPC.", [vpc, subnet, name, cidr], async (parse, http, json, ct) =>
            {
                var body = await http.PostAsync($"/networks/{Escape(parse.GetValue(vpc))}/subnets", Network(parse.GetValue(subnet), parse.GetValue(name), parse.GetValue(cidr)), ct);
                Print(json, body, () => Console.Out.WriteLine($"registered subnet {parse.GetValue(subnet)} in VPC {parse.GetValue(vpc)}"));
                return ExitCodes.Success;
            }),
            Create("delete", "Remove a VPC (remove its subnets first).", [id], async (parse, http, json, ct) =>
            {
                await http.DeleteAsync($"/networks/{Escape(parse.GetValue(id))}", ct);
                Done(json, $"removed VPC {parse.GetValue(id)}");
                return ExitCodes.Success;
            }),
            Create("delete-subnet", "Remove a subnet.", [vpc, subnet], async (parse, http, json, ct) =>
            {
                await http.DeleteAsync($"/networks/{Escape(parse.GetValue(vpc))}/subnets/{Escape(parse.GetValue(subnet))}", ct);
                Done(json, $"removed subnet {parse.GetValue(subnet)}");
                return ExitCodes.Success;
            }));
    }

    public static Command Instances()
    {
        var id = Arg("id", "The instance id requests name, such as ckafka-abcd1234.");
        var servers = new Option<string>("--bootstrap-servers") { Description = "host:port[,host:port...]", Required = true };
        var protocol = Opt("--security-protocol", "PLAINTEXT (default), SASL_PLAINTEXT, SASL_SSL or SSL.");
        var mechanism = Opt("--sasl-mechanism", "PLAIN (default with SASL), SCRAM-SHA-256 or SCRAM-SHA-512.");
        var user = Opt("--user-name", "The SASL user.");
        var password = PasswordStdin("the SASL password");
        var tenant = Opt("--tenant", "The IAM domain name of the only tenant whose connectors may use it.");
        var shared = new Option<bool>("--shared") { Description = "Every tenant's connectors may use it (and its credentials)." };
        Command Write(string verb, string description, bool update) =>
            Create(verb, description, [id, servers, protocol, mechanism, user, password, tenant, shared], async (parse, http, json, ct) =>
            {
                var request = new JsonObject { ["id"] = parse.GetValue(id), ["bootstrap_servers"] = parse.GetValue(servers) };
                AddIfSet(request, "tenant", parse.GetValue(tenant));
                if (parse.GetValue(shared))
                {
                    request["shared"] = true;
                }

                AddIfSet(request, "security_protocol", parse.GetValue(protocol));
                AddIfSet(request, "sasl_mechanism", parse.GetValue(mechanism));
                AddIfSet(request, "user_name", parse.GetValue(user));
                AddIfSet(request, "password", ReadPassword(parse, password));
                var body = update
                    ? await http.PutAsync($"/instances/kafka/{Escape(parse.GetValue(id))}", request, ct)
                    : await http.PostAsync("/instances/kafka", request, ct);
                Print(json, body, () => Record(body!, s_instance));
                return ExitCodes.Success;
            });

        return Group("instances", "Kafka instances that Tencent ckafka connectors name, and how Junction reaches them.",
            Create("list", "List every Kafka instance (passwords are never shown).", [], async (_, http, json, ct) =>
            {
                var body = await http.GetAsync("/instances/kafka", ct);
                Print(json, body, () => Table(body!["items"]!.AsArray(), s_instance));
                return ExitCodes.Success;
            }),
            Create("show", "Show one Kafka instance.", [id], async (parse, http, json, ct) =>
            {
                var body = await http.GetAsync($"/instances/kafka/{Escape(parse.GetValue(id))}", ct);
                Print(json, body, () => Record(body!, s_instance));
                return ExitCodes.Success;
            }),
            Write("add", "Register a Kafka instance.", update: false),
            Write("update", "Replace a Kafka instance's settings (without --password-stdin the kept password stays).", update: true),
            Create("delete", "Remove a Kafka instance.", [id], async (parse, http, json, ct) =>
            {
                await http.DeleteAsync($"/instances/kafka/{Escape(parse.GetValue(id))}", ct);
                Done(json, $"removed Kafka instance {parse.GetValue(id)}");
                return ExitCodes.Success;
            }));
    }

    private static readonly Column[] s_function =
    [
        Field("namespace", "namespace"), Field("name", "name"), Field("url", "url"), Field("tenant", "tenant"), Field("shared", "shared"),
    ];

    public static Command Functions()
    {
        var ns = Arg("namespace", "The function's namespace, as an scf target's resource names it (namespace/<namespace>/function/<name>).");
        var name = Arg("name", "The function's name.");
        var url = new Option<string>("--url") { Description = "The http(s) URL Junction POSTs each event to.", Required = true };
        var tenant = Opt("--tenant", "The IAM domain name of the only tenant whose targets may use it.");
        var shared = new Option<bool>("--shared") { Description = "Every tenant's targets may use it." };
        Command Write(string verb, string description, bool update) =>
            Create(verb, description, [ns, name, url, tenant, shared], async (parse, http, json, ct) =>
            {
                var request = new JsonObject { ["namespace"] = parse.GetValue(ns), ["name"] = parse.GetValue(name), ["url"] = parse.GetValue(url) };
                AddIfSet(request, "tenant", parse.GetValue(tenant));
                if (parse.GetValue(shared))
                {
                    request["shared"] = true;
                }

                var body = update
                    ? await http.PutAsync($"/functions/{Escape(parse.GetValue(ns))}/{Escape(parse.GetValue(name))}", request, ct)
                    : await http.PostAsync("/functions", request, ct);
                Print(json, body, () => Record(body!, s_function));
                return ExitCodes.Success;
            });

        return Group("functions", "HTTP endpoints that Tencent EB scf targets deliver to (Junction has no SCF: each function is an URL).",
            Create("list", "List every HTTP function.", [], async (_, http, json, ct) =>
            {
                var body = await http.GetAsync("/functions", ct);
                Print(json, body, () => Table(body!["items"]!.AsArray(), s_function));
                return ExitCodes.Success;
            }),
            Write("add", "Register the HTTP endpoint of a function.", update: false),
            Write("update", "Replace a function's URL and owner.", update: true),
            Create("delete", "Remove a function.", [ns, name], async (parse, http, json, ct) =>
            {
                await http.DeleteAsync($"/functions/{Escape(parse.GetValue(ns))}/{Escape(parse.GetValue(name))}", ct);
                Done(json, $"removed function {parse.GetValue(ns)}/{parse.GetValue(name)}");
                return ExitCodes.Success;
            }));
    }

    private static JsonObject Network(string? id, string? name, string? cidr)
    {
        var request = new JsonObject { ["id"] = id };
        AddIfSet(request, "name", name);
        AddIfSet(request, "cidr", cidr);
        return request;
    }
}
