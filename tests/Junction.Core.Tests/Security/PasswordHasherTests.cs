using Junction.Core.Security;

namespace Junction.Core.Tests.Security;

public sealed class PasswordHasherTests
{
    [Fact]
    public void Verify_SamePassword_True_OtherPassword_False()
    {
        var hash = PasswordHasher.Hash("correct horse");

        Assert.True(PasswordHasher.Verify("correct horse", hash));
        Assert.False(PasswordHasher.Verify("correct horse ", hash));
        Assert.DoesNotContain("correct horse", hash, StringComparison.Ordinal);
    }

    [Fact]
    public void Hash_IsSaltedEachTime() =>
        Assert.NotEqual(PasswordHasher.Hash("same"), PasswordHasher.Hash("same"));

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("pbkdf2-sha256$x$y$z")]
    [InlineData("pbkdf2-sha256$1000$!!!$!!!")]
    [InlineData("md5$1$a$b")]
    public void Verify_MalformedHash_False(string encoded) =>
        Assert.False(PasswordHasher.Verify("anything", encoded));
}
