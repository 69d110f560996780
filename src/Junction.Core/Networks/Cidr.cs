using System.Net;
using System.Net.Sockets;

namespace Junction.Core.Networks;

/// <summary>
/// An IPv4 or IPv6 network in CIDR notation (<c>10.0.0.0/16</c>, <c>::1/128</c>), held as a <see cref="IPNetwork"/>.
/// Parsing is kept here because configurations and tenants write networks with host bits set (<c>10.0.0.5/16</c>,
/// meaning 10.0.0.0/16), which <see cref="IPNetwork.TryParse(string, out IPNetwork)"/> refuses; a bare address is its
/// own /32 or /128; inet_aton's short forms (<c>10.0.0</c>) are refused.
/// </summary>
public readonly record struct Cidr(IPNetwork Value)
{
    public IPAddress Network => Value.BaseAddress;

    public int PrefixLength => Value.PrefixLength;

    public static bool TryParse(string text, out Cidr cidr)
    {
        cidr = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text.Trim() : text[..slash].Trim();
        if (!IPAddress.TryParse(addressText, out var address))
        {
            return false;
        }

        // IPAddress also takes inet_aton's short forms ("10.0.0" is 10.0.0.0); a CIDR must be written out in full.
        if (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3)
        {
            return false;
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = max;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], out prefix) || prefix < 0 || prefix > max))
        {
            return false;
        }

        cidr = new Cidr(new IPNetwork(Mask(address, prefix), prefix));
        return true;
    }

    public static Cidr Parse(string text) =>
        TryParse(text, out var cidr) ? cidr : throw new FormatException($"'{text}' is not a CIDR such as 10.0.0.0/16");

    /// <summary>Whether the address lies in the network; an IPv4-mapped IPv6 address counts as its IPv4 address.</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Value.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
    }

    public override string ToString() => Value.ToString();

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }

        return new IPAddress(bytes);
    }
}
