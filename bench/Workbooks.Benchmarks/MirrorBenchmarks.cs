using BenchmarkDotNet.Attributes;
using Workbooks.Emulator;
using Workbooks.Mirror;
using Workbooks.Mirror.Tests.TestSupport;

namespace Workbooks.Benchmarks;

/// <summary>
/// Suite 8: the mirror's first load of every person (100,000, 8 partitions) into a fresh SQLite file and into a fresh
/// database of a real PostgreSQL server (started here, as the tests start it), against paging the same records and
/// columns into memory with the same 8 partitions (baseline), in the same run. Rows are checked in GlobalSetup.
/// </summary>
[MemoryDiagnoser]
public class MirrorLoadBenchmarks
{
    public const int People = 100_000;
    private WorkbooksEmulator _emulator = null!;
    private WorkbooksSession _session = null!;
    private PostgresServer _postgres = null!;
    private string _directory = "";
    private int _run;

    [GlobalSetup]
    public void Setup()
    {
        _emulator = WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = People, OrganisationCount = 10, OtherRecordCount = 1 }).GetAwaiter().GetResult();
        _session = WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = _emulator.BaseAddress, ApiKey = _emulator.ApiKey, AllowInsecureLoopback = true }).GetAwaiter().GetResult();
        _postgres = PostgresServer.StartAsync().GetAwaiter().GetResult();
        _directory = Directory.CreateTempSubdirectory("mirror-bench-").FullName;
        var memory = InMemory().GetAwaiter().GetResult();
        var sqlite = IntoSqlite().GetAwaiter().GetResult();
        var postgres = IntoPostgreSql().GetAwaiter().GetResult();
        if (memory != People || sqlite != People || postgres != People)
            throw new InvalidOperationException($"Read {memory}, loaded {sqlite} rows into SQLite and {postgres} into PostgreSQL, of {People}.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _emulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _postgres.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    private static MirrorOptions Options()
    {
        var options = new MirrorOptions { Partitions = 8 };
        options.Types.Add("crm/people");
        return options;
    }

    [Benchmark(Baseline = true, Description = "100,000 people into memory, 8 partitions")]
    public async Task<long> InMemory()
    {
        // The columns the mirror reads: every field of crm_people it stores.
        var fields = MirrorTableFields.Of(_session, "crm/people");
        long count = 0;
        await foreach (var record in _session.Records("crm/people").SelectFields(fields).ReadInParallelAsync(8))
            count += record.Id > 0 ? 1 : 0;
        return count;
    }

    [Benchmark(Description = "mirror 100,000 people into SQLite (first load)")]
    public async Task<long> IntoSqlite()
    {
        var path = Path.Combine(_directory, $"crm-{Interlocked.Increment(ref _run)}.db");
        var summary = await new WorkbooksMirror(_session, MirrorTarget.Sqlite(path), Options()).SyncAsync();
        return summary.Tables[0].Rows;
    }

    [Benchmark(Description = "mirror 100,000 people into PostgreSQL (first load)")]
    public async Task<long> IntoPostgreSql()
    {
        var connectionString = await _postgres.CreateDatabaseAsync($"bench_{Interlocked.Increment(ref _run)}");
        var summary = await new WorkbooksMirror(_session, MirrorTarget.PostgreSql(connectionString, _postgres.Password), Options()).SyncAsync();
        return summary.Tables[0].Rows;
    }
}

/// <summary>
/// Suite 8b: a first load with 20 ms added to every request (WAN latency): 8 partitions against one (baseline), into
/// SQLite, 5,000 people. The two tables are checked identical in GlobalSetup.
/// </summary>
[MemoryDiagnoser]
public class MirrorLatencyBenchmarks
{
    public const int People = 5_000;
    private WorkbooksEmulator _emulator = null!;
    private WorkbooksSession _session = null!;
    private string _directory = "";
    private int _run;

    [GlobalSetup]
    public void Setup()
    {
        _emulator = WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = People, OrganisationCount = 10, OtherRecordCount = 1, Latency = TimeSpan.FromMilliseconds(20) }).GetAwaiter().GetResult();
        _session = WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = _emulator.BaseAddress, ApiKey = _emulator.ApiKey, AllowInsecureLoopback = true }).GetAwaiter().GetResult();
        _directory = Directory.CreateTempSubdirectory("mirror-bench-").FullName;
        var one = Load(1).GetAwaiter().GetResult();
        var eight = Load(8).GetAwaiter().GetResult();
        if (one.Checksum != eight.Checksum || one.Rows != People)
            throw new InvalidOperationException($"One partition and eight loaded different rows ({one} and {eight}).");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _emulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<(long Rows, long Checksum)> Load(int partitions)
    {
        var path = Path.Combine(_directory, $"crm-{Interlocked.Increment(ref _run)}.db");
        var options = new MirrorOptions { Partitions = partitions };
        options.Types.Add("crm/people");
        var summary = await new WorkbooksMirror(_session, MirrorTarget.Sqlite(path), options).SyncAsync();
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(SUM(id * lock_version + length(COALESCE(name, ''))), 0) FROM crm_people";
        return (summary.Tables[0].Rows, Convert.ToInt64(await command.ExecuteScalarAsync()));
    }

    [Benchmark(Baseline = true, Description = "first load, 1 partition, 20 ms latency")]
    public Task<(long, long)> OnePartition() => Load(1);

    [Benchmark(Description = "first load, 8 partitions, 20 ms latency")]
    public Task<(long, long)> EightPartitions() => Load(8);
}

/// <summary>The fields the mirror stores for a record type (its plain fields), read from the live metadata.</summary>
internal static class MirrorTableFields
{
    private static string[]? s_fields;

    public static string[] Of(WorkbooksSession session, string controllerPath)
    {
        if (s_fields is not null)
            return s_fields;
        using var metadata = session.GetMetadataAsync().GetAwaiter().GetResult();
        var type = metadata.RootElement.GetProperty("data").EnumerateArray().First(t => t.GetProperty("controller_path").GetString() == controllerPath);
        return s_fields = type.GetProperty("fields").EnumerateArray()
            .Where(f => f.GetProperty("datatype").GetString() != "file_upload")
            .Select(f => f.GetProperty("name").GetString()!)
            .Where(n => !n.Contains('[', StringComparison.Ordinal) && n != "employer_name")
            .ToArray();
    }
}
