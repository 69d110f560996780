using System.Net;
using Junction.Core.Connections;
using Junction.Core.Dli;
using Junction.Core.Networks;
using Junction.Runtime.Egress;
using Junction.Verification.Probes;

namespace Junction.Verification.ConnectivityTests;

/// <summary>
/// Answers one DLI address connectivity test (spec/huawei-dli.md §7): a queue reaches an address only through an
/// ACTIVE binding of an enhanced connection whose destination network, routes or hosts cover the address. A name is
/// looked up in those connections' hosts first, then in DNS. An address no binding covers is never contacted; one that
/// is covered is checked against the egress policy and then probed with one bounded TCP connect.
/// </summary>
public sealed class ConnectivityTester(IDliStore dli, IConnectionStore connections, NetworkRegistry networks, EgressGuard egress, ITcpProbe tcp)
{
    public async Task<(Connectivity State, string Message)> TestAsync(DliConnectivityTask task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var target = $"{task.Host}:{task.Port}";
        if (await dli.GetQueueAsync(task.TenantId, task.QueueName, cancellationToken) is null)
        {
            return Unreachable($"queue {task.QueueName} no longer exists");
        }

        var bindings = await dli.QueueBindingsAsync(task.TenantId, task.QueueName, cancellationToken);
        var paths = new List<Path>();
        var inactive = new List<string>();
        foreach (var binding in bindings)
        {
            var connection = await connections.FindAsync(binding.ConnectionId, cancellationToken);
            if (connection is null || connection.TenantId != task.TenantId || connection.Scope != Scopes.HuaweiDli)
            {
                continue;
            }

            var state = DliBindingStates.Of(connection, binding);
            if (state != DliBindingStates.Active)
            {
                inactive.Add(state == DliBindingStates.Failed && connection.Error is { } error
                    ? $"{connection.Name} is FAILED ({error.Message})"
                    : $"{connection.Name} is {state}");
                continue;
            }

            paths.Add(new Path(connection, DliConnectionDetail.Parse(connection.Detail), networks.Check(connection.VpcId, connection.SubnetId, connection.TenantId).Cidrs));
        }

        if (paths.Count == 0)
        {
            return Unreachable(inactive.Count == 0
                ? $"queue {task.QueueName} is bound to no enhanced datasource connection, so it reaches no address; nothing was contacted. Bind it (associate-queue) to a connection whose network, routes or hosts cover {target}"
                : $"queue {task.QueueName} has no ACTIVE datasource connection ({string.Join("; ", inactive)}); nothing was contacted. Check the connection and wait until its binding is ACTIVE");
        }

        List<(IPAddress Address, string Via)> candidates;
        if (IPAddress.TryParse(task.Host, out var literal))
        {
            candidates = [(literal, "")];
        }
        else
        {
            candidates = [.. paths.SelectMany(p => p.Detail.Hosts
                .Where(h => string.Equals(h.Name, task.Host, StringComparison.OrdinalIgnoreCase) && IPAddress.TryParse(h.Ip, out _))
                .Select(h => (IPAddress.Parse(h.Ip), $"; {task.Host} is host {h.Name} ({h.Ip}) of connection {p.Connection.Name}")))];
            if (candidates.Count == 0)
            {
                var resolved = await egress.CheckAsync(task.Host, task.Port, cancellationToken);
                if (!resolved.Allowed)
                {
                    return Unreachable($"{target}: {resolved.Refusal!.Message} ({task.Host} is none of the hosts of the queue's connections, so DNS was asked)");
                }

                candidates = [.. resolved.Addresses.Select(a => (a, $"; {task.Host} resolves to {a} (DNS)"))];
            }
        }

        foreach (var (address, via) in candidates)
        {
            var (path, rule) = paths.Select(p => (p, Covers(p, address))).FirstOrDefault(x => x.Item2 is not null);
            if (path is null)
            {
                continue;
            }

            var through = $"through connection {path.Connection.Name} ({rule}){via}";
            var confine = networks.Confine(path.Connection.VpcId, path.Connection.SubnetId, path.Connection.Name, task.TenantId);
            if ((egress.Check(address, task.Port) ?? confine?.Invoke(address, task.Port)) is { } refusal)
            {
                return Unreachable($"{target} would be reached {through}, but {refusal.Message}");
            }

            var probed = await tcp.ProbeAsync(address.ToString(), task.Port, timeout, cancellationToken);
            return probed.Ok
                ? (Connectivity.Reachable, $"{target} is reachable from queue {task.QueueName} {through}: {probed.Message}")
                : Unreachable($"{target} is not reachable from queue {task.QueueName} {through}: {probed.Message}. Check that the host is up and listens on port {task.Port}");
        }

        var addresses = string.Join(", ", candidates.Select(c => c.Address));
        return Unreachable(
            $"{target} ({addresses}) is outside every ACTIVE connection of queue {task.QueueName}: {string.Join("; ", paths.Select(Describe))}; nothing was contacted. "
            + "Add a route or a host covering it to a bound connection, or bind the queue to a connection in that network");
    }

    /// <summary>Which part of the connection covers the address: a host, a route, or its destination network; null when none.</summary>
    private static string? Covers(Path path, IPAddress address)
    {
        if (path.Detail.Hosts.FirstOrDefault(h => IPAddress.TryParse(h.Ip, out var ip) && ip.Equals(address)) is { } host)
        {
            return $"host {host.Name} {host.Ip}";
        }

        if (path.Detail.Routes.FirstOrDefault(r => Cidr.TryParse(r.Cidr, out var cidr) && cidr.Contains(address)) is { } route)
        {
            return $"route {route.Name} {route.Cidr}";
        }

        return path.Network.Where(c => c.Contains(address)).Select(c => (Cidr?)c).FirstOrDefault() is { } network
            ? $"destination network {path.Connection.VpcId}/{path.Connection.SubnetId} {network}"
            : null;
    }

    private static string Describe(Path path)
    {
        var parts = new List<string>
        {
            path.Network.Count > 0
                ? $"network {string.Join(", ", path.Network)}"
                : $"network {path.Connection.VpcId}/{path.Connection.SubnetId} not declared to Junction",
        };
        if (path.Detail.Routes.Count > 0)
        {
            parts.Add($"routes {string.Join(", ", path.Detail.Routes.Select(r => r.Cidr))}");
        }

        if (path.Detail.Hosts.Count > 0)
        {
            parts.Add($"{path.Detail.Hosts.Count} host(s)");
        }

        return $"{path.Connection.Name} covers {string.Join(", ", parts)}";
    }

    private static (Connectivity, string) Unreachable(string message) => (Connectivity.Unreachable, message);

    private sealed record Path(Connection Connection, DliConnectionDetail Detail, IReadOnlyList<Cidr> Network);
}
