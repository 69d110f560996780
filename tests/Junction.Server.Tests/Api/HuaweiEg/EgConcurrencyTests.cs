using System.Net;
using Junction.Core.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Junction.Server.Tests.Api.HuaweiEg;

/// <summary>
/// Read-modify-writes of a subscription cannot lose each other's changes: an update that read the subscription before
/// an enable/disable wrote it is refused (409, nothing written) instead of writing the old status back.
/// </summary>
public sealed class EgConcurrencyTests : IAsyncLifetime
{
    private readonly HeldReplaces _held = new();
    private EgDataPlaneFixture _eg = null!;

    public async Task InitializeAsync() => _eg = await EgDataPlaneFixture.StartAsync(f => f.WithServices(services =>
    {
        services.RemoveAll<IEgStore>();
        services.AddSingleton<Junction.Storage.Sql.SqlEgStore>();
        services.AddSingleton<IEgStore>(sp => new HeldStore(sp.GetRequiredService<Junction.Storage.Sql.SqlEgStore>(), _held));
    }));

    public async Task DisposeAsync() => await _eg.DisposeAsync();

    [Fact]
    public async Task UpdateThatReadBeforeADisable_IsRefused_AndTheDisableStands()
    {
        var channel = await _eg.ChannelAsync();
        var id = (await _eg.SubscriptionAsync(channel, "shop", [_eg.WebhookTarget()]))["id"]!.GetValue<string>();

        // The update reads the subscription, then waits before its write; the disable runs in between.
        var update = _eg.SendAsync(HttpMethod.Put, $"/subscriptions/{id}", new { description = "slow" });
        await _held.Reached.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var disabled = await _eg.OkAsync(HttpMethod.Post, "/subscriptions/operation", new { subscription_ids = new[] { id }, operation = "DISABLE" });
        Assert.Equal(0, disabled["failed_count"]!.GetValue<int>());
        _held.Release.SetResult();

        var (status, body) = await update;
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("send it again", body!.ToJsonString(), StringComparison.Ordinal);
        var shown = await _eg.OkAsync(HttpMethod.Get, $"/subscriptions/{id}");
        Assert.Equal("DISABLED", shown["status"]!.GetValue<string>());
        Assert.NotEqual("slow", shown["description"]!.GetValue<string>());
    }

    private sealed class HeldReplaces
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The real store, except that a subscription write whose description is "slow" waits to be released.</summary>
    private sealed class HeldStore(IEgStore inner, HeldReplaces held) : IEgStore
    {
        public Task<EgWriteOutcome> CreateAsync(EgDocument document, IReadOnlyList<EgDocument> children, EgQuota quota, CancellationToken cancellationToken) =>
            inner.CreateAsync(document, children, quota, cancellationToken);

        public Task<EgDocument?> GetAsync(string tenantId, string kind, string id, CancellationToken cancellationToken) =>
            inner.GetAsync(tenantId, kind, id, cancellationToken);

        public Task<(long Total, IReadOnlyList<EgDocument> Items)> ListAsync(EgQuery query, CancellationToken cancellationToken) =>
            inner.ListAsync(query, cancellationToken);

        public Task<long> GenerationAsync(string tenantId, CancellationToken cancellationToken) => inner.GenerationAsync(tenantId, cancellationToken);

        public Task<IReadOnlyList<EgDocument>> ChildrenAsync(string tenantId, string kind, IReadOnlyCollection<string> parentIds, CancellationToken cancellationToken) =>
            inner.ChildrenAsync(tenantId, kind, parentIds, cancellationToken);

        public Task<IReadOnlyList<EgDocument>> ReferencingAsync(string tenantId, string kind, string refId, int limit, CancellationToken cancellationToken) =>
            inner.ReferencingAsync(tenantId, kind, refId, limit, cancellationToken);

        public async Task<EgWriteOutcome> ReplaceAsync(EgDocument document, IReadOnlyList<EgDocument>? children, CancellationToken cancellationToken, DateTimeOffset? ifUpdatedAt = null)
        {
            if (document.Kind == EgKinds.Subscription && document.Body.Contains("\"description\":\"slow\"", StringComparison.Ordinal))
            {
                held.Reached.TrySetResult();
                await held.Release.Task;
            }

            return await inner.ReplaceAsync(document, children, cancellationToken, ifUpdatedAt);
        }

        public Task<EgWriteOutcome> DeleteAsync(string tenantId, string kind, string id, CancellationToken cancellationToken) =>
            inner.DeleteAsync(tenantId, kind, id, cancellationToken);
    }
}
