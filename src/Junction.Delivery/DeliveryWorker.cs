using Junction.Core.Delivery;
using Junction.Core.Work;
using Junction.Runtime.Work;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junction.Delivery;

/// <summary>This process's wake-up for delivery: publishers and redrives notify it through Core's port.</summary>
public sealed class DeliverySignal : WorkSignal, IDeliverySignal;

/// <summary>The leased worker that runs <see cref="DeliveryHandler"/> over the jobs handed to it by this node's publishers (<see cref="DeliveryHandoff"/>) and the delivery jobs that are due.</summary>
public sealed class DeliveryWorker(
    IDeliveryStore store, DeliveryHandler handler, DeliverySignal signal, DeliveryHandoff handoff, IOptions<DeliveryOptions> options,
    NodeId node, TimeProvider time, ILogger<DeliveryWorker> logger)
    : LeasedWorker<DeliveryWork>("delivery", store, handler, signal, (options ?? throw new ArgumentNullException(nameof(options))).Value.Worker, node, time, logger, handoff);
