using Junction.Core.Security;

namespace Junction.Core.Tests.Security;

public sealed class RandomIdsTests
{
    [Fact]
    public void Shapes_MatchTheClouds()
    {
        Assert.Matches("^[0-9a-f]{32}$", RandomIds.ProjectId());
        Assert.Matches("^1[0-9]{11}$", RandomIds.AccountId());
        Assert.Matches("^[A-Z0-9]{20}$", RandomIds.AccessKeyId());
        Assert.Matches("^[A-Za-z0-9]{40}$", RandomIds.SecretKey());
        Assert.Matches("^[a-z0-9]{8}$", RandomIds.Suffix(8));
    }

    [Fact]
    public void SecretKeys_DoNotRepeat() =>
        Assert.Equal(100, Enumerable.Range(0, 100).Select(_ => RandomIds.SecretKey()).Distinct().Count());
}
