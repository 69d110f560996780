using System.Reflection;
using System.Runtime.InteropServices;

namespace Junction.Runtime.Kafka;

/// <summary>
/// Loads librdkafka, once, for everything in the process that calls it: Confluent.Kafka, the egress plugin and the
/// test kit's mock cluster (design.md §4).
/// Why by hand: librdkafka.redist ships <c>runtimes/linux-x64/native/librdkafka.so</c>, which needs
/// <c>libsasl2.so.3</c> (Debian 12 has only .so.2), and <c>centos8-librdkafka.so</c>, which is self-contained and
/// loads on Debian 12. Confluent.Kafka's own <c>Library.Load(path)</c> P/Invokes <c>libdl</c>, which glibc 2.36
/// ships only as <c>libdl.so.2</c>, so it fails; a DllImport resolver on the Confluent.Kafka assembly that maps
/// <c>librdkafka</c> to the centos8 file works, and is what this class installs. Anything else that P/Invokes
/// librdkafka must resolve to the same file (<see cref="UseFor"/>), or the process would hold two copies.
/// </summary>
public static class KafkaNative
{
    private static readonly Lazy<(string Path, IntPtr Handle)> s_library = new(Load);
    private static readonly HashSet<Assembly> s_resolved = [];
    private static readonly Lock s_lock = new();

    /// <summary>The librdkafka file in use.</summary>
    public static string LibraryPath => s_library.Value.Path;

    /// <summary>The loaded library, for <see cref="NativeLibrary.GetExport"/>.</summary>
    public static IntPtr Handle => s_library.Value.Handle;

    /// <summary>Makes Confluent.Kafka find librdkafka; call before building any client.</summary>
    public static void EnsureLoaded() => UseFor(typeof(Confluent.Kafka.Library).Assembly);

    /// <summary>Resolves the <c>librdkafka</c> imports of <paramref name="assembly"/> to the one loaded file.</summary>
    public static void UseFor(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        lock (s_lock)
        {
            if (s_resolved.Add(assembly))
            {
                NativeLibrary.SetDllImportResolver(assembly, Resolve);
            }
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name.Contains("librdkafka", StringComparison.Ordinal) ? Handle : IntPtr.Zero;

    private static (string, IntPtr) Load()
    {
        var candidates = Candidates().ToList();
        foreach (var path in candidates.Where(File.Exists))
        {
            return (path, NativeLibrary.Load(path));
        }

        throw new DllNotFoundException(
            $"librdkafka was not found; looked for: {string.Join(", ", candidates)} (it comes with the librdkafka.redist package)");
    }

    private static IEnumerable<string> Candidates()
    {
        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        // The centos8 build first: self-contained on glibc systems. The arm64 package has only the plain build.
        string[] files = rid == "linux-x64" ? ["centos8-librdkafka.so", "librdkafka.so"] : ["librdkafka.so"];
        foreach (var directory in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(KafkaNative).Assembly.Location) ?? "" }.Distinct())
        {
            foreach (var file in files)
            {
                yield return Path.Combine(directory, "runtimes", rid, "native", file);
                yield return Path.Combine(directory, file);
            }
        }
    }
}
