using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace Workbooks.Benchmarks;

/// <summary>Suite 1: decode a page of N person records (bytes produced by the emulator).</summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private byte[] _bytes = [];

    [Params(100, 1000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var emulator = Support.StartEmulatorAsync(Math.Max(N, 1000)).GetAwaiter().GetResult();
        try { _bytes = Support.FetchPageAsync(emulator, N).GetAwaiter().GetResult(); }
        finally { emulator.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        // Sanity: every path sees the same records and the same typed values.
        var a = VendorDictionary(); var t = GeneratedTyped(); var b = JsonDocumentEveryProperty();
        if (a != t) throw new InvalidOperationException($"Vendor checksum {a} != typed checksum {t}.");
        if (b == 0 || FloorUtf8JsonReader() == 0) throw new InvalidOperationException("Empty page.");
    }

    /// <summary>(a) The vendor binding's way: a Dictionary&lt;string, object?&gt; per record (built from JsonDocument),
    /// then the same few typed values read out of it.</summary>
    [Benchmark(Baseline = true, Description = "(a) vendor Dictionary<string,object> per record")]
    public long VendorDictionary()
    {
        using var doc = JsonDocument.Parse(_bytes);
        long sum = 0;
        foreach (var element in doc.RootElement.GetProperty("data").EnumerateArray())
        {
            var record = new Dictionary<string, object?>();
            foreach (var property in element.EnumerateObject())
                record[property.Name] = ToObject(property.Value);
            sum += Checksum(
                Convert.ToInt64(record["id"], CultureInfo.InvariantCulture),
                record.GetValueOrDefault("name") as string,
                record.GetValueOrDefault("person_last_name") as string,
                record.GetValueOrDefault("main_location[email]") as string,
                record.GetValueOrDefault("employer_link") is { } e and not "" ? Convert.ToInt64(e, CultureInfo.InvariantCulture) : null,
                record.GetValueOrDefault("updated_at") is string u && Workbooks.Records.WorkbooksValues.TryParseDateTime(u, out var at) ? at : null);
        }
        return sum;
    }

    private static object? ToObject(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var l) ? l : value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.Array => value.EnumerateArray().Select(ToObject).ToList(),
        _ => value.EnumerateObject().ToDictionary(p => p.Name, p => ToObject(p.Value)),
    };

    /// <summary>The generated typed reader path: the runtime's streaming page reader with the generated
    /// <c>Sample.Crm.Person.Reader</c> (one pass per record through the type's shape), then six typed properties read.</summary>
    [Benchmark(Description = "generated typed (IndexPageReader + Person.Reader)")]
    public long GeneratedTyped()
    {
        long sum = 0;
        using var body = new MemoryStream(_bytes, writable: false);
        foreach (var p in Support.Sync(IndexPageReader.Read(body, Sample.Crm.Person.Reader)))
            sum += Checksum(p.Id, p.Name, p.PersonLastName, p.MainLocation.Email, p.EmployerLink, p.UpdatedAt);
        return sum;
    }

    /// <summary>Component (no bar): the page reader and the generated reader alone, no property read.</summary>
    [Benchmark(Description = "component: IndexPageReader + Person.Reader, no property read")]
    public long PageReaderOnly()
    {
        long sum = 0;
        using var body = new MemoryStream(_bytes, writable: false);
        foreach (var p in Support.Sync(IndexPageReader.Read(body, Sample.Crm.Person.Reader)))
            sum += p.Id;
        return sum;
    }

    /// <summary>(b) JsonDocument, reading every property's value.</summary>
    [Benchmark(Description = "(b) JsonDocument, every property")]
    public long JsonDocumentEveryProperty()
    {
        using var doc = JsonDocument.Parse(_bytes);
        long sum = 0;
        foreach (var element in doc.RootElement.GetProperty("data").EnumerateArray())
        {
            foreach (var property in element.EnumerateObject())
            {
                sum += property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!.Length,
                    JsonValueKind.Number => property.Value.TryGetInt64(out var l) ? l : (long)property.Value.GetDouble(),
                    JsonValueKind.True => 1,
                    _ => 0,
                };
            }
        }
        return sum;
    }

    /// <summary>(c) The floor: a bare Utf8JsonReader pass over every token.</summary>
    [Benchmark(Description = "(c) floor: bare Utf8JsonReader pass")]
    public long FloorUtf8JsonReader()
    {
        var reader = new Utf8JsonReader(_bytes);
        long tokens = 0;
        while (reader.Read()) tokens++;
        return tokens;
    }

    private static long Checksum(long id, string? name, string? last, string? email, long? employer, DateTimeOffset? updated) =>
        id + (name?.Length ?? 0) + (last?.Length ?? 0) + (email?.Length ?? 0) + (employer ?? 0) + (updated?.Ticks % 1_000_003 ?? 0);
}
