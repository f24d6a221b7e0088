// An application entry point: ConfigureAwait has no meaning here.
#pragma warning disable CA2007
using System.Globalization;
using System.Runtime.InteropServices;
using Workbooks.Emulator;

// Standalone emulator (see --help):
//   dotnet run --project emulator/Workbooks.Emulator.Tool -- --urls http://127.0.0.1:5080 --schema schema/sample.types.json [options]
var options = new WorkbooksEmulatorOptions();
string urls = "http://127.0.0.1:5080";
string? apiKey = null;
int? rate = null;
var rateDelay = TimeSpan.FromSeconds(1);
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    int Number() => int.Parse(Next(), CultureInfo.InvariantCulture);
    switch (args[i])
    {
        case "--urls": urls = Next(); break;
        case "--schema": options.SchemaPath = Next(); break;
        case "--api-key": apiKey = Next(); break;
        case "--people": options.PeopleCount = Number(); break;
        case "--organisations": options.OrganisationCount = Number(); break;
        case "--seed": options.Seed = Number(); break;
        case "--latency": options.Latency = TimeSpan.FromMilliseconds(Number()); break;
        case "--bandwidth": options.BandwidthBytesPerSecond = Number(); break;
        case "--user":
            var user = Next();
            var colon = user.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) throw new ArgumentException($"--user takes name:password, not '{user}'.");
            options.Users.Add(new EmulatorUser(user[..colon], user[(colon + 1)..], user[..colon], [3]) { UserId = 2 + options.Users.Count });
            break;
        case "--objects-per-request": options.MaxObjectsPerRequest = Number(); break;
        case "--rate-limit": rate = Number(); break;
        case "--rate-limit-delay": rateDelay = TimeSpan.FromMilliseconds(Number()); break;
        case "--session-timeout": options.SessionInactivityTimeout = TimeSpan.FromMinutes(Number()); break;
        case "--engagement-key":
            var spec = Next();
            var split = spec.Split(':', 2);
            options.Engagement.ApiKeys.Add(new Workbooks.Emulator.Engagement.EngagementEmulatorApiKey(split[0],
                split.Length > 1 ? split[1].Split(',', StringSplitOptions.RemoveEmptyEntries) : [Workbooks.Emulator.Engagement.EngagementEmulatorOptions.DefaultWorkspaceId]));
            break;
        case "--extraction-seconds":
            options.Engagement.ExtractionDuration = TimeSpan.FromSeconds(Number());
            if (options.Engagement.QueueDelay > options.Engagement.ExtractionDuration)
                options.Engagement.QueueDelay = options.Engagement.ExtractionDuration;
            break;
        case "-h" or "--help":
            Console.WriteLine("""
                Workbooks emulator (both APIs: the CRM API and the engagement-extraction API under /api/)
                  --urls URL                     where to listen (http://127.0.0.1:5080; port 0 picks one)
                  --schema FILE                  a /metadata/types.api snapshot (schema/sample.types.json)
                  --api-key KEY                  the CRM API key to accept (random by default)
                  --user NAME:PASSWORD           a user who can log in with a password (several allowed)
                  --people N --organisations N   seeded records (1,000 each by default) --seed N
                  --objects-per-request N        the change-request limit (100)
                  --rate-limit N                 requests per second per credential before delaying redirects
                  --rate-limit-delay MS          how long a delaying redirect waits (1000)
                  --session-timeout MINUTES      session inactivity timeout (480)
                  --engagement-key KEY[:WS,WS]   an engagement API key and its workspaces (several allowed)
                  --extraction-seconds N         how long an engagement extraction takes (90)
                  --latency MS --bandwidth BYTES_PER_S   WAN conditions
                """);
            return 0;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Try --help.");
            return 2;
    }
}
if (rate is { } permits)
    options.RateLimit = new EmulatorRateLimit(permits, rateDelay);

options.ApplyDefaults();
var key = apiKey ?? WorkbooksEmulatorOptions.RandomApiKey();
options.ApiKeys[0] = options.ApiKeys[0] with { Key = key };

await using var emulator = await WorkbooksEmulator.StartAsync(options, urls, CancellationToken.None);
Console.WriteLine($"Workbooks emulator listening on {emulator.BaseAddress}");
Console.WriteLine($"API key: {key}");
foreach (var user in emulator.Users)
    Console.WriteLine($"User: {user.Username} / {user.Password} (databases {string.Join(", ", user.DatabaseIds)})");
foreach (var engagementKey in options.Engagement.ApiKeys)
    Console.WriteLine($"Engagement API key: {engagementKey.Key} (X-API-Key header; workspaces {string.Join(", ", engagementKey.WorkspaceIds)}; extraction takes {options.Engagement.ExtractionDuration.TotalSeconds:0} s)");
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
