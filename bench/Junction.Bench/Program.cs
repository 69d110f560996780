using Junction.Bench;

// dotnet run -c Release --project bench/Junction.Bench -- verification [--connections 1000]
// dotnet run -c Release --project bench/Junction.Bench -- storage [--seconds 10]
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
    default:
        Console.Error.WriteLine($"unknown scenario '{scenario}'; scenarios: verification, storage");
        return 2;
}
