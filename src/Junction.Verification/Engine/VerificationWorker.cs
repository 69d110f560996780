using Junction.Core.Connections;
using Junction.Core.Verification;
using Junction.Core.Work;
using Junction.Runtime.Work;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junction.Verification.Engine;

/// <summary>This process's wake-up for verification: creates and binds notify it through Core's port.</summary>
public sealed class VerificationSignal : WorkSignal, IVerificationSignal;

/// <summary>The leased worker that runs <see cref="VerificationHandler"/> over the connections due for a check.</summary>
public sealed class VerificationWorker(
    IVerificationStore store, VerificationHandler handler, VerificationSignal signal, IOptions<VerificationOptions> options,
    NodeId node, TimeProvider time, ILogger<VerificationWorker> logger)
    : LeasedWorker<Connection>("verification", store, handler, signal, (options ?? throw new ArgumentNullException(nameof(options))).Value.Worker, node, time, logger);
