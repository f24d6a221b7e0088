using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Workbooks.Benchmarks;

// dotnet run -c Release --project bench/Workbooks.Benchmarks -- --quick      every suite, short in-process jobs, bars
// dotnet run -c Release --project bench/Workbooks.Benchmarks -- --memory     suite 5 (whole-process memory)
// dotnet run -c Release --project bench/Workbooks.Benchmarks -- --profile-path [seconds]   suite 8's read in a loop, for perf
// dotnet run -c Release --project bench/Workbooks.Benchmarks -- [--quick] [BenchmarkSwitcher args, e.g. --filter *Decode*]
if (args.Length >= 4 && args[0] == "--memory-run")
    return await MemoryHarness.ChildAsync(int.Parse(args[1], CultureInfo.InvariantCulture), args[2], args[3]);
if (args.Contains("--memory"))
    return await MemoryHarness.RunAsync();
if (args.Length >= 1 && args[0] == "--profile-path")
    return await PathProfile.RunAsync(TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20));

var quick = args.Contains("--quick");
var rest = args.Where(a => a != "--quick").ToArray();
// In-process: no per-benchmark project build, and GlobalSetup facts (generator caching) are visible to the report.
var job = quick
    ? Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(2).WithIterationCount(5).WithId("Quick")
    : Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithId("Full");
var config = DefaultConfig.Instance
    .AddJob(job)
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile)
    .WithSummaryStyle(BenchmarkDotNet.Reports.SummaryStyle.Default.WithRatioStyle(BenchmarkDotNet.Columns.RatioStyle.Value));

Type[] suites = [typeof(DecodeBenchmarks), typeof(EncodeBenchmarks), typeof(FilterBenchmarks), typeof(PagingBenchmarks), typeof(GeneratorBenchmarks), typeof(ThroughputBenchmarks), typeof(EndToEndBenchmarks), typeof(MirrorLoadBenchmarks), typeof(MirrorLatencyBenchmarks)];
// --quick alone runs every suite; --quick --filter '*Decode*' runs the matching ones with the same short jobs.
var filtered = rest.Any(a => a.StartsWith("--filter", StringComparison.Ordinal) || a == "-f");
IEnumerable<Summary> summaries = filtered
    ? BenchmarkSwitcher.FromTypes(suites).Run(rest, config)
    : (quick ? suites.Select(t => BenchmarkRunner.Run(t, config)).ToList() : BenchmarkSwitcher.FromTypes(suites).Run([.. rest, "--filter", "*"], config));
Bars.Report(summaries.ToList());
return 0;
