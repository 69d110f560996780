using System.Security.Cryptography;
using Junction.Core.Security;
using Microsoft.AspNetCore.DataProtection;

namespace Junction.Server.Security;

/// <summary>Secrets at rest are encrypted with ASP.NET Core Data Protection (AES-256-CBC + HMACSHA256, rotating keys).</summary>
internal sealed class DataProtectionSecretProtector(IDataProtectionProvider provider) : ISecretProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("Junction.Secrets.v1");

    public string Protect(string plaintext) => _protector.Protect(plaintext);

    public string? Unprotect(string ciphertext)
    {
        try
        {
            return _protector.Unprotect(ciphertext);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
