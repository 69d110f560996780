using Junction.Bench;

// dotnet run -c Release --project bench/Junction.Bench -- verification [--connections 1000]
// dotnet run -c Release --project bench/Junction.Bench -- storage [--seconds 10]
// dotnet run -c Release --project bench/Junction.Bench -- http [--seconds 10] [--stored 100000]   (needs wrk; bench/run.sh installs it)
// dotnet run -c Release --project bench/Junction.Bench -- delivery [--events 20000] [--clients 64] [--rate 1000] [--seconds 10]
// dotnet run -c Release --project bench/Junction.Bench -- eb-delivery [--events 20000] [--records 100000] [--clients 64]
// dotnet run -c Release --project bench/Junction.Bench -- routing   (BenchmarkDotNet: filter evaluations and route selection)
// dotnet run -c Release --project bench/Junction.Bench -- auth-flood [--seconds 10] [--clients 16]
// dotnet run -c Release --project bench/Junction.Bench -- console [--stored 100000] [--requests 300]
var scenario = args.FirstOrDefault() ?? "verification";
var connections = args.SkipWhile(a => a != "--connections").Skip(1).Select(int.Parse).FirstOrDefault(1000);
switch (scenario)
{
    case "verification":
        await VerificationBench.RunAsync(connections);
        return 0;
    case "storage":
        await StorageBench.RunAsync(TimeSpan.FromSeconds(args.SkipWhile(a => a != "--seconds").Skip(1).Select(int.Parse).FirstOrDefault(10)));
        return 0;
    case "http":
        await HttpBench.RunAsync(
            TimeSpan.FromSeconds(args.SkipWhile(a => a != "--seconds").Skip(1).Select(int.Parse).FirstOrDefault(10)),
            args.SkipWhile(a => a != "--stored").Skip(1).Select(int.Parse).FirstOrDefault(100_000));
        return 0;
    case "delivery":
        await DeliveryBench.RunAsync(
            args.SkipWhile(a => a != "--events").Skip(1).Select(int.Parse).FirstOrDefault(20_000),
            args.SkipWhile(a => a != "--clients").Skip(1).Select(int.Parse).FirstOrDefault(64),
            args.SkipWhile(a => a != "--rate").Skip(1).Select(int.Parse).FirstOrDefault(1000),
            TimeSpan.FromSeconds(args.SkipWhile(a => a != "--seconds").Skip(1).Select(int.Parse).FirstOrDefault(10)));
        return 0;
    case "eb-delivery":
        await EbDeliveryBench.RunAsync(
            args.SkipWhile(a => a != "--events").Skip(1).Select(int.Parse).FirstOrDefault(20_000),
            // The burst of issue 17 (the mock cluster keeps ~5 MB per partition: the burst's topic has 16, see EbDeliveryBench).
            args.SkipWhile(a => a != "--records").Skip(1).Select(int.Parse).FirstOrDefault(100_000),
            args.SkipWhile(a => a != "--clients").Skip(1).Select(int.Parse).FirstOrDefault(64));
        return 0;
    case "routing":
        RoutingBench.Run();
        return 0;
    case "auth-flood":
        await AuthFloodBench.RunAsync(
            TimeSpan.FromSeconds(args.SkipWhile(a => a != "--seconds").Skip(1).Select(int.Parse).FirstOrDefault(10)),
            args.SkipWhile(a => a != "--clients").Skip(1).Select(int.Parse).FirstOrDefault(16));
        return 0;
    case "console":
        await ConsoleBench.RunAsync(
            args.SkipWhile(a => a != "--stored").Skip(1).Select(int.Parse).FirstOrDefault(100_000),
            args.SkipWhile(a => a != "--requests").Skip(1).Select(int.Parse).FirstOrDefault(300));
        return 0;
    case "baseline-server":
        // The child process of HttpBench's baseline: an empty ASP.NET Core endpoint.
        await BaselineServer.ServeAsync(args[1]);
        return 0;
    default:
        Console.Error.WriteLine($"unknown scenario '{scenario}'; scenarios: verification, storage, http, routing, delivery, eb-delivery, auth-flood, console");
        return 2;
}
