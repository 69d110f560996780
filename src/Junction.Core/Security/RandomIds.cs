using System.Security.Cryptography;

namespace Junction.Core.Security;

/// <summary>Random identifiers and credentials in the shapes the clouds use.</summary>
public static class RandomIds
{
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string Mixed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string LowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const string Digits = "0123456789";

    /// <summary>A Huawei-style project id: 32 lower-case hex characters.</summary>
    public static string ProjectId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>A Tencent-style account id (uin): 12 digits, not starting with 0.</summary>
    public static string AccountId() => "1" + RandomNumberGenerator.GetString(Digits, 11);

    /// <summary>An access key id: 20 upper-case letters and digits, as Huawei AKs look.</summary>
    public static string AccessKeyId() => RandomNumberGenerator.GetString(Upper, 20);

    /// <summary>A secret key: 40 letters and digits.</summary>
    public static string SecretKey() => RandomNumberGenerator.GetString(Mixed, 40);

    public static string Password() => RandomNumberGenerator.GetString(Mixed, 24);

    /// <summary>A short lower-case suffix such as the <c>xxxxxxxx</c> of <c>eb-xxxxxxxx</c>.</summary>
    public static string Suffix(int length) => RandomNumberGenerator.GetString(LowerAlnum, length);
}
