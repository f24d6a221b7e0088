using System.Diagnostics;
using Sample.Crm;
using Workbooks.Emulator;

namespace Workbooks.Benchmarks;

/// <summary>
/// The whole path in one process, for a sampling profiler: suite 8's read (10,000 people, default options, in-process
/// emulator over loopback HTTP) again and again for a number of seconds. Client and emulator share the process, so
/// one profile shows both sides' share:
/// <code>
/// DOTNET_PerfMapEnabled=1 perf record -F 499 -g -o /tmp/path.data -- \
///   dotnet bench/Workbooks.Benchmarks/bin/Release/net10.0/Workbooks.Benchmarks.dll --profile-path 20
/// perf report -i /tmp/path.data --no-children --sort sym --stdio
/// </code>
/// </summary>
internal static class PathProfile
{
    public static async Task<int> RunAsync(TimeSpan duration)
    {
        await using var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = EndToEndBenchmarks.People, OrganisationCount = 100, OtherRecordCount = 1 });
        await using var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = emulator.BaseAddress, ApiKey = emulator.ApiKey, AllowInsecureLoopback = true });
        var crm = new SampleCrm(session);
        var passes = 0;
        long records = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            await foreach (var person in crm.People)
                records += person.Id > 0 ? 1 : 0;
            passes++;
        }
        Console.WriteLine($"{passes} reads of {EndToEndBenchmarks.People:N0} people in {clock.Elapsed.TotalSeconds:F1} s: {clock.Elapsed.TotalMilliseconds / passes:F1} ms a read ({records:N0} records)");
        return 0;
    }
}
