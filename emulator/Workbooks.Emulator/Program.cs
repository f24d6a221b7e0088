// An application entry point: ConfigureAwait has no meaning here.
#pragma warning disable CA2007
using System.Globalization;
using Workbooks.Emulator;

// Standalone emulator:
//   dotnet run --project emulator/Workbooks.Emulator -- --urls http://127.0.0.1:5080 --schema schema/sample.types.json [--api-key K] [--people N] [--organisations N]
var options = new WorkbooksEmulatorOptions();
string urls = "http://127.0.0.1:5080";
string? apiKey = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--urls": urls = Next(); break;
        case "--schema": options.SchemaPath = Next(); break;
        case "--api-key": apiKey = Next(); break;
        case "--people": options.PeopleCount = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--organisations": options.OrganisationCount = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--seed": options.Seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "-h" or "--help":
            Console.WriteLine("Workbooks emulator: --urls URL --schema FILE [--api-key KEY] [--people N] [--organisations N] [--seed N]");
            return 0;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Try --help.");
            return 2;
    }
}

options.ApplyDefaults();
var key = apiKey ?? WorkbooksEmulatorOptions.RandomApiKey();
options.ApiKeys[0] = options.ApiKeys[0] with { Key = key };

await using var emulator = await WorkbooksEmulator.StartAsync(options, urls, CancellationToken.None);
Console.WriteLine($"Workbooks emulator listening on {emulator.BaseAddress}");
Console.WriteLine($"API key: {key}");
foreach (var user in emulator.Users)
    Console.WriteLine($"User: {user.Username} / {user.Password} (databases {string.Join(", ", user.DatabaseIds)})");
Console.WriteLine("Press Ctrl+C to stop.");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
await stop.Task;
return 0;
