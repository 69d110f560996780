namespace Junction.Core.Security;

/// <summary>Encrypts secrets (passwords, secret keys) before they are stored, and decrypts them for use.</summary>
public interface ISecretProtector
{
    string Protect(string plaintext);

    /// <summary>Returns the plaintext, or null when the ciphertext cannot be decrypted (wrong or lost key).</summary>
    string? Unprotect(string ciphertext);
}
