using System.Collections.Immutable;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Workbooks.Generator;

namespace Workbooks.Benchmarks;

/// <summary>Suite 6: the source generator through CSharpGeneratorDriver: cold runs and incremental runs.</summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private const string SamplePath = "/project/schema/sample.types.json";
    private const string SyntheticPath = "/project/schema/synthetic.types.json";
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private string _sample = "";
    private string _synthetic = "";
    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warmSample = null!;
    private AdditionalText _sampleText = null!;
    private AdditionalText _sampleTextEdited = null!;
    private AdditionalText _syntheticText = null!;

    /// <summary>Facts established in GlobalSetup, for the report.</summary>
    public static Dictionary<string, string> Facts { get; } = new(StringComparer.Ordinal);

    public static readonly string[] TrackingNames = typeof(WorkbooksGenerator).Assembly.GetType("Workbooks.Generator.TrackingNames", throwOnError: true)!
        .GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal).ToArray();

    [GlobalSetup]
    public void Setup()
    {
        _sample = File.ReadAllText(Support.RepoFile("schema/sample.types.json"));
        _synthetic = SyntheticSchema(_sample, types: 300, fields: 150);
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var n && (n.StartsWith("System.", StringComparison.Ordinal) || n is "System.dll" or "netstandard.dll" or "mscorlib.dll" or "Workbooks.Runtime.dll"
                || n.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
        _compilation = CSharpCompilation.Create("Consumer",
            [CSharpSyntaxTree.ParseText("namespace Consumer.App; internal static class Marker { }", ParseOptions)],
            references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        _edited = _compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Consumer.App; internal sealed class Other { }", ParseOptions));
        _sampleText = new InMemoryAdditionalText(SamplePath, _sample);
        _sampleTextEdited = new InMemoryAdditionalText(SamplePath, _sample.Replace("\"title\": \"LinkedIn Profile\"", "\"title\": \"LinkedIn\"", StringComparison.Ordinal));
        if (_sampleTextEdited.GetText()!.ToString() == _sample) throw new InvalidOperationException("The one-type edit did not change the schema.");
        _syntheticText = new InMemoryAdditionalText(SyntheticPath, _synthetic);

        // The very first run in this process (JIT included), once, for the report.
        var sw = Stopwatch.StartNew();
        var first = Driver(_sampleText).RunGeneratorsAndUpdateCompilation(_compilation, out var output, out var diagnostics);
        Facts["sample first run in process (incl. JIT), ms"] = sw.Elapsed.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture);
        var generated = Result(first).GeneratedSources;
        Facts["sample: generated files"] = generated.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Take(3).ToList();
        Facts["sample: output compiles"] = errors.Count == 0 ? "yes" : "NO: " + string.Join("; ", errors);

        var synthetic = Result(Driver(_syntheticText).RunGenerators(_compilation));
        Facts["synthetic: generated files"] = synthetic.GeneratedSources.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Facts["synthetic: generated chars"] = synthetic.GeneratedSources.Sum(s => s.SourceText.Length).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        Facts["synthetic: diagnostics"] = string.Join(", ", synthetic.Diagnostics.GroupBy(d => d.Id).Select(g => $"{g.Key}×{g.Count()}")) is { Length: > 0 } s ? s : "none";

        _warmSample = Driver(_sampleText).RunGenerators(_compilation);

        // C# edit: is every tracked step (and every output) cached?
        var csharp = Result(_warmSample.RunGenerators(_edited));
        var stepReasons = TrackingNames.Select(name => csharp.TrackedSteps.TryGetValue(name, out var steps)
            ? $"{name}: {string.Join("/", steps.SelectMany(s => s.Outputs).Select(o => o.Reason).Distinct())}"
            : $"{name}: (not run)").ToList();
        var allCached = TrackingNames.All(name => csharp.TrackedSteps.TryGetValue(name, out var steps)
                && steps.SelectMany(s => s.Outputs).All(o => o.Reason == IncrementalStepRunReason.Cached))
            && csharp.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).All(o => o.Reason == IncrementalStepRunReason.Cached);
        Facts["C# edit: tracked steps"] = string.Join("; ", stepReasons);
        Facts["C# edit: every step cached"] = allCached ? "yes" : "no";
        CSharpEditAllCached = allCached;

        // One-type schema edit: which files change?
        var before = Sources(_warmSample);
        var afterDriver = _warmSample.ReplaceAdditionalText(_sampleText, _sampleTextEdited).RunGenerators(_compilation);
        var after = Sources(afterDriver);
        var changed = after.Where(p => !before.TryGetValue(p.Key, out var old) || old != p.Value).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        var reEmitted = Result(afterDriver).TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs)
            .Count(o => o.Reason is IncrementalStepRunReason.New or IncrementalStepRunReason.Modified);
        Facts["one-type edit: changed files"] = string.Join(", ", changed);
        Facts["one-type edit: re-emitted outputs (New/Modified)"] = reEmitted.ToString(System.Globalization.CultureInfo.InvariantCulture);
        OneTypeEditChangedFiles = changed.Count;
        OneTypeEditReEmitted = reEmitted;
    }

    public static bool CSharpEditAllCached { get; private set; }
    public static int OneTypeEditChangedFiles { get; private set; } = -1;
    public static int OneTypeEditReEmitted { get; private set; } = -1;

    [Benchmark(Baseline = true, Description = "cold: sample.types.json (37 types)")]
    public GeneratorDriver ColdSample() => Driver(_sampleText).RunGenerators(_compilation);

    [Benchmark(Description = "cold: synthetic 300 types x 150 fields")]
    public GeneratorDriver ColdSynthetic() => Driver(_syntheticText).RunGenerators(_compilation);

    [Benchmark(Description = "incremental: unrelated C# edit")]
    public GeneratorDriver IncrementalCSharpEdit() => _warmSample.RunGenerators(_edited);

    [Benchmark(Description = "incremental: one-type schema edit")]
    public GeneratorDriver IncrementalOneTypeEdit() => _warmSample.ReplaceAdditionalText(_sampleText, _sampleTextEdited).RunGenerators(_compilation);

    private static GeneratorDriver Driver(AdditionalText text) => CSharpGeneratorDriver.Create(
        [new WorkbooksGenerator().AsSourceGenerator()],
        [text],
        ParseOptions,
        new OptionsProvider(text.Path),
        new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static GeneratorRunResult Result(GeneratorDriver driver) => driver.GetRunResult().Results.Single();

    private static Dictionary<string, string> Sources(GeneratorDriver driver) =>
        Result(driver).GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);

    /// <summary>A synthetic snapshot: <paramref name="types"/> copies of the sample's Person type, each with
    /// <paramref name="fields"/> fields (Person's fields cycled, renamed past the first round) and associations
    /// pointing at other synthetic types.</summary>
    public static string SyntheticSchema(string sample, int types, int fields)
    {
        var root = JsonNode.Parse(sample)!;
        var person = root["data"]!.AsArray().First(t => (string?)t!["class_name"] == "Private::Crm::Person")!;
        var templateFields = person["fields"]!.AsArray().ToArray();
        var data = new JsonArray();
        for (var i = 0; i < types; i++)
        {
            var type = person.DeepClone().AsObject();
            var cls = $"Private::Synthetic::Thing{i:D3}";
            type["class_name"] = cls;
            type["base_class_name"] = cls;
            type["controller_path"] = $"synthetic/thing{i:D3}s";
            type["human_class_name"] = $"Thing {i:D3}";
            type["human_class_name_plural"] = $"Things {i:D3}";
            type["help_url"] = $"https://www.workbooks.com/help/api/thing{i:D3}";
            var list = new JsonArray();
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var k = 0; k < fields; k++)
            {
                var f = templateFields[k % templateFields.Length]!.DeepClone().AsObject();
                if (k >= templateFields.Length)
                {
                    var name = (string)f["name"]!;
                    var open = name.IndexOf('[', StringComparison.Ordinal);
                    var suffix = $"_x{k / templateFields.Length}";
                    f["name"] = open < 0 ? name + suffix : name[..open] + suffix + name[open..];
                    f["title"] = (string?)f["title"] + $" {k / templateFields.Length}";
                }
                if (names.Add((string)f["name"]!)) list.Add(f);
            }
            type["fields"] = list;
            foreach (var association in type["associations"]!.AsArray())
                association!["class_names"] = new JsonArray($"Private::Synthetic::Thing{(i + 1) % types:D3}");
            data.Add(type);
        }
        root["data"] = data;
        root["total"] = types;
        return root.ToJsonString();
    }

    private sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text, Encoding.UTF8);
        public override string Path { get; } = path;
        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class OptionsProvider(string schemaPath) : AnalyzerConfigOptionsProvider
    {
        private static readonly Options Empty = new(ImmutableDictionary<string, string>.Empty);
        private readonly Options _schema = new(ImmutableDictionary<string, string>.Empty
            .Add("build_metadata.AdditionalFiles.WorkbooksSchema", "true")
            .Add("build_metadata.AdditionalFiles.WorkbooksNamespace", "Sample.Crm")
            .Add("build_metadata.AdditionalFiles.WorkbooksClientName", "SampleCrm"));

        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(ImmutableDictionary<string, string>.Empty.Add("build_property.RootNamespace", "Consumer.App"));
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => textFile.Path == schemaPath ? _schema : Empty;

        private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}
