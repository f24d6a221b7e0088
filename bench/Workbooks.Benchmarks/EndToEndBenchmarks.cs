using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Sample.Crm;
using Workbooks.Emulator;

namespace Workbooks.Benchmarks;

/// <summary>
/// Suite 8: end to end, the way users run it. 10,000 people paged from an emulator by the generated client with default
/// options (keyset pages that start at 100 and grow toward about 1 MB of response, up to 1,000 records; one page read ahead), against a baseline that does what the vendor's bindings do: sequential offset pages of 100, no compression,
/// each page decoded whole into a dictionary per record. Once over loopback, once with 20 ms added to every request.
/// Both read the same records (id checksum asserted in GlobalSetup) and the same five values of each.
/// </summary>
[MemoryDiagnoser]
public class EndToEndBenchmarks
{
    public const int People = 10_000;
    private WorkbooksEmulator _emulator = null!;
    private WorkbooksSession _session = null!;
    private SampleCrm _crm = null!;
    private HttpClient _vendor = null!;

    [Params(0, 20)]
    public int LatencyMs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _emulator = WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions
        {
            PeopleCount = People, OrganisationCount = 100, OtherRecordCount = 1, Latency = TimeSpan.FromMilliseconds(LatencyMs),
        }).GetAwaiter().GetResult();
        _session = WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = _emulator.BaseAddress, ApiKey = _emulator.ApiKey, AllowInsecureLoopback = true })
            .GetAwaiter().GetResult();
        _crm = new SampleCrm(_session);
        // The vendor bindings: no automatic decompression, no redirects followed by the handler, the API key per request.
        _vendor = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _emulator.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var ours = GeneratedClient().GetAwaiter().GetResult();
        var theirs = VendorOffsetPages().GetAwaiter().GetResult();
        if (ours != theirs)
            throw new InvalidOperationException($"The two read different records (checksums {ours} and {theirs}).");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _vendor.Dispose();
        _emulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private static long Checksum(long id, string? name, string? lastName, long? employer) =>
        id * 31 + (name?.Length ?? 0) * 7 + (lastName?.Length ?? 0) * 3 + (employer ?? 0);

    [Benchmark(Baseline = true, Description = "vendor-style: offset pages of 100, no gzip, a dictionary per record")]
    public async Task<long> VendorOffsetPages()
    {
        long sum = 0;
        for (var start = 0; ; start += 100)
        {
            var url = string.Create(CultureInfo.InvariantCulture, $"crm/people.api?_start={start}&_limit=100&_sort=id&_dir=ASC&api_key={Uri.EscapeDataString(_emulator.ApiKey)}");
            using var response = await _vendor.GetAsync(url);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            using var doc = JsonDocument.Parse(bytes);
            var count = 0;
            foreach (var element in doc.RootElement.GetProperty("data").EnumerateArray())
            {
                var record = new Dictionary<string, object?>();
                foreach (var property in element.EnumerateObject())
                    record[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Number => property.Value.TryGetInt64(out var l) ? (object)l : property.Value.GetDouble(),
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        JsonValueKind.Null => null,
                        _ => property.Value.GetRawText(),
                    };
                sum += Checksum(Convert.ToInt64(record["id"], CultureInfo.InvariantCulture), record.GetValueOrDefault("name") as string,
                    record.GetValueOrDefault("person_last_name") as string,
                    record.GetValueOrDefault("employer_link") is long e ? e : record.GetValueOrDefault("employer_link") is string s && s.Length > 0 ? long.Parse(s, CultureInfo.InvariantCulture) : null);
                count++;
            }
            if (count < 100)
                return sum;
        }
    }

    [Benchmark(Description = "generated client, default options (keyset pages from 100, growing toward 1 MB)")]
    public async Task<long> GeneratedClient()
    {
        long sum = 0;
        await foreach (var person in _crm.People)
            sum += Checksum(person.Id, person.Name, person.PersonLastName, person.EmployerLink);
        return sum;
    }
}
