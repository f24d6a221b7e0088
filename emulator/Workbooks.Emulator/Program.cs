// An application entry point: ConfigureAwait has no meaning here.
#pragma warning disable CA2007
using System.Globalization;
using System.Runtime.InteropServices;
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
        case "--latency": options.Latency = TimeSpan.FromMilliseconds(int.Parse(Next(), CultureInfo.InvariantCulture)); break;
        case "--bandwidth": options.BandwidthBytesPerSecond = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "-h" or "--help":
            Console.WriteLine("Workbooks emulator: --urls URL --schema FILE [--api-key KEY] [--people N] [--organisations N] [--seed N] [--latency MS] [--bandwidth BYTES_PER_S]");
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
// SIGTERM (docker stop, systemd, CI timeouts), SIGINT (Ctrl+C) and SIGQUIT all stop it cleanly: the handlers cancel
// the runtime's default (so the web host's own handlers cannot hold the process) and end the wait below.
var stop = new TaskCompletionSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onQuit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop);
await stop.Task;
Console.WriteLine("Stopping.");
return 0;
