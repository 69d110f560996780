using System.ComponentModel.DataAnnotations;

namespace Junction.Server.OperatorConsole;

/// <summary>The operator console (docs/console.md). Configuration section <c>Junction:Console</c>.</summary>
public sealed class ConsoleOptions
{
    public const string SectionName = "Junction:Console";

    /// <summary>Serves the console at <c>/console</c>. Off by default; <c>junction dev</c> turns it on. Sign-in needs <c>Junction:Admin:Key</c>.</summary>
    public bool Enabled { get; set; }

    /// <summary>Rows per page of every list.</summary>
    [Range(10, 500, ErrorMessage = "Junction:Console:PageSize must be from 10 to 500")]
    public int PageSize { get; set; } = 50;

    /// <summary>How often the live parts of a page (counts, states, charts) refresh in the browser; 0 turns live refresh off.</summary>
    [Range(0, 3600, ErrorMessage = "Junction:Console:RefreshSeconds must be from 0 to 3600")]
    public int RefreshSeconds { get; set; } = 5;

    /// <summary>How long a sign-in lasts without use.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00", ErrorMessage = "Junction:Console:SessionLifetime must be from 1 minute to 7 days")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);
}
