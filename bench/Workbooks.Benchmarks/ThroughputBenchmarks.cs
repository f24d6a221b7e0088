using BenchmarkDotNet.Attributes;
using Workbooks.Emulator;

namespace Workbooks.Benchmarks;

/// <summary>
/// Suite 7: what a user far from the service gets. The emulator adds 20 ms to every request (WAN latency); 2,000 people
/// are exported by one keyset stream (baseline) or by 8 partitions at once, and 800 organisations are created one
/// request at a time or with 8 requests in flight. Results are checked identical in GlobalSetup.
/// </summary>
[MemoryDiagnoser]
public class ThroughputBenchmarks
{
    public const int People = 2_000;
    public const int Creates = 800;
    private WorkbooksEmulator _emulator = null!;
    private WorkbooksSession _session = null!;
    private int _batch;

    [GlobalSetup]
    public void Setup()
    {
        _emulator = WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions
        {
            PeopleCount = People, OrganisationCount = 10, OtherRecordCount = 1, Latency = TimeSpan.FromMilliseconds(20),
        }).GetAwaiter().GetResult();
        _session = WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = _emulator.BaseAddress, ApiKey = _emulator.ApiKey, AllowInsecureLoopback = true })
            .GetAwaiter().GetResult();
        var one = OneStream().GetAwaiter().GetResult();
        var eight = EightPartitions().GetAwaiter().GetResult();
        if (one != eight)
            throw new InvalidOperationException($"One stream and eight partitions read different records (id checksums {one} and {eight}).");
        var sequential = ImportOneAtATime().GetAwaiter().GetResult();
        var parallel = ImportEightInFlight().GetAwaiter().GetResult();
        if (sequential != Creates || parallel != Creates)
            throw new InvalidOperationException($"Imports applied {sequential} and {parallel} of {Creates}.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _emulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private WorkbooksQuery<WorkbooksRecord, RecordFields> Export => _session.Records("crm/people").SelectFields("name").PageSize(100);

    [Benchmark(Baseline = true, Description = "export: one keyset stream, 20 ms latency")]
    public async Task<long> OneStream()
    {
        long sum = 0;
        await foreach (var record in Export)
            sum += record.Id;
        return sum;
    }

    [Benchmark(Description = "export: 8 partitions, 20 ms latency")]
    public async Task<long> EightPartitions()
    {
        long sum = 0;
        await foreach (var record in Export.ReadInParallelAsync(8))
            sum += record.Id;
        return sum;
    }

    private async Task<int> ImportAsync(int concurrency)
    {
        var changes = _session.Changes("crm/organisations");
        var batch = Interlocked.Increment(ref _batch);
        for (var i = 0; i < Creates; i++)
        {
            var record = new WorkbooksRecord();
            record.Set("name", $"Import {batch}-{i}");
            changes.Create(record);
        }
        var result = await changes.SubmitAsync(new ChangeSetOptions { MaxConcurrency = concurrency });
        return result.Results.Count(r => r.Outcome == ChangeOutcome.Applied);
    }

    [Benchmark(Description = "import: 800 creates, 1 request at a time, 20 ms latency")]
    public Task<int> ImportOneAtATime() => ImportAsync(1);

    [Benchmark(Description = "import: 800 creates, 8 requests in flight, 20 ms latency")]
    public Task<int> ImportEightInFlight() => ImportAsync(8);
}
