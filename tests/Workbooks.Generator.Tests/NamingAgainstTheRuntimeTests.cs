using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Workbooks.Generator.Tests.TestSupport;

namespace Workbooks.Generator.Tests;

/// <summary>Generated names never collide with the runtime's, and a schema file that cannot be read says so.</summary>
public sealed class NamingAgainstTheRuntimeTests
{
    /// <summary>An additional file that exists as an item but cannot be read (a misspelt Include).</summary>
    private sealed class UnreadableAdditionalText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText? GetText(CancellationToken cancellationToken = default) => null;
    }

    [Fact]
    public void EveryPublicTypeOfTheRuntimeIsAReservedName()
    {
        var runtime = typeof(Workbooks.WorkbooksSession).Assembly;
        var names = runtime.GetExportedTypes().Where(t => !t.IsNested).Select(t => t.Name.Split('`')[0]).Distinct().Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(names, WorkbooksGenerator.Parser.RuntimeTypeNames.Order(StringComparer.Ordinal)); // none missing, none stale
    }

    [Fact]
    public void ARecordTypeNamedLikeARuntimeTypeGetsItsModulePrefix()
    {
        const string schema = """
            [
              { "class_name": "Private::PicklistEntry", "controller_path": "picklist_entries", "human_class_name_plural": "Picklist Entries",
                "fields": [ { "name": "value", "datatype": "string", "is_filterable": true } ] }
            ]
            """;
        var (_, output, diagnostics) = GeneratorHarness.Run(new SchemaFile("/project/schema/names.types.json", schema, Namespace: "Acme.Crm", ClientName: "AcmeCrm"));

        Assert.DoesNotContain(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        var types = output.SyntaxTrees.SelectMany(t => t.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>()).Select(c => c.Identifier.Text).ToArray();
        Assert.Contains("PrivatePicklistEntry", types);
        Assert.DoesNotContain("PicklistEntry", types);

        // The consumer's everyday usings compile together.
        var consumer = output.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("""
            using Workbooks;
            using Acme.Crm;
            namespace Consumer.App;
            internal static class Use
            {
                public static string? Value(PrivatePicklistEntry entry) => entry.Value;
                public static long Id(PicklistEntry entry) => entry.Id;
            }
            """, GeneratorHarness.ParseOptions));
        Assert.Empty(consumer.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void AMissingSchemaFileHasADiagnosticOfItsOwn()
    {
        const string path = "/project/schema/misspelt.types.json";
        var file = new SchemaFile(path, "");
        var driver = GeneratorHarness.CreateDriver([new UnreadableAdditionalText(path)], GeneratorHarness.Options(file))
            .RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compilation("namespace Consumer.App; internal static class Marker { }"), out _, out var diagnostics);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("WBG0009", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(path, diagnostic.Location.GetLineSpan().Path);
        Assert.Equal($"The schema file '{path}' was not found or could not be read: check the Include path of its WorkbooksSchema item (relative to the project file)",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(GeneratorHarness.Result(driver).GeneratedSources);
    }
}
