using BenchmarkDotNet.Attributes;
using Sample.Crm;
using Workbooks.Emulator;

namespace Workbooks.Benchmarks;

/// <summary>Suite 3: compile a six-condition boolean filter with association paths to request parameters.</summary>
[MemoryDiagnoser]
public class FilterBenchmarks
{
    private WorkbooksEmulator _emulator = null!;
    private WorkbooksSession _session = null!;
    private SampleCrm _crm = null!;

    [GlobalSetup]
    public void Setup()
    {
        _emulator = Support.StartEmulatorAsync(10).GetAwaiter().GetResult();
        _session = WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = _emulator.BaseAddress, ApiKey = _emulator.ApiKey, AllowInsecureLoopback = true }).GetAwaiter().GetResult();
        _crm = new SampleCrm(_session);
        var expected = HandWritten();
        var actual = RuntimeFilterEncoding();
        if (!expected.SequenceEqual(actual))
            throw new InvalidOperationException("The hand-written parameters differ from FilterEncoding's:\n  " +
                string.Join("&", expected) + "\n  " + string.Join("&", actual));
        var typed = TypedQueryToString();
        if (!typed.Contains(FormEncoder.EncodeToString(expected), StringComparison.Ordinal))
            throw new InvalidOperationException("The typed query does not carry the same filter: " + typed);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _emulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The same parameters written out by hand (the vendor binding's way).</summary>
    [Benchmark(Baseline = true, Description = "hand-written parameter list")]
    public List<KeyValuePair<string, string>> HandWritten() =>
    [
        new("_fm", "1 AND (2 OR 3) AND (4 OR 5) AND NOT 6"),
        new("_ff[]", "person_last_name"), new("_ft[]", "bg"), new("_fc[]", "G"),
        new("_ff[]", "employer[name]"), new("_ft[]", "ct"), new("_fc[]", "Ltd"),
        new("_ff[]", "main_location[email]"), new("_ft[]", "not_blank"), new("_fc[]", ""),
        new("_ff[]", "main_location[town]"), new("_ft[]", "eq"), new("_fc[]", "Reading"),
        new("_ff[]", "cf_person_score"), new("_ft[]", "ge"), new("_fc[]", "10"),
        new("_ff[]", "created_by_user[person_name]"), new("_ft[]", "bg"), new("_fc[]", "Ada"),
    ];

    /// <summary>The runtime: WorkbooksFilter tree → FilterEncoding.Encode → triples.</summary>
    [Benchmark(Description = "FilterEncoding.Encode(...).ToTripleParameters()")]
    public List<KeyValuePair<string, string>> RuntimeFilterEncoding()
    {
        var f = WorkbooksFilter.Field("person_last_name").StartsWith("G")
            & (WorkbooksFilter.Field("employer[name]").Contains("Ltd") | WorkbooksFilter.Condition("main_location[email]", FilterOperator.NotBlank))
            & (WorkbooksFilter.Condition("main_location[town]", FilterOperator.Equal, "Reading") | WorkbooksFilter.Condition("cf_person_score", FilterOperator.GreaterThanOrEqual, "10"))
            & !WorkbooksFilter.Field("created_by_user[person_name]").StartsWith("Ada");
        return FilterEncoding.Encode(f).ToTripleParameters();
    }

    /// <summary>The generated client: the typed lambda, then the whole first request's query string.</summary>
    [Benchmark(Description = "typed crm.People.Where(...).ToString()")]
    public string TypedQueryToString() =>
        _crm.People.Where(p => p.PersonLastName.StartsWith("G")
                && (p.Employer.Name.Contains("Ltd") || p.MainLocation.Email.IsNotBlank())
                && (p.MainLocation.Town == "Reading" || p.CfPersonScore >= 10)
                && !p.CreatedByUser.PersonName.StartsWith("Ada"))
            .ToString();
}
