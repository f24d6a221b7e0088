using Microsoft.CodeAnalysis;
using Workbooks.Generator.Tests.TestSupport;

namespace Workbooks.Generator.Tests;

public sealed class GoldenTests
{
    // Exercises the generated surface the way DESIGN.md's quick start does; compiled with the output, not baselined.
    private const string SampleUsage = """
        using Sample.Crm;

        namespace Consumer.App;

        internal static class Usage
        {
            public static async System.Threading.Tasks.Task RunAsync(SampleCrm crm, Person existing)
            {
                await foreach (var p in crm.People
                    .Where(p => p.PersonLastName.StartsWith("Go")
                             && (p.MainLocation.Email.StartsWith("an") || p.Refcode.Contains("g"))
                             && !(p.Employer.Name == "Acme") && p.CfPersonScore >= 3 && p.UpdatedAt.BeforeToday())
                    .OrderBy(p => p.PersonLastName).ThenByDescending(p => p.Id)
                    .Take(500))
                {
                    _ = $"{p.Id} {p.Name} {p.MainLocation.Email} {p.UpdatedAt}";
                }
                var batch = crm.People.Changes();
                _ = batch.Create(new Person { Name = "Ada Lovelace", PersonFirstName = "Ada", MainLocation = { Email = "ada@example.com" } });
                existing.PersonJobTitle = "CTO";
                _ = batch.Update(existing);
                await batch.SubmitAsync();
                _ = await crm.Organisations.Where(o => o.Name.In("A", "B")).CountAsync();
            }
        }
        """;

    [Fact]
    public void SampleSchemaWithIncludedTypesMatchesBaselines()
    {
        var schema = new SchemaFile("/project/schema/sample.types.json", GeneratorHarness.ReadSchema("sample.types.json"),
            IncludeTypes: "Person;Organisation;Private::Activity::Task;Quotations;Vehicle");
        AssertGolden(nameof(SampleSchemaWithIncludedTypesMatchesBaselines), schema, SampleUsage);
    }

    [Fact]
    public void EdgeCaseSchemaMatchesBaselines()
    {
        var schema = new SchemaFile("/project/schema/edge.types.json", EdgeSchema.Text, Namespace: "Edge.Cases", ClientName: "EdgeClient");
        var (_, _, diagnostics) = GeneratorHarness.Run(schema);
        // The edge schema is built to trigger the warnings; their details are asserted in DiagnosticTests.
        Assert.Equal(["WBG0004", "WBG0005", "WBG0006", "WBG0006", "WBG0006", "WBG0006"], diagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));
        AssertGolden(nameof(EdgeCaseSchemaMatchesBaselines), schema, EdgeSchema.Usage);
    }

    [Fact]
    public void FullSampleSchemaCompilesWithoutDiagnostics()
    {
        var schema = new SchemaFile("/project/schema/sample.types.json", GeneratorHarness.ReadSchema("sample.types.json"));
        var (driver, output, diagnostics) = GeneratorHarness.Run(schema);
        Assert.Empty(diagnostics);
        Assert.Equal(53, GeneratorHarness.Result(driver).GeneratedSources.Length);
        AssertCompiles(output);
    }

    [Fact]
    public void SampleV2SchemaCompilesWithoutDiagnostics()
    {
        var schema = new SchemaFile("/project/schema/sample-v2.types.json", GeneratorHarness.ReadSchema("sample-v2.types.json"));
        var (driver, output, diagnostics) = GeneratorHarness.Run(schema);
        Assert.Empty(diagnostics);
        Assert.Contains(GeneratorHarness.Result(driver).GeneratedSources, s => s.HintName == "Sample.Crm.SampleV2Crm.Territory.g.cs");
        AssertCompiles(output);
    }

    [Fact]
    public void TwoSchemasWithTheSameClientNameInDifferentNamespacesBothGenerate()
    {
        var crm = new SchemaFile("/project/schema/sample.types.json", GeneratorHarness.ReadSchema("sample.types.json"), "Acme.Live", "AcmeCrm", IncludeTypes: "Person");
        var sandbox = new SchemaFile("/project/schema/sample-v2.types.json", GeneratorHarness.ReadSchema("sample-v2.types.json"), "Acme.Sandbox", "AcmeCrm", IncludeTypes: "Person");
        var (driver, output, diagnostics) = GeneratorHarness.Run(crm, sandbox);
        Assert.Empty(diagnostics);
        Assert.Equal(["Acme.Live.AcmeCrm.Person.g.cs", "Acme.Live.AcmeCrm.g.cs", "Acme.Sandbox.AcmeCrm.Person.g.cs", "Acme.Sandbox.AcmeCrm.g.cs"],
            GeneratorHarness.Result(driver).GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
        AssertCompiles(output);
    }

    [Fact]
    public void ChangeBuildersCannotSetWhatTheSchemaForbidsAtCompileTime()
    {
        var schema = new SchemaFile("/project/schema/sample.types.json", GeneratorHarness.ReadSchema("sample.types.json"), IncludeTypes: "Person");
        var (_, output, _) = GeneratorHarness.Run(schema);
        const string usage = """
            namespace Consumer.App;
            internal static class Misuse
            {
                public static void Run(global::Sample.Crm.Person read)
                {
                    var created = new global::Sample.Crm.Person { Refcode = "P-1", Name = "n" }; // create-only: allowed in the initializer
                    read.Name = "renamed";                                                    // updateable: allowed
                    read.Refcode = "P-2";                                                     // create-only: CS8852
                    read.CreatedAt = default;                                                 // read-only: CS0200
                }
            }
            """;
        var errors = output.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(usage, GeneratorHarness.ParseOptions))
            .GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.Equal(["CS8852", "CS0200"], errors.OrderBy(e => e.Location.SourceSpan.Start).Select(e => e.Id));
        Assert.All(errors, e => Assert.Contains(e.Id == "CS8852" ? "Refcode" : "CreatedAt", e.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    private static void AssertGolden(string testName, SchemaFile schema, string usage)
    {
        var (driver, output, _) = GeneratorHarness.Run(schema);
        var generated = GeneratorHarness.Result(driver).GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);
        Baselines.Assert(testName, generated);
        var withUsage = output.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(usage, GeneratorHarness.ParseOptions));
        AssertCompiles(withUsage);
    }

    private static void AssertCompiles(Compilation compilation)
    {
        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, "The generated code does not compile cleanly:\n" + string.Join("\n", problems.Take(30)));
    }
}
