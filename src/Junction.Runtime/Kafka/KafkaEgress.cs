using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using Junction.Core.Networks;
using Junction.Runtime.Egress;

namespace Junction.Runtime.Kafka;

/// <summary>
/// Checks every connect a Kafka client makes against the egress policy, at connect time (design.md §7,
/// docs/security.md). librdkafka opens broker sockets on its own — to bootstrap addresses, to whatever brokers the
/// cluster advertises, again after every reconnect and DNS lookup — so a check before the client is built cannot hold.
/// The plugin <c>libjunction_kafka_egress.so</c> (built from <c>Native/junction_kafka_egress.c</c>) sets librdkafka's
/// connect callback on each client's configuration and asks <see cref="Check"/> before each <c>connect()</c>; a refused
/// address gets <c>EACCES</c> and no packet. Each client names its guard by a number (its configuration's
/// <c>junction.egress.context</c>), so several hosts in one process (tests) keep their own policies.
/// </summary>
public static unsafe class KafkaEgress
{
    /// <summary>The plugin's file name, built next to this assembly.</summary>
    public const string PluginFile = "libjunction_kafka_egress.so";

    private const int MaxRefusalsKept = 64;
    private static readonly ConcurrentDictionary<int, Registration> s_guards = new();
    private static readonly Lazy<string> s_plugin = new(Install);
    private static int s_next;

    /// <summary>The plugin's path, after Junction installed its check into it.</summary>
    public static string PluginPath => s_plugin.Value;

    /// <summary>
    /// Puts the connect-time check on a client's configuration. Call first, before any other property is set: the
    /// plugin's configuration property exists only once the plugin is loaded, and properties are applied in order.
    /// </summary>
    public static void Guard(ClientConfig config, EgressGuard guard)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(guard);
        if (config.Count() != 0)
        {
            throw new InvalidOperationException("KafkaEgress.Guard must be applied to an empty configuration");
        }

        config.Set("plugin.library.paths", PluginPath);
        config.Set("junction.egress.context", guard.KafkaContext.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The connects this guard refused since <paramref name="since"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public static IReadOnlyList<OutboundFailure> RefusalsSince(EgressGuard guard, long since)
    {
        ArgumentNullException.ThrowIfNull(guard);
        return s_guards.TryGetValue(guard.KafkaContext, out var registration)
            ? [.. registration.Refusals.Where(r => r.At >= since).Select(r => r.Failure)]
            : [];
    }

    internal static int Register(EgressGuard guard)
    {
        var context = Interlocked.Increment(ref s_next);
        s_guards[context] = new Registration(new WeakReference<EgressGuard>(guard));
        return context;
    }

    internal static void Unregister(int context) => s_guards.TryRemove(context, out _);

    /// <summary>Asked by the plugin before every connect: 1 to connect, 0 to refuse.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Check(byte* address, int length, byte* brokerId, nint context)
    {
        try
        {
            if (!s_guards.TryGetValue((int)context, out var registration) || !registration.Guard.TryGetTarget(out var guard))
            {
                return 0;
            }

            if (Parse(new ReadOnlySpan<byte>(address, length)) is not var (ip, port))
            {
                return 0;
            }

            if (guard.Check(ip, port) is not { } refusal)
            {
                return 1;
            }

            var broker = Marshal.PtrToStringUTF8((IntPtr)brokerId);
            registration.Add(refusal with { Detail = $"broker {broker}: the Kafka client's connect was refused at connect time; {refusal.Detail}" });
            return 0;
        }
#pragma warning disable CA1031 // An exception must not unwind into librdkafka's thread: refuse instead.
        catch
#pragma warning restore CA1031
        {
            return 0;
        }
    }

    /// <summary>A <c>struct sockaddr_in</c> or <c>sockaddr_in6</c> (Linux layout) as an address and port.</summary>
    internal static (IPAddress Address, int Port)? Parse(ReadOnlySpan<byte> sockaddr)
    {
        if (sockaddr.Length < 8)
        {
            return null;
        }

        var family = BitConverter.ToUInt16(sockaddr[..2]);
        var port = BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..4]);
        return family switch
        {
            2 => (new IPAddress(sockaddr.Slice(4, 4)), port),
            10 when sockaddr.Length >= 24 => (new IPAddress(sockaddr.Slice(8, 16)), port),
            _ => null,
        };
    }

    private static string Install()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the Kafka egress plugin is built for Linux only");
        }

        KafkaNative.EnsureLoaded();
        var directory = Path.GetDirectoryName(typeof(KafkaEgress).Assembly.Location) ?? AppContext.BaseDirectory;
        var path = new[] { directory, AppContext.BaseDirectory }.Select(d => Path.Combine(d, PluginFile)).FirstOrDefault(File.Exists)
            ?? throw new DllNotFoundException($"{PluginFile} was not built next to {typeof(KafkaEgress).Assembly.Location}");
        // Loaded here first, then again by librdkafka by the same path: one copy, which holds the installed check.
        var plugin = NativeLibrary.Load(path);
        var install = (delegate* unmanaged[Cdecl]<delegate* unmanaged[Cdecl]<byte*, int, byte*, nint, int>, IntPtr, IntPtr, IntPtr, IntPtr, void>)
            NativeLibrary.GetExport(plugin, "junction_egress_install");
        var rdkafka = KafkaNative.Handle;
        install(
            &Check,
            NativeLibrary.GetExport(rdkafka, "rd_kafka_conf_set_connect_cb"),
            NativeLibrary.GetExport(rdkafka, "rd_kafka_conf_set_opaque"),
            NativeLibrary.GetExport(rdkafka, "rd_kafka_conf_interceptor_add_on_conf_set"),
            NativeLibrary.GetExport(rdkafka, "rd_kafka_conf_interceptor_add_on_conf_dup"));
        return path;
    }

    private sealed class Registration(WeakReference<EgressGuard> guard)
    {
        private readonly ConcurrentQueue<(long At, OutboundFailure Failure)> _refusals = new();

        public WeakReference<EgressGuard> Guard { get; } = guard;

        public IEnumerable<(long At, OutboundFailure Failure)> Refusals => _refusals;

        public void Add(OutboundFailure failure)
        {
            _refusals.Enqueue((Stopwatch.GetTimestamp(), failure));
            while (_refusals.Count > MaxRefusalsKept && _refusals.TryDequeue(out _))
            {
            }
        }
    }
}
