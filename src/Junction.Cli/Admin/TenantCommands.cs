using System.CommandLine;
using System.Text.Json.Nodes;
using static Junction.Cli.Admin.AdminCommand;
using static Junction.Cli.Admin.Output;

namespace Junction.Cli.Admin;

/// <summary><c>junction tenants|keys|users ...</c>.</summary>
internal static class TenantCommands
{
    private static readonly Column[] s_tenant =
    [
        Field("id", "id"), Field("domain", "domain_name"), Field("project_id", "project_id"), Field("account_id", "account_id"), Field("created", "created_at"),
    ];

    public static Command Tenants()
    {
        var id = Arg("tenant", "The tenant's id (see 'junction tenants list').");
        var domain = new Option<string>("--domain") { Description = "The IAM domain name (also the Tencent account's name).", Required = true };
        var projectId = Opt("--project-id", "The Huawei project id (default: random 32 hex characters).");
        var accountId = Opt("--account-id", "The Tencent uin, 5-20 digits (default: random).");
        var user = Opt("--user", "The first user's name (default: admin).");
        return Group("tenants", "Tenants: each is a Huawei project and a Tencent account.",
            Create("list", "List every tenant.", [], async (_, http, json, ct) =>
            {
                var body = await http.GetAsync("/tenants", ct);
                Print(json, body, () => Table(body!["items"]!.AsArray(), s_tenant));
                return ExitCodes.Success;
            }),
            Create("show", "Show one tenant.", [id], async (parse, http, json, ct) =>
            {
                var body = await http.GetAsync($"/tenants/{Escape(parse.GetValue(id))}", ct);
                Print(json, body, () => Record(body!, s_tenant));
                return ExitCodes.Success;
            }),
            Create("create", "Create a tenant with its first access key and user; their secrets are shown once.", [domain, projectId, accountId, user],
                async (parse, http, json, ct) =>
                {
                    var request = new JsonObject { ["domain_name"] = parse.GetValue(domain) };
                    AddIfSet(request, "project_id", parse.GetValue(projectId));
                    AddIfSet(request, "account_id", parse.GetValue(accountId));
                    AddIfSet(request, "user", parse.GetValue(user));
                    var body = await http.PostAsync("/tenants", request, ct);
                    Print(json, body, () =>
                    {
                        Record(body!["tenant"]!, s_tenant);
                        Secret("access key id", Text(body["access_key"]!["id"]));
                        Secret("secret key", Text(body["access_key"]!["secret"]));
                        Secret("user", Text(body["user"]!["name"]));
                        Secret("password", Text(body["user"]!["password"]));
                    });
                    SecretNotice();
                    return ExitCodes.Success;
                }));
    }

    public static Command Keys()
    {
        var tenant = Arg("tenant", "The tenant's id.");
        var key = Arg("key", "The access key id.");
        return Group("keys", "A tenant's access keys (AK/SK for signed requests; SecretId/SecretKey for Tencent).",
            Create("list", "List a tenant's access keys (never their secrets).", [tenant], async (parse, http, json, ct) =>
            {
                var body = await http.GetAsync($"/tenants/{Escape(parse.GetValue(tenant))}/access-keys", ct);
                Print(json, body, () => Table(body!["items"]!.AsArray(), Field("id", "id"), Field("created", "created_at")));
                return ExitCodes.Success;
            }),
            Create("create", "Add an access key; its secret is shown once.", [tenant], async (parse, http, json, ct) =>
            {
                var body = await http.PostAsync($"/tenants/{Escape(parse.GetValue(tenant))}/access-keys", null, ct);
                Print(json, body, () =>
                {
                    Secret("access key id", Text(body!["id"]));
                    Secret("secret key", Text(body["secret"]));
                });
                SecretNotice();
                return ExitCodes.Success;
            }),
            Create("rotate", "Replace an access key with a new one; the old one stops working at once.", [tenant, key], async (parse, http, json, ct) =>
            {
                var body = await http.PostAsync($"/tenants/{Escape(parse.GetValue(tenant))}/access-keys/{Escape(parse.GetValue(key))}/rotate", null, ct);
                Print(json, body, () =>
                {
                    Secret("replaced", Text(body!["replaces"]));
                    Secret("access key id", Text(body["id"]));
                    Secret("secret key", Text(body["secret"]));
                });
                SecretNotice();
                return ExitCodes.Success;
            }),
            Create("revoke", "Revoke an access key.", [tenant, key], async (parse, http, json, ct) =>
            {
                await http.DeleteAsync($"/tenants/{Escape(parse.GetValue(tenant))}/access-keys/{Escape(parse.GetValue(key))}", ct);
                Done(json, $"revoked access key {parse.GetValue(key)}");
                return ExitCodes.Success;
            }));
    }

