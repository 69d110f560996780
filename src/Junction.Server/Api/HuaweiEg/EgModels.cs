using System.Globalization;
using System.Text.Json.Serialization;
using Junction.Core.Connections;

namespace Junction.Server.Api.HuaweiEg;

/// <summary>EG's <c>ConnectionInfo</c> (spec/huawei-eg.md §2.1).</summary>
internal sealed record EgConnectionInfo(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("error_info")] EgErrorInfo ErrorInfo,
    [property: JsonPropertyName("vpc_id")] string? VpcId,
    [property: JsonPropertyName("subnet_id")] string? SubnetId,
    [property: JsonPropertyName("agency")] string Agency,
    [property: JsonPropertyName("flavor")] EgFlavor Flavor,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("kafka_detail")] EgKafkaDetail KafkaDetail,
    [property: JsonPropertyName("created_time")] string CreatedTime,
    [property: JsonPropertyName("updated_time")] string UpdatedTime)
{
    /// <summary>
    /// EG's agency and flavor describe cloud plumbing; the values are the documented example's, save
    /// <c>flavor.concurrency</c>, which is what bounds deliveries through one connection on a node here
    /// (<c>Junction:Delivery:MaxInFlightPerConnection</c>, 500 by default as in the example).
    /// </summary>
    public static EgConnectionInfo From(Connection connection, int concurrency)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var kafka = connection.Kafka;
        return new EgConnectionInfo(
            connection.Id,
            connection.Name,
            connection.Description,
            StatusOf(connection.State),
            connection.State == ConnectionState.Failed && connection.Error is { } error
                ? new EgErrorInfo(error.Code, error.Detail, error.Message)
                : new EgErrorInfo(null, null, null),
            connection.VpcId,
            connection.SubnetId,
            "EG_TRUST",
            new EgFlavor("default", "exclusive", concurrency, "exclusive"),
            connection.Kind,
            kafka is null
                ? new EgKafkaDetail(null, null, null, null, null, null, null, null, null)
                : new EgKafkaDetail(kafka.InstanceId, kafka.BootstrapServers, kafka.SecurityProtocol, kafka.SaslSsl, kafka.SaslSsl,
                    kafka.UserName, kafka.UserName, kafka.Acks, kafka.SaslMechanism),
            FormatTime(connection.CreatedAt),
            FormatTime(connection.UpdatedAt));
    }

    /// <summary>Core's lifecycle in EG's words (design.md §2).</summary>
    public static string StatusOf(ConnectionState state) => state switch
    {
        ConnectionState.Pending => "CREATING",
        ConnectionState.Ready => "CREATED",
        ConnectionState.Failed => "CREATE_FAILED",
        // EG connections are always checkable (network, Kafka); this state is never reached by them.
        ConnectionState.Unverified => "CREATING",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>UTC, <c>yyyy-MM-dd HH:mm:ss</c>, as the only published example shows.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}

internal sealed record EgErrorInfo(
    [property: JsonPropertyName("error_code")] string? ErrorCode,
    [property: JsonPropertyName("error_detail")] string? ErrorDetail,
    [property: JsonPropertyName("error_msg")] string? ErrorMsg);

internal sealed record EgFlavor(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("concurrency_type")] string ConcurrencyType,
    [property: JsonPropertyName("concurrency")] int Concurrency,
    [property: JsonPropertyName("bandwidth_type")] string BandwidthType);

/// <summary>
/// <c>KafkaConnectionDetail</c>. The legacy names <c>sasl_ssl</c> and <c>username</c> are written next to the current
/// ones because Terraform's resource still reads them; the password is never written.
/// </summary>
internal sealed record EgKafkaDetail(
    [property: JsonPropertyName("instance_id")] string? InstanceId,
    [property: JsonPropertyName("addr")] string? Addr,
    [property: JsonPropertyName("security_protocol")] string? SecurityProtocol,
    [property: JsonPropertyName("enable_sasl_ssl")] bool? EnableSaslSsl,
    [property: JsonPropertyName("sasl_ssl")] bool? SaslSsl,
    [property: JsonPropertyName("user_name")] string? UserName,
    [property: JsonPropertyName("username")] string? LegacyUserName,
    [property: JsonPropertyName("acks")] string? Acks,
    [property: JsonPropertyName("sasl_mechanism")] string? SaslMechanism);

internal sealed record EgConnectionList(
    [property: JsonPropertyName("total")] long Total,
    [property: JsonPropertyName("size")] int Size,
    [property: JsonPropertyName("items")] IReadOnlyList<EgConnectionInfo> Items);
