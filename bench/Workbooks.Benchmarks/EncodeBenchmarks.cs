using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace Workbooks.Benchmarks;

/// <summary>Suite 2: encode a change set of 100 updates × 20 fields as a form body.</summary>
[MemoryDiagnoser]
public class EncodeBenchmarks
{
    private static readonly string[] FieldNames =
    [
        "name", "person_first_name", "person_last_name", "person_job_title", "person_job_role", "person_salutation",
        "main_location[email]", "main_location[telephone]", "main_location[mobile]", "main_location[street_address]",
        "main_location[town]", "main_location[postcode]", "main_location[country]", "website", "twitter_url",
        "skype_name", "cf_person_score", "cf_person_last_review_date", "cf_person_preferred_contact_method", "biography",
    ];

    private (long Id, int LockVersion, string[] Values)[] _objects = [];
    private string[] _sortedNames = [];
    private ChangeOperation[] _operations = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        string[] first = ["Ada", "Zoë", "Łukasz", "Mary-Jane", "O'Neil", "José", "Björn", "Sam"];
        string[] last = ["Lovelace", "Smith & Sons", "Müller", "Ng", "García López", "Østergaard", "Brown", "Ó Súilleabháin"];
        _objects = new (long, int, string[])[100];
        for (var i = 0; i < _objects.Length; i++)
        {
            var f = first[random.Next(first.Length)];
            var l = last[random.Next(last.Length)];
            string[] values =
            [
                $"{f} {l}", f, l, "Head of Sales (EMEA)", "Decision maker", $"Dear {f}",
                $"{f.ToLowerInvariant()}.{i}@example.co.uk", "+44 (0)1189 123 456", "07700 900" + i.ToString("D3", CultureInfo.InvariantCulture),
                $"{i} High Street, Flat 2/3", "Reading", "RG1 1AA", "United Kingdom", "https://www.example.com/?q=a&b=c",
                "https://twitter.com/example_" + i, "live:example." + i, (i * 7 % 100).ToString(CultureInfo.InvariantCulture),
                "2026-11-" + (i % 28 + 1).ToString("D2", CultureInfo.InvariantCulture), "E-mail", $"Met at the 2026 expo; likes ☕ & 100% cotton. Notes: \"{l}\"",
            ];
            _objects[i] = (1000 + i * 3, i % 5, values);
        }
        // Both paths send fields in ordinal order (the encoder's square-array order; the vendor code is given them sorted).
        _sortedNames = [.. FieldNames.Order(StringComparer.Ordinal)];
        var order = _sortedNames.Select(n => Array.IndexOf(FieldNames, n)).ToArray();
        _objects = [.. _objects.Select(o => (o.Id, o.LockVersion, order.Select(k => o.Values[k]).ToArray()))];
        _operations = [.. _objects.Select(o => ChangeOperation.Update(o.Id, o.LockVersion,
            _sortedNames.Select((n, k) => new KeyValuePair<string, WireText?>(n, WireText.Of(o.Values[k])))))];

        var vendor = VendorConcatenation();
        using var content = Generated();
        var generated = content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        AssertSameBody("FormEncoder.CreateContent", generated, vendor);
        if (content.Headers.ContentLength != vendor.Length)
            throw new InvalidOperationException($"Content-Length {content.Headers.ContentLength} is not the body's {vendor.Length} bytes.");
        AssertSameBody("FormEncoder.Encode", GeneratedContiguous(), vendor);
        BodyLength = generated.Length;
    }

    private static void AssertSameBody(string what, byte[] generated, byte[] vendor)
    {
        if (generated.AsSpan().SequenceEqual(vendor)) return;
        var at = generated.AsSpan().CommonPrefixLength(vendor);
        throw new InvalidOperationException($"The bodies differ at byte {at}: {what} …{Encoding.ASCII.GetString(generated, Math.Max(0, at - 40), Math.Min(80, generated.Length - Math.Max(0, at - 40)))}… vendor …{Encoding.ASCII.GetString(vendor, Math.Max(0, at - 40), Math.Min(80, vendor.Length - Math.Max(0, at - 40)))}…");
    }

    public static int BodyLength { get; private set; }

    /// <summary>The vendor binding's way: string concatenation, <c>Uri.EscapeDataString</c> per value
    /// (with <c>%20</c> turned into <c>+</c>, as form bodies carry spaces), keys written as-is.</summary>
    [Benchmark(Baseline = true, Description = "vendor: string concat + Uri.EscapeDataString")]
    public byte[] VendorConcatenation()
    {
        var parts = new List<string>();
        parts.Add("_fm=or");
        foreach (var o in _objects)
            parts.Add("_ff[]=id&_ft[]=eq&_fc[]=" + o.Id.ToString(CultureInfo.InvariantCulture));
        foreach (var o in _objects)
        {
            parts.Add("__method[]=PUT");
            parts.Add("id[]=" + o.Id.ToString(CultureInfo.InvariantCulture));
            parts.Add("lock_version[]=" + o.LockVersion.ToString(CultureInfo.InvariantCulture));
            for (var k = 0; k < _sortedNames.Length; k++)
                parts.Add(_sortedNames[k] + "[]=" + Uri.EscapeDataString(o.Values[k]).Replace("%20", "+", StringComparison.Ordinal));
        }
        return Encoding.UTF8.GetBytes(string.Join("&", parts));
    }

    /// <summary>
    /// The runtime, as <c>WorkbooksChangeSet.SubmitAsync</c> sends a batch: ChangeSetEncoder.Encode (square array) and,
    /// in the transport, FormEncoder.CreateContent (the request body handed to HttpClient; above 64 KB it is held in
    /// pieces below the large object heap threshold).
    /// </summary>
    [Benchmark(Description = "runtime: ChangeSetEncoder.Encode + FormEncoder.CreateContent")]
    public HttpContent Generated() => FormEncoder.CreateContent(ChangeSetEncoder.Encode(_operations));

    /// <summary>The same body as one contiguous byte[] (FormEncoder.Encode): a 90 KB array on the large object heap per call.</summary>
    [Benchmark(Description = "ChangeSetEncoder.Encode + FormEncoder.Encode (one byte[])")]
    public byte[] GeneratedContiguous() => FormEncoder.Encode(ChangeSetEncoder.Encode(_operations));

    // Components (no bar): where the time and allocations of the generated path go.
    private List<KeyValuePair<string, string>> _pairs = [];

    [GlobalSetup(Targets = [nameof(FormEncoderOnly), nameof(CreateContentOnly)])]
    public void SetupPairs() { Setup(); _pairs = ChangeSetEncoder.Encode(_operations); }

    [Benchmark(Description = "component: ChangeSetEncoder.Encode only")]
    public List<KeyValuePair<string, string>> ChangeSetEncoderOnly() => ChangeSetEncoder.Encode(_operations);

    [Benchmark(Description = "component: FormEncoder.Encode only")]
    public byte[] FormEncoderOnly() => FormEncoder.Encode(_pairs);

    [Benchmark(Description = "component: FormEncoder.CreateContent only")]
    public HttpContent CreateContentOnly() => FormEncoder.CreateContent(_pairs);
}
