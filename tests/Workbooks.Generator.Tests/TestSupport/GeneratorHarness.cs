using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Workbooks.Generator;
using Workbooks.Tests.Shared;

namespace Workbooks.Generator.Tests.TestSupport;

/// <summary>An additional file held in memory.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text, Encoding.UTF8);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

/// <summary>Per-file metadata as MSBuild would surface it (build_metadata.AdditionalFiles.*).</summary>
internal sealed class TestOptionsProvider(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> perFile, IReadOnlyDictionary<string, string> global)
    : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions { get; } = new TestOptions(global);

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => TestOptions.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
        perFile.TryGetValue(textFile.Path, out var options) ? new TestOptions(options) : TestOptions.Empty;

    private sealed class TestOptions(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public static readonly TestOptions Empty = new(new Dictionary<string, string>());

        public override bool TryGetValue(string key, out string value)
        {
            if (values.TryGetValue(key, out var found))
            {
                value = found;
                return true;
            }
            value = null!;
            return false;
        }
    }
}

/// <summary>A schema file and the metadata of its WorkbooksSchema item.</summary>
internal sealed record SchemaFile(string Path, string Text, string? Namespace = "Sample.Crm", string? ClientName = null, string? IncludeTypes = null, string? ExcludeTypes = null)
{
    public IReadOnlyDictionary<string, string> Metadata()
    {
        var metadata = new Dictionary<string, string> { ["build_metadata.AdditionalFiles.WorkbooksSchema"] = "true" };
        void Add(string name, string? value)
        {
            if (value is not null)
                metadata["build_metadata.AdditionalFiles." + name] = value;
        }
        Add("WorkbooksNamespace", Namespace);
        Add("WorkbooksClientName", ClientName);
        Add("WorkbooksIncludeTypes", IncludeTypes);
        Add("WorkbooksExcludeTypes", ExcludeTypes);
        return metadata;
    }
}

internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    public static string RepoRoot() => RepositoryPaths.Root;

    public static string ProjectDirectory() => RepositoryPaths.Combine("tests", "Workbooks.Generator.Tests");

    public static string ReadSchema(string fileName) => File.ReadAllText(Path.Combine(RepoRoot(), "schema", fileName));

    public static TestOptionsProvider Options(params SchemaFile[] files) => new(
        files.ToDictionary(f => f.Path, f => f.Metadata()),
        new Dictionary<string, string> { ["build_property.RootNamespace"] = "Consumer.App" });

    public static CSharpCompilation Compilation(params string[] sources) => CSharpCompilation.Create(
        "Consumer",
        sources.Select(s => CSharpSyntaxTree.ParseText(s, ParseOptions)),
        References.Value,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        // The test host's trusted assemblies: the framework, Workbooks.Runtime and its dependencies.
        return [.. trusted.Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    public static GeneratorDriver CreateDriver(params SchemaFile[] files) =>
        CreateDriver(files.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)), Options(files));

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> texts, TestOptionsProvider options) =>
        CSharpGeneratorDriver.Create(
            [new WorkbooksGenerator().AsSourceGenerator()],
            texts,
            ParseOptions,
            options,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once over a tiny consumer compilation.</summary>
    public static (GeneratorDriver Driver, Compilation Output, ImmutableArray<Diagnostic> Diagnostics) Run(params SchemaFile[] files)
    {
        var driver = CreateDriver(files).RunGeneratorsAndUpdateCompilation(Compilation("namespace Consumer.App; internal static class Marker { }"), out var output, out var diagnostics);
        return (driver, output, diagnostics);
    }

    public static GeneratorRunResult Result(GeneratorDriver driver) => driver.GetRunResult().Results.Single();
}
