using System.CommandLine;
using Junction.Runtime.Kafka;
using Junction.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Junction.Cli;

/// <summary>
/// <c>junction dev</c>: everything a first try needs, in one process — Junction on a throwaway data folder with known
/// credentials and loopback egress, a built-in Kafka-protocol cluster (librdkafka's mock cluster) registered as the
/// shared instance <c>ckafka-dev</c>, an echo webhook that records what it receives, and a summary of it all.
/// </summary>
internal static class DevCommand
{
    public const string ProjectId = "0123456789abcdef0123456789abcdef";
    public const string AccountId = "100000000001";
    public const string AccessKey = "JUNCTIONDEVAK0000001";
    public const string SecretKey = "junction-dev-secret-key-0123456789";
    public const string User = "admin";
    public const string Password = "junction-dev-password";
    public const string AdminKey = "junction-dev-admin-key-0123456789";
    public const string Instance = "ckafka-dev";
    public const string Topic = "events";

    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = $"Where to listen (default {JunctionHost.DefaultUrls}); loopback only is the point." };
        var data = new Option<string?>("--data") { Description = "Keep the data in this folder (default: a new temporary folder, deleted on exit)." };
        var command = new Command("dev", "Try Junction: a server with known credentials, a built-in Kafka cluster and an echo webhook, on loopback.") { urls, data };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var given = parse.GetValue(data);
            var folder = given ?? Path.Combine(Path.GetTempPath(), $"junction-dev-{Guid.NewGuid():N}"[..24]);
            using var cluster = new KafkaMockCluster();
            cluster.CreateTopic(Topic, partitions: 1, replicationFactor: 1);
            var url = parse.GetValue(urls) ?? JunctionHost.DefaultUrls;
            string[] settings =
            [
                $"--urls={url}",
                $"--Junction:DataDirectory={folder}",
                "--Junction:Egress:Allow:0=127.0.0.0/8",
                $"--Junction:Instances:Kafka:0:Id={Instance}",
                $"--Junction:Instances:Kafka:0:BootstrapServers={cluster.Bootstrap}",
                "--Junction:Instances:Kafka:0:Shared=true",
                $"--Junction:Admin:Key={AdminKey}",
                "--Junction:Dev:Echo=true",
                "--Junction:Console:Enabled=true",
                "--Junction:Verification:PollInterval=00:00:00.200",
                $"--JUNCTION_PROJECT_ID={ProjectId}",
                $"--JUNCTION_ACCOUNT_ID={AccountId}",
                $"--JUNCTION_ACCESS_KEY={AccessKey}",
                $"--JUNCTION_SECRET_KEY={SecretKey}",
                $"--JUNCTION_USER={User}",
                $"--JUNCTION_PASSWORD={Password}",
            ];
            try
            {
                Microsoft.AspNetCore.Builder.WebApplication app;
                try
                {
                    app = JunctionHost.Build(settings);
                    _ = app.Services.GetRequiredService<IOptions<JunctionOptions>>().Value;
                }
                catch (OptionsValidationException exception)
                {
                    Console.Error.WriteLine($"junction: invalid configuration: {string.Join("; ", exception.Failures)}");
                    return ExitCodes.Configuration;
                }

                var base_ = url.Split(';')[0].TrimEnd('/');
                app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() => Console.Out.WriteLine($"""

                    Junction dev mode is running. Stop it with Ctrl+C{(given is null ? " (its data is then deleted)" : "")}.
                      API                   {base_}   (Huawei EG /v1/{ProjectId}, DLI, IAM /v3, Tencent EB POST /)
                      project_id / account  {ProjectId} / {AccountId}
                      access key            {AccessKey}
                      secret key            {SecretKey}
                      IAM user / password   {User} / {Password}   (domain junction)
                      admin key             {AdminKey}   (JUNCTION_SERVER={base_} JUNCTION_ADMIN_KEY={AdminKey} junction ...)
                      kafka bootstrap       {cluster.Bootstrap}   (topic '{Topic}'; shared instance '{Instance}' for Tencent ckafka connectors)
                      echo webhook          {base_}{DevEcho.Path}   (POST anything; GET lists what arrived)
                      console               {base_}/console   (sign in with the admin key)
                      egress                127.0.0.0/8 only
                      data folder           {folder}

                    """));
                var exit = await Listening.RunAsync(app);
                await app.DisposeAsync();
                return exit;
            }
            finally
            {
                if (given is null && Directory.Exists(folder))
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    Directory.Delete(folder, recursive: true);
                }
            }
        });
        return command;
    }
}