    public static Command Users()
    {
        var tenant = Arg("tenant", "The tenant's id.");
        var name = Arg("name", "The user's name.");
        var password = PasswordStdin("the password (default: Junction chooses one and shows it once)");
        return Group("users", "A tenant's users, who obtain tokens from /v3/auth/tokens with a password.",
            Create("list", "List a tenant's users.", [tenant], async (parse, http, json, ct) =>
            {
                var body = await http.GetAsync($"/tenants/{Escape(parse.GetValue(tenant))}/users", ct);
                Print(json, body, () => Table(body!["items"]!.AsArray(), Field("name", "name"), Field("created", "created_at")));
                return ExitCodes.Success;
            }),
            Create("create", "Add a user.", [tenant, name, password], async (parse, http, json, ct) =>
            {
                var request = new JsonObject { ["name"] = parse.GetValue(name) };
                AddIfSet(request, "password", ReadPassword(parse, password));
                var body = await http.PostAsync($"/tenants/{Escape(parse.GetValue(tenant))}/users", request, ct);
                PrintUser(json, body!, $"created user {parse.GetValue(name)}");
                return ExitCodes.Success;
            }),
            Create("set-password", "Set a user's password. Tokens issued before stay valid until they expire.", [tenant, name, password], async (parse, http, json, ct) =>
            {
                var request = new JsonObject();
                AddIfSet(request, "password", ReadPassword(parse, password));
                var body = await http.PutAsync($"/tenants/{Escape(parse.GetValue(tenant))}/users/{Escape(parse.GetValue(name))}/password", request, ct);
                PrintUser(json, body!, $"set the password of {parse.GetValue(name)}");
                return ExitCodes.Success;
            }),
            Create("delete", "Delete a user.", [tenant, name], async (parse, http, json, ct) =>
            {
                await http.DeleteAsync($"/tenants/{Escape(parse.GetValue(tenant))}/users/{Escape(parse.GetValue(name))}", ct);
                Done(json, $"deleted user {parse.GetValue(name)}");
                return ExitCodes.Success;
            }));
    }

    private static void PrintUser(bool json, JsonNode body, string done)
    {
        var chosen = Text(body["password"]);
        Print(json, body, () =>
        {
            Console.Out.WriteLine(done);
            if (chosen is not null)
            {
                Secret("password", chosen);
            }
        });
        if (chosen is not null)
        {
            SecretNotice();
        }
    }

    internal static void Print(bool json, JsonNode? body, System.Action table)
    {
        if (json)
        {
            Json(body);
        }
        else
        {
            table();
        }
    }

    /// <summary>What a command that answers nothing (204) prints: a sentence, or <c>{}</c> for scripts.</summary>
    internal static void Done(bool json, string sentence)
    {
        if (json)
        {
            Json(new JsonObject());
        }
        else
        {
            Console.Out.WriteLine(sentence);
        }
    }

    internal static void AddIfSet(JsonObject request, string name, string? value)
    {
        if (value is not null)
        {
            request[name] = value;
        }
    }

    internal static string Escape(string? segment) => Uri.EscapeDataString(segment ?? "");
}
