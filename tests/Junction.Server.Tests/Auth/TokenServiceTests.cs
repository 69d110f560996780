using Junction.Core.Tenancy;
using Junction.Server.Auth;
using Junction.Server.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Junction.Server.Tests.Auth;

public sealed class TokenServiceTests
{
    private static readonly Tenant s_tenant = new("t1", "junction", "p1", "local", "100000000001", default);
    private static readonly TenantUser s_user = new("u1", "t1", "admin", "hash", default);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TokenService _tokens;

    public TokenServiceTests() =>
        _tokens = new TokenService(new EphemeralDataProtectionProvider(), _time, Options.Create(new IamOptions { TokenLifetime = TimeSpan.FromHours(24) }));

    [Fact]
    public void Check_FreshToken_IsValidForItsTenantAndUser()
    {
        var token = _tokens.Issue(s_tenant, s_user);

        var check = _tokens.Check(token.Value);

        Assert.Equal(TokenStatus.Valid, check.Status);
        Assert.Equal("t1", check.TenantId);
        Assert.Equal("u1", check.UserId);
        Assert.Equal(_time.GetUtcNow().AddHours(24), token.ExpiresAt);
    }

    [Fact]
    public void Check_AfterLifetime_IsExpired()
    {
        var token = _tokens.Issue(s_tenant, s_user);

        _time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        Assert.Equal(TokenStatus.Valid, _tokens.Check(token.Value).Status);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TokenStatus.Expired, _tokens.Check(token.Value).Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("CfDJ8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Check_Garbage_IsInvalid(string token) =>
        Assert.Equal(TokenStatus.Invalid, _tokens.Check(token).Status);

    [Fact]
    public void Check_TokenFromAnotherKeyRing_IsInvalid()
    {
        var other = new TokenService(new EphemeralDataProtectionProvider(), _time, Options.Create(new IamOptions()));
        var token = other.Issue(s_tenant, s_user);

        Assert.Equal(TokenStatus.Invalid, _tokens.Check(token.Value).Status);
    }

    [Fact]
    public void Check_RepeatedToken_IsDecryptedOncePerRememberPeriod_AndStillExpires()
    {
        var provider = new CountingProvider();
        var tokens = new TokenService(provider, _time, Options.Create(new IamOptions { TokenLifetime = TimeSpan.FromMinutes(8) }));
        var token = tokens.Issue(s_tenant, s_user);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(TokenStatus.Valid, tokens.Check(token.Value).Status);
        }

        Assert.Equal(1, provider.Unprotects);

        // After the remember period it is decrypted again (a revoked key would take effect here).
        _time.Advance(TokenService.RememberFor);
        Assert.Equal("u1", tokens.Check(token.Value).UserId);
        Assert.Equal(2, provider.Unprotects);

        // A remembered token expires on time: its expiry is checked on every request.
        _time.Advance(TimeSpan.FromMinutes(8) - TokenService.RememberFor - TimeSpan.FromMilliseconds(1));
        Assert.Equal(TokenStatus.Valid, tokens.Check(token.Value).Status);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TokenStatus.Expired, tokens.Check(token.Value).Status);
        Assert.Equal(2, provider.Unprotects);
    }

    [Fact]
    public void Check_InvalidToken_IsNeverRemembered()
    {
        var provider = new CountingProvider();
        var tokens = new TokenService(provider, _time, Options.Create(new IamOptions()));

        Assert.Equal(TokenStatus.Invalid, tokens.Check("CfDJ8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").Status);
        Assert.Equal(TokenStatus.Invalid, tokens.Check("CfDJ8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").Status);

        Assert.Equal(2, provider.Unprotects);
    }

    private sealed class CountingProvider : IDataProtectionProvider, IDataProtector
    {
        private readonly EphemeralDataProtectionProvider _inner = new();
        private IDataProtector? _protector;

        public int Unprotects { get; private set; }

        public IDataProtector CreateProtector(string purpose)
        {
            _protector = _inner.CreateProtector(purpose);
            return this;
        }

        public byte[] Protect(byte[] plaintext) => _protector!.Protect(plaintext);

        public byte[] Unprotect(byte[] protectedData)
        {
            Unprotects++;
            return _protector!.Unprotect(protectedData);
        }
    }
}
