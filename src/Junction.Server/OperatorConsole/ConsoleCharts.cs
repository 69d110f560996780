using System.Globalization;
using System.Net;
using System.Text;
using Junction.Core.Delivery;
using Microsoft.AspNetCore.Html;

namespace Junction.Server.OperatorConsole;

/// <summary>Small bar charts drawn on the server as inline SVG: one bar a minute over the last hour, no script needed.</summary>
public static class ConsoleCharts
{
    public const int Minutes = 60;

    /// <summary>A chart of one outcome of <paramref name="minutes"/>, the last <see cref="Minutes"/> minutes up to <paramref name="now"/>.</summary>
    public static IHtmlContent Bars(IReadOnlyList<DeliveryMinute> minutes, DateTimeOffset now, Func<DeliveryMinute, int> value, string css, string label)
    {
        ArgumentNullException.ThrowIfNull(minutes);
        ArgumentNullException.ThrowIfNull(value);
        var last = now.ToUnixTimeMilliseconds() / 60_000;
        var counts = new int[Minutes];
        foreach (var minute in minutes)
        {
            var index = Minutes - 1 - (int)(last - (minute.Minute.ToUnixTimeMilliseconds() / 60_000));
            if (index is >= 0 and < Minutes)
            {
                counts[index] += value(minute);
            }
        }

        var max = Math.Max(1, counts.Max());
        var total = counts.Sum();
        const int width = 600, height = 60, bar = width / Minutes;
        var svg = new StringBuilder();
        var title = WebUtility.HtmlEncode($"{label}: {total} in the last hour, at most {counts.Max()} in a minute");
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{title}\"><title>{title}</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"0\" y1=\"{height - 0.5}\" x2=\"{width}\" y2=\"{height - 0.5}\"/>");
        for (var i = 0; i < Minutes; i++)
        {
            if (counts[i] == 0)
            {
                continue;
            }

            var h = Math.Max(1.0, counts[i] * (height - 2.0) / max);
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"{css}\" x=\"{i * bar}\" y=\"{height - h:0.#}\" width=\"{bar - 1}\" height=\"{h:0.#}\"><title>{counts[i]} at {ConsoleFormat.Time(now.AddMinutes(i - Minutes + 1))[11..16]}</title></rect>");
        }

        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }
}
