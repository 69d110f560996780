using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Junction.Server.OperatorConsole;

/// <summary>What every console page has: its section for the navigation, a one-time note, paging and links that keep the filters.</summary>
public abstract class ConsolePage : PageModel
{
    /// <summary>A note for the next page after a redirect (never a secret: secrets are rendered in the answer that made them).</summary>
    [TempData]
    public string? Note { get; set; }

    /// <summary>What went wrong with the last action, for the next page after a redirect.</summary>
    [TempData]
    public string? Problem { get; set; }

    /// <summary>The navigation entry this page belongs to.</summary>
    public abstract string Section { get; }

    public ConsoleOptions Settings => Service<IOptions<ConsoleOptions>>().Value;

    public DateTimeOffset Now => Service<TimeProvider>().GetUtcNow();

    /// <summary>The page number from <c>?page=</c> (1 and up).</summary>
    public int PageNumber => int.TryParse(Request.Query["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1_000_000 ? n : 1;

    public int Offset => (PageNumber - 1) * Settings.PageSize;

    /// <summary>Every tenant, for the tenant filter and for showing a tenant's name instead of its id (after <see cref="LoadTenantsAsync"/>).</summary>
    public IReadOnlyList<Core.Tenancy.Tenant> Tenants { get; private set; } = [];

    public string TenantName(string id) => Tenants.FirstOrDefault(t => t.Id == id)?.DomainName ?? id;

    /// <summary>Reads the tenants; answers the tenant the filter names when it exists, else null.</summary>
    protected async Task<Core.Tenancy.Tenant?> LoadTenantsAsync(string? chosen, CancellationToken cancellationToken)
    {
        Tenants = await Service<Core.Tenancy.ITenantStore>().ListTenantsAsync(cancellationToken);
        return Tenants.FirstOrDefault(t => t.Id == chosen);
    }

    protected T Service<T>()
        where T : notnull => HttpContext.RequestServices.GetRequiredService<T>();

    /// <summary>Runs an admin API operation (<see cref="ConsoleActions"/>) with a body built from the form.</summary>
    protected Task<AdminOutcome> RunAsync(JsonObject? body, Func<Task<IResult>> operation) => ConsoleActions.RunAsync(HttpContext, body, operation);

    /// <summary>Redirects back here (post, redirect, get) with a note saying how the action went.</summary>
    protected IActionResult Done(AdminOutcome outcome, string success, string? to = null)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Ok)
        {
            Note = success;
        }
        else
        {
            Problem = outcome.Error ?? $"the action failed ({outcome.Status})";
        }

        return Redirect(to ?? Back());
    }

    /// <summary>Where an action returns to: the console page it was posted from (its filters kept), else this page.</summary>
    protected string Back()
    {
        var referer = Request.Headers.Referer.ToString();
        if (Uri.TryCreate(referer, UriKind.Absolute, out var from) && from.Authority == Request.Host.Value
            && from.AbsolutePath.StartsWith(ConsoleSetup.Prefix, StringComparison.Ordinal) && !from.Query.Contains("handler=", StringComparison.Ordinal))
        {
            return from.PathAndQuery;
        }

        return Request.Path;
    }

    /// <summary>This page's address with one query value replaced (or removed when empty), every other filter kept.</summary>
    public string With(string key, string? value)
    {
        // Changing a filter starts again from the first page.
        var query = Request.Query.Where(q => q.Key != key && (key == "page" || q.Key != "page"))
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .ToList();
        if (!string.IsNullOrEmpty(value))
        {
            query.Add(new(key, value));
        }

        return Request.Path + Microsoft.AspNetCore.Http.QueryString.Create(query).ToUriComponent();
    }
}

/// <summary>Times as the console writes them: UTC to the second, and how long ago.</summary>
public static class ConsoleFormat
{
    public static string Time(DateTimeOffset? at) => at is null ? "—" : at.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Ago(DateTimeOffset now, DateTimeOffset? at)
    {
        if (at is null)
        {
            return "never";
        }

        var span = now - at.Value;
        var future = span < TimeSpan.Zero;
        span = span.Duration();
        var text = span.TotalSeconds < 60 ? $"{(int)span.TotalSeconds} s"
            : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes} min"
            : span.TotalHours < 48 ? $"{(int)span.TotalHours} h"
            : $"{(int)span.TotalDays} days";
        return future ? $"in {text}" : $"{text} ago";
    }

    /// <summary>The face of a connection's stored scope: <c>eg</c>, <c>eb</c> or <c>dli</c>.</summary>
    public static string Face(string scope) => Core.Connections.Scopes.FaceOf(scope);

    public static string FaceName(string face) => face switch
    {
        "eg" => "Huawei EG",
        "eb" => "Tencent EB",
        "dli" => "Huawei DLI",
        _ => face,
    };

    public static string Short(string? text, int max = 120) => text is null ? "" : text.Length <= max ? text : text[..max] + "…";
}

/// <summary>A page of a list: which rows, how many in all, and the links to the pages around.</summary>
public sealed record Pager(long Total, int Page, int Size, Func<string, string?, string> Link)
{
    public long Pages => Math.Max(1, (Total + Size - 1) / Size);

    public long First => Total == 0 ? 0 : ((long)(Page - 1) * Size) + 1;

    public long Last => Math.Min(Total, (long)Page * Size);
}
