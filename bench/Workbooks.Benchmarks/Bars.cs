using System.Globalization;
using BenchmarkDotNet.Reports;

namespace Workbooks.Benchmarks;

/// <summary>Prints a ratio table per suite and a PASS/MISS line per bar.</summary>
internal static class Bars
{
    public static string Line(string suite, string bar, bool pass, string actual) => $"{(pass ? "PASS" : "MISS")}  [{suite}] {bar}: {actual}";

    private sealed record Row(string Suite, string Method, string Description, string Params, double MeanNs, long Allocated, bool Baseline);

    public static void Report(IReadOnlyList<Summary> summaries)
    {
        var rows = summaries.SelectMany(s => s.Reports).Where(r => r.ResultStatistics is not null).Select(r => new Row(
            r.BenchmarkCase.Descriptor.Type.Name,
            r.BenchmarkCase.Descriptor.WorkloadMethod.Name,
            r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo,
            r.BenchmarkCase.Parameters.PrintInfo,
            r.ResultStatistics!.Mean,
            r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) ?? 0,
            r.BenchmarkCase.Descriptor.Baseline)).ToList();
        var lines = new List<string>();
        Console.WriteLine();
        Console.WriteLine("==================== Workbooks benchmarks: ratios against the in-run baseline ====================");
        foreach (var group in rows.GroupBy(r => (r.Suite, r.Params)))
        {
            var baseline = group.FirstOrDefault(r => r.Baseline);
            Console.WriteLine();
            Console.WriteLine($"### {group.Key.Suite} {group.Key.Params}");
            Console.WriteLine("| Method | Mean | Time ratio | Allocated | Alloc ratio |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var r in group)
            {
                var ratio = baseline is null ? double.NaN : r.MeanNs / baseline.MeanNs;
                var allocRatio = baseline is null || baseline.Allocated == 0 ? double.NaN : (double)r.Allocated / baseline.Allocated;
                Console.WriteLine($"| {r.Description}{(r.Baseline ? " **(baseline)**" : "")} | {Time(r.MeanNs)} | {ratio:F2} | {Bytes(r.Allocated)} | {allocRatio:F2} |");
            }
        }
        Console.WriteLine();
        Console.WriteLine("Bars:");

        Row? Find(string suite, string method, string? param = null) =>
            rows.FirstOrDefault(r => r.Suite == suite && r.Method == method && (param is null || r.Params == param));

        foreach (var n in new[] { 100, 1000 })
        {
            var p = $"N={n}";
            var typed = Find(nameof(DecodeBenchmarks), nameof(DecodeBenchmarks.GeneratedTyped), p);
            var vendor = Find(nameof(DecodeBenchmarks), nameof(DecodeBenchmarks.VendorDictionary), p);
            var floor = Find(nameof(DecodeBenchmarks), nameof(DecodeBenchmarks.FloorUtf8JsonReader), p);
            if (typed is null || vendor is null || floor is null) continue;
            var speedup = vendor.MeanNs / typed.MeanNs;
            lines.Add(Line($"1 decode {p}", "≥ 3× faster than (a) vendor dictionary", speedup >= 3, $"{speedup:F2}× faster"));
            var overFloor = typed.MeanNs / floor.MeanNs;
            lines.Add(Line($"1 decode {p}", "≤ 2× the floor (c)", overFloor <= 2, $"{overFloor:F2}× the floor"));
            var alloc = (double)typed.Allocated / vendor.Allocated;
            lines.Add(Line($"1 decode {p}", "≤ 0.5× (a)'s allocated bytes", alloc <= 0.5, $"{alloc:F2}× ({Bytes(typed.Allocated)} vs {Bytes(vendor.Allocated)})"));
        }
        if (Find(nameof(EncodeBenchmarks), nameof(EncodeBenchmarks.Generated)) is { } enc && Find(nameof(EncodeBenchmarks), nameof(EncodeBenchmarks.VendorConcatenation)) is { } vend)
        {
            var speedup = vend.MeanNs / enc.MeanNs;
            lines.Add(Line("2 encode", "≥ 3× faster than string concat", speedup >= 3, $"{speedup:F2}× faster"));
            var alloc = (double)enc.Allocated / vend.Allocated;
            lines.Add(Line("2 encode", "≤ 1/3 of the allocations", alloc <= 1.0 / 3, $"{alloc:F2}× ({Bytes(enc.Allocated)} vs {Bytes(vend.Allocated)})"));
            lines.Add(Line("2 encode", "byte-identical bodies (asserted in GlobalSetup)", true, $"{EncodeBenchmarks.BodyLength:N0} bytes each"));
        }
        if (Find(nameof(FilterBenchmarks), nameof(FilterBenchmarks.RuntimeFilterEncoding)) is { } fe && Find(nameof(FilterBenchmarks), nameof(FilterBenchmarks.HandWritten)) is { } hw)
        {
            lines.Add($"INFO  [3 filter] no bar: FilterEncoding {fe.MeanNs / hw.MeanNs:F1}× the hand-written list's time, {(double)fe.Allocated / hw.Allocated:F1}× its allocations (parameters asserted equal)");
            if (Find(nameof(FilterBenchmarks), nameof(FilterBenchmarks.TypedQueryToString)) is { } tq)
                lines.Add($"INFO  [3 filter] typed query ToString: {Time(tq.MeanNs)} ({tq.MeanNs / hw.MeanNs:F1}×), {Bytes(tq.Allocated)}");
        }
        if (Find(nameof(PagingBenchmarks), nameof(PagingBenchmarks.GeneratedClient)) is { } gc && Find(nameof(PagingBenchmarks), nameof(PagingBenchmarks.RawHttpClientJsonDocument)) is { } raw)
        {
            var ratio = gc.MeanNs / raw.MeanNs;
            lines.Add(Line("4 paging", "≤ 5% slower than raw HttpClient + JsonDocument", ratio <= 1.05, $"{(ratio - 1) * 100:+0.0;-0.0}% ({Time(gc.MeanNs)} vs {Time(raw.MeanNs)} for 100 pages)"));
            lines.Add($"INFO  [4 paging] first request: {PagingBenchmarks.FirstRequest}");
            lines.Add($"INFO  [4 paging] last request:  {PagingBenchmarks.LastRequest}");
        }
        if (Find(nameof(GeneratorBenchmarks), nameof(GeneratorBenchmarks.ColdSample)) is { } cs)
            lines.Add(Line("6 generator", "sample cold ≤ 200 ms", cs.MeanNs <= 200e6, Time(cs.MeanNs)));
        if (Find(nameof(GeneratorBenchmarks), nameof(GeneratorBenchmarks.ColdSynthetic)) is { } csy)
            lines.Add(Line("6 generator", "synthetic 300×150 cold ≤ 3 s", csy.MeanNs <= 3e9, Time(csy.MeanNs)));
        if (Find(nameof(GeneratorBenchmarks), nameof(GeneratorBenchmarks.IncrementalCSharpEdit)) is { } ce)
            lines.Add(Line("6 generator", "C# edit ≤ 5 ms with every step cached", ce.MeanNs <= 5e6 && GeneratorBenchmarks.CSharpEditAllCached,
                $"{Time(ce.MeanNs)}, every step cached: {(GeneratorBenchmarks.CSharpEditAllCached ? "yes" : "no")}"));
        if (Find(nameof(GeneratorBenchmarks), nameof(GeneratorBenchmarks.IncrementalOneTypeEdit)) is { } ot)
            lines.Add(Line("6 generator", "one-type edit re-emits one file", GeneratorBenchmarks.OneTypeEditChangedFiles == 1 && GeneratorBenchmarks.OneTypeEditReEmitted == 1,
                $"{GeneratorBenchmarks.OneTypeEditChangedFiles} file(s) changed, {GeneratorBenchmarks.OneTypeEditReEmitted} output(s) re-emitted, {Time(ot.MeanNs)}"));
        if (Find(nameof(ThroughputBenchmarks), nameof(ThroughputBenchmarks.EightPartitions)) is { } p8 && Find(nameof(ThroughputBenchmarks), nameof(ThroughputBenchmarks.OneStream)) is { } p1)
        {
            var speedup = p1.MeanNs / p8.MeanNs;
            lines.Add(Line("7 throughput", "export: 8 partitions ≥ 4× one stream at 20 ms latency (same records, asserted)", speedup >= 4, $"{speedup:F2}× ({Time(p8.MeanNs)} vs {Time(p1.MeanNs)})"));
        }
        if (Find(nameof(ThroughputBenchmarks), nameof(ThroughputBenchmarks.ImportEightInFlight)) is { } i8 && Find(nameof(ThroughputBenchmarks), nameof(ThroughputBenchmarks.ImportOneAtATime)) is { } i1)
        {
            var speedup = i1.MeanNs / i8.MeanNs;
            lines.Add(Line("7 throughput", "import: 8 requests in flight ≥ 4× one at a time at 20 ms latency (all applied, asserted)", speedup >= 4, $"{speedup:F2}× ({Time(i8.MeanNs)} vs {Time(i1.MeanNs)})"));
        }
        foreach (var latency in new[] { 0, 20 })
        {
            var ours = summaries.SelectMany(s => s.Reports).FirstOrDefault(r => r.BenchmarkCase.Descriptor.Type == typeof(EndToEndBenchmarks)
                && r.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(EndToEndBenchmarks.GeneratedClient) && Equals(r.BenchmarkCase.Parameters["LatencyMs"], latency));
            var vendor = summaries.SelectMany(s => s.Reports).FirstOrDefault(r => r.BenchmarkCase.Descriptor.Type == typeof(EndToEndBenchmarks)
                && r.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(EndToEndBenchmarks.VendorOffsetPages) && Equals(r.BenchmarkCase.Parameters["LatencyMs"], latency));
            if (ours?.ResultStatistics is { } o && vendor?.ResultStatistics is { } v)
            {
                var speedup = v.Mean / o.Mean;
                var goal = latency == 0 ? 1.2 : 2.0;
                lines.Add(Line("8 end to end", $"10,000 people, {latency} ms latency: ≥ {goal:0.0}× the vendor-style client", speedup >= goal, $"{speedup:F2}× ({Time(o.Mean)} vs {Time(v.Mean)})"));
            }
        }
        foreach (var (k, v) in GeneratorBenchmarks.Facts)
            lines.Add($"INFO  [6 generator] {k}: {v}");
        foreach (var line in lines) Console.WriteLine(line);
        Console.WriteLine("(suite 5, memory: run with --memory)");
    }

    public static string Time(double ns) => ns switch
    {
        >= 1e9 => (ns / 1e9).ToString("F2", CultureInfo.InvariantCulture) + " s",
        >= 1e6 => (ns / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " ms",
        >= 1e3 => (ns / 1e3).ToString("F1", CultureInfo.InvariantCulture) + " µs",
        _ => ns.ToString("F0", CultureInfo.InvariantCulture) + " ns",
    };

    public static string Bytes(long b) => b switch
    {
        >= 1 << 20 => (b / 1048576.0).ToString("F2", CultureInfo.InvariantCulture) + " MB",
        >= 1 << 10 => (b / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " KB",
        _ => b.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
