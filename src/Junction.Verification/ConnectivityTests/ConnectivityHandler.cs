using Junction.Core.Dli;
using Junction.Core.Work;
using Junction.Runtime.Work;
using Junction.Verification.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junction.Verification.ConnectivityTests;

/// <summary>This process's wake-up for connectivity tests: the DLI face notifies it through Core's port.</summary>
public sealed class ConnectivitySignal : WorkSignal, IConnectivitySignal;

/// <summary>
/// Runs one claimed DLI connectivity test and records its answer, fenced by the lease; a node killed mid-test leaves
/// the test to another node once the lease expires (the probe is a TCP connect, so running it twice is harmless).
/// </summary>
public sealed partial class ConnectivityHandler(
    IDliConnectivityStore store, ConnectivityTester tester, IOptions<VerificationOptions> options, TimeProvider time,
    ILogger<ConnectivityHandler> logger) : ILeasedHandler<DliConnectivityTask>
{
    public async Task HandleAsync(Lease<DliConnectivityTask> lease, CancellationToken deadline, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var timeout = options.Value.ProbeTimeout;
        (Connectivity State, string Message) answer;
        try
        {
            answer = await tester.TestAsync(lease.Item, timeout, deadline);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down: the lease is released and another node (or this one, restarted) runs the test.
            return;
        }
        catch (OperationCanceledException)
        {
            answer = (Connectivity.Unreachable, $"the test did not finish within {timeout.TotalSeconds * 1.5:0.###} s and was stopped");
        }
#pragma warning disable CA1031 // One broken test must not stop the worker; the failure is the test's answer.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogCrashed(logger, exception, lease.Item.Id);
            answer = (Connectivity.Unreachable, $"the test failed unexpectedly ({exception.GetType().Name}); the server's log has the details");
        }

        if (!await store.CompleteAsync(lease, answer.State, answer.Message, time.GetUtcNow(), CancellationToken.None))
        {
            LogLeaseLost(logger, lease.Item.Id);
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Connectivity test {TaskId} threw")]
    private static partial void LogCrashed(ILogger logger, Exception exception, long taskId);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Lease on connectivity test {TaskId} was lost before its answer was written")]
    private static partial void LogLeaseLost(ILogger logger, long taskId);
}

/// <summary>The leased worker that runs <see cref="ConnectivityHandler"/> over the tests waiting for an answer.</summary>
public sealed class ConnectivityWorker(
    IDliConnectivityStore store, ConnectivityHandler handler, ConnectivitySignal signal, IOptions<VerificationOptions> options,
    NodeId node, TimeProvider time, ILogger<ConnectivityWorker> logger)
    : LeasedWorker<DliConnectivityTask>("dli-connectivity", store, handler, signal, (options ?? throw new ArgumentNullException(nameof(options))).Value.Worker, node, time, logger);
