using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Workbooks.Generator.Model;
using Workbooks.Generator.Tests.TestSupport;

namespace Workbooks.Generator.Tests;

public sealed class IncrementalTests
{
    private const string SchemaPath = "/project/schema/sample.types.json";

    private static readonly string[] AllTrackingNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static | BindingFlags.NonPublic)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    private static readonly string Sample = GeneratorHarness.ReadSchema("sample.types.json");

    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun(string text)
    {
        var compilation = GeneratorHarness.Compilation("namespace Consumer.App; internal static class Marker { }");
        var file = new SchemaFile(SchemaPath, text);
        s_current = new InMemoryAdditionalText(SchemaPath, text);
        var driver = GeneratorHarness.CreateDriver([s_current], GeneratorHarness.Options(file));
        return (driver.RunGenerators(compilation), compilation);
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);

    private static Dictionary<string, string> Sources(GeneratorDriver driver) =>
        GeneratorHarness.Result(driver).GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);

    [Fact]
    public void EditingUnrelatedCSharpFileKeepsAllStepsCached()
    {
        var (driver, compilation) = FirstRun(Sample);
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Consumer.App; internal sealed class Other { }", GeneratorHarness.ParseOptions));
        var result = GeneratorHarness.Result(driver.RunGenerators(edited));

        Assert.Equal(AllTrackingNames.Order(StringComparer.Ordinal), result.TrackedSteps.Keys.Where(AllTrackingNames.Contains).Order(StringComparer.Ordinal));
        foreach (var step in AllTrackingNames)
            Assert.All(Reasons(result, step), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void ReformattingTheSchemaReEmitsNothing()
    {
        var (driver, compilation) = FirstRun(Sample);
        var reformatted = Sample.Replace("\n", "\n    ", StringComparison.Ordinal);
        var result = GeneratorHarness.Result(Replace(driver, reformatted).RunGenerators(compilation));

        Assert.All(Reasons(result, TrackingNames.SchemaInputs), reason => Assert.Equal(IncrementalStepRunReason.Modified, reason));
        // The parse result has no positions, so it compares equal and everything after it is cached.
        Assert.All(Reasons(result, TrackingNames.ParsedSchemas), reason => Assert.Equal(IncrementalStepRunReason.Unchanged, reason));
        Assert.All(Reasons(result, TrackingNames.RecordTypes), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.All(Reasons(result, TrackingNames.Clients), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void ChangingOneRecordTypeReEmitsOnlyThatTypesFile()
    {
        var (driver, compilation) = FirstRun(Sample);
        var before = Sources(driver);
        var changed = Sample.Replace("\"title\": \"LinkedIn Profile\"", "\"title\": \"LinkedIn\"", StringComparison.Ordinal);
        driver = Replace(driver, changed).RunGenerators(compilation);
        var result = GeneratorHarness.Result(driver);

        var modified = result.TrackedSteps[TrackingNames.RecordTypes].SelectMany(s => s.Outputs)
            .Where(o => o.Reason != IncrementalStepRunReason.Unchanged && o.Reason != IncrementalStepRunReason.Cached)
            .Select(o => ((RecordTypeSpec)o.Value).ClassName);
        Assert.Equal(["Person"], modified);
        Assert.All(Reasons(result, TrackingNames.Clients), reason => Assert.Equal(IncrementalStepRunReason.Unchanged, reason));
        var after = Sources(driver);
        Assert.Equal(["Sample.Crm.SampleCrm.Person.g.cs"], after.Where(p => before[p.Key] != p.Value).Select(p => p.Key));
    }

    [Fact]
    public void SwitchingToV2ChangesExactlyTheAffectedFiles()
    {
        var (driver, compilation) = FirstRun(Sample);
        var before = Sources(driver);
        driver = Replace(driver, GeneratorHarness.ReadSchema("sample-v2.types.json")).RunGenerators(compilation);
        var after = Sources(driver);

        var changed = after.Where(p => !before.TryGetValue(p.Key, out var old) || old != p.Value).Select(p => p.Key).Order(StringComparer.Ordinal);
        Assert.Equal(["Sample.Crm.SampleCrm.Organisation.g.cs", "Sample.Crm.SampleCrm.Person.g.cs", "Sample.Crm.SampleCrm.Territory.g.cs", "Sample.Crm.SampleCrm.g.cs"], changed);
        Assert.Empty(before.Keys.Except(after.Keys));
        Assert.Contains("public decimal? CfPersonScore", after["Sample.Crm.SampleCrm.Person.g.cs"], StringComparison.Ordinal);
        Assert.Contains("CfPersonLoyaltyTier", after["Sample.Crm.SampleCrm.Person.g.cs"], StringComparison.Ordinal);
        Assert.DoesNotContain("CfOrganisationLegacyCode", after["Sample.Crm.SampleCrm.Organisation.g.cs"], StringComparison.Ordinal);
    }

    [Fact]
    public void ParsingIsStructurallyEqualForSameAndEquivalentInputAndDifferentOtherwise()
    {
        var options = new SchemaOptions("Sample.Crm", "SampleCrm", default, default);
        var first = WorkbooksGenerator.Parser.Parse(new SchemaInput(SchemaPath, Sample, options), CancellationToken.None);
        var same = WorkbooksGenerator.Parser.Parse(new SchemaInput(SchemaPath, Sample, options), CancellationToken.None);
        var equivalent = WorkbooksGenerator.Parser.Parse(new SchemaInput(SchemaPath, Sample.Replace("\n", "\n  ", StringComparison.Ordinal), options), CancellationToken.None);
        var different = WorkbooksGenerator.Parser.Parse(new SchemaInput(SchemaPath, GeneratorHarness.ReadSchema("sample-v2.types.json"), options), CancellationToken.None);

        Assert.Equal(first, same);
        Assert.Equal(first.GetHashCode(), same.GetHashCode());
        Assert.Equal(first.Schema, equivalent.Schema);
        Assert.NotEqual(first.Schema, different.Schema);
        Assert.Equal(52, first.Schema.Types.Count);
        Assert.Equal(53, different.Schema.Types.Count);
    }

    [Fact]
    public void TrackedModelsHoldNoSymbolsSyntaxCompilationOrLocations()
    {
        var (driver, compilation) = FirstRun(Sample);
        var result = GeneratorHarness.Result(driver);
        var banned = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(Compilation), typeof(Location), typeof(AdditionalText), typeof(SemanticModel) };
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var step in AllTrackingNames)
        {
            foreach (var output in result.TrackedSteps[step].SelectMany(s => s.Outputs))
                Walk(output.Value, banned, visited, step);
        }
        Assert.NotEmpty(visited);
        _ = compilation;
    }

    private static void Walk(object? value, Type[] banned, HashSet<object> visited, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
            return;
        var type = value.GetType();
        Assert.False(banned.Any(b => b.IsAssignableFrom(type)), $"{path} holds a {type}");
        if (!type.IsValueType && !visited.Add(value))
            return;
        if (value is IEnumerable items)
        {
            foreach (var item in items)
                Walk(item, banned, visited, path + "[]");
            return;
        }
        // Descriptors are static singletons; their localizable strings are not model data.
        if (value is DiagnosticDescriptor || value is TextSpan || value is LinePositionSpan)
            return;
        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            Walk(field.GetValue(value), banned, visited, path + "." + field.Name);
    }

    // xunit runs the tests of one class one after another, so one "current text" slot is enough.
    private static AdditionalText s_current = null!;

    private static GeneratorDriver Replace(GeneratorDriver driver, string text)
    {
        var replacement = new InMemoryAdditionalText(SchemaPath, text);
        driver = driver.ReplaceAdditionalText(s_current, replacement);
        s_current = replacement;
        return driver;
    }
}
