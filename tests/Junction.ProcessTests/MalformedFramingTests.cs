using System.Net.Sockets;
using System.Text;
using Junction.Testing;

namespace Junction.ProcessTests;

/// <summary>
/// Issue 19, item 8: HTTP framing that cannot be read — a bad chunk size, a body shorter than its Content-Length — was
/// answered 500 (after 5.6 s for the short body) with a stack trace in the log. Through a real Kestrel on a raw socket:
/// now Kestrel's 400 (bad framing) or 408 (a body that stops arriving) in the face's envelope, and no error logged.
/// </summary>
[Trait("Category", "Process")]
public sealed class MalformedFramingTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task BadChunkSize_AndShortBody_Are400And408InTheFacesEnvelope()
    {
        using var junction = await JunctionProcess.StartAsync(_data.Path, new Dictionary<string, string>());
        var port = new Uri(junction.Url).Port;
        var eg = $"/v1/{JunctionProcess.ProjectId}/connections";

        var chunked = await RawAsync(port,
            $"POST {eg} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{{}}\r\n0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", chunked, StringComparison.Ordinal);
        Assert.Contains("EG.00513000", chunked, StringComparison.Ordinal);

        // A body shorter than its Content-Length, the connection kept open: Kestrel's minimum data rate (5 s of grace)
        // ends the wait with a 408, in DLI's envelope.
        var dli = await RawAsync(port,
            $"POST /v1.0/{JunctionProcess.ProjectId}/queues HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"queue_name\"");
        Assert.StartsWith("HTTP/1.1 408", dli, StringComparison.Ordinal);
        Assert.Contains("DLI.0001", dli, StringComparison.Ordinal);
        Assert.Contains("did not arrive in time", dli, StringComparison.Ordinal);

        var tencent = await RawAsync(port,
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-TC-Action: ListEventBuses\r\nX-TC-Version: 2021-04-16\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n");
        Assert.StartsWith("HTTP/1.1 200", tencent, StringComparison.Ordinal);
        Assert.Contains("InvalidParameter", tencent, StringComparison.Ordinal);

        Assert.DoesNotContain("BadHttpRequestException", junction.Output, StringComparison.Ordinal);
    }

    /// <summary>Sends raw bytes and reads the answer until the server has sent a whole response or closed.</summary>
    private static async Task<string> RawAsync(int port, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var received = new StringBuilder();
        var buffer = new byte[8192];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            var text = received.ToString();
            var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headerEnd > 0 && text.Length > headerEnd + 4 && (text.TrimEnd().EndsWith('}') || text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal)))
            {
                break;
            }
        }

        return received.ToString();
    }
}
