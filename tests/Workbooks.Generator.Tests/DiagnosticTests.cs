using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Workbooks.Generator.Tests.TestSupport;

namespace Workbooks.Generator.Tests;

/// <summary>One test per descriptor: id, severity, file path, line span (0-based) and message.</summary>
public sealed class DiagnosticTests
{
    private const string Path = "/project/schema/bad.types.json";

    /// <summary>A one-type schema whose fields are given one per line (fields start on line 5).</summary>
    private static string TypeWithFields(params string[] fields) =>
        "[\n  {\n    \"class_name\": \"Private::Edge::Thing\",\n    \"controller_path\": \"edge/things\",\n    \"fields\": [\n"
        + string.Join(",\n", fields.Select(f => "      " + f))
        + "\n    ]\n  }\n]\n";

    private static Diagnostic Single(string json, string id, string? includeTypes = null)
    {
        var (_, _, diagnostics) = GeneratorHarness.Run(new SchemaFile(Path, json, IncludeTypes: includeTypes));
        return Assert.Single(diagnostics, d => d.Id == id);
    }

    private static void AssertDiagnostic(Diagnostic diagnostic, DiagnosticSeverity severity, string path, LinePositionSpan span, string message)
    {
        Assert.Equal(severity, diagnostic.Severity);
        var location = diagnostic.Location.GetLineSpan();
        Assert.Equal(path, location.Path);
        Assert.Equal(span, location.Span);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static LinePositionSpan Span(int line, int start, int end) => new(new LinePosition(line, start), new LinePosition(line, end));

    [Fact]
    public void MalformedJsonPointsAtTheProblem()
    {
        var diagnostic = Single("{\n  \"data\": [\n    {,\n  ]\n}\n", "WBG0001");
        AssertDiagnostic(diagnostic, DiagnosticSeverity.Error, Path, Span(2, 5, 6),
            "The schema file is not valid JSON: A property name in double quotes was expected");
    }

    [Fact]
    public void UnterminatedJsonPointsAtTheEnd()
    {
        var diagnostic = Single("{\n  \"data\": [", "WBG0001");
        AssertDiagnostic(diagnostic, DiagnosticSeverity.Error, Path, Span(1, 11, 11),
            "The schema file is not valid JSON: Unexpected end of file; a value was expected");
    }

    [Fact]
    public void DataThatIsNotAnArrayIsWrongShape()
    {
        var diagnostic = Single("{\n  \"data\": {}\n}\n", "WBG0002");
        AssertDiagnostic(diagnostic, DiagnosticSeverity.Error, Path, Span(1, 10, 11),
            "The schema file does not have the expected shape: 'data' is missing or not an array");
    }

    [Fact]
    public void FieldThatIsNotAnObjectIsWrongShape()
    {
        var diagnostic = Single(TypeWithFields("42"), "WBG0002");
        AssertDiagnostic(diagnostic, DiagnosticSeverity.Error, Path, Span(5, 6, 8),
            "The schema file does not have the expected shape: a field must be an object");
    }

    [Fact]
    public void RecordTypeWithoutClassNameIsSkipped()
    {
        var (driver, _, diagnostics) = GeneratorHarness.Run(new SchemaFile(Path, "[\n  { \"controller_path\": \"x\" }\n]\n"));
        AssertDiagnostic(Assert.Single(diagnostics), DiagnosticSeverity.Error, Path, Span(1, 2, 3),
            "A record type has no 'class_name' and is skipped");
        Assert.Equal(["Sample.Crm.BadCrm.g.cs"], GeneratorHarness.Result(driver).GeneratedSources.Select(s => s.HintName));
    }

    [Fact]
    public void RecordTypeWithoutControllerPathIsSkipped()
    {
        var diagnostic = Single("[\n  { \"class_name\": \"Private::X\" }\n]\n", "WBG0003");
        AssertDiagnostic(diagnostic, DiagnosticSeverity.Error, Path, Span(1, 2, 3),
            "A record type has no 'controller_path' and is skipped");
    }

    [Fact]
    public void UnknownDatatypeWarnsAtTheDatatype()
    {
        var diagnostic = Single(TypeWithFields("""{ "name": "x", "datatype": "hologram" }"""), "WBG0004");
        AssertDiagnostic(diagnostic, DiagnosticSeverity.Warning, Path, Span(5, 33, 43),
            "Field 'x' of 'Private::Edge::Thing' has the unknown datatype 'hologram'; it is exposed as a string");
    }

    [Fact]
    public void DuplicateFieldWarnsAtTheSecond()
    {
        var diagnostic = Single(TypeWithFields("""{ "name": "x", "datatype": "string" }""", """{ "name": "x", "datatype": "integer" }"""), "WBG0005");
        AssertDiagnostic(diagnostic, DiagnosticSeverity.Warning, Path, Span(6, 16, 19),
            "Field 'x' appears more than once in 'Private::Edge::Thing'; the first is kept");
    }

    [Fact]
    public void CollidingPropertyNamesAreRenamedAndReported()
    {
        var diagnostic = Single(TypeWithFields("""{ "name": "a_b", "datatype": "string" }""", """{ "name": "a-b", "datatype": "string" }"""), "WBG0006");
        // Ordinal order: "a-b" < "a_b", so "a-b" keeps AB and "a_b" (line 5) is renamed.
        AssertDiagnostic(diagnostic, DiagnosticSeverity.Warning, Path, Span(5, 16, 21),
            "'a_b' maps to the name 'AB' in Thing, which is already taken; it is named 'AB2'");
    }

    [Fact]
    public void EmptySchemaWarns()
    {
        var diagnostic = Single("{\n  \"data\": [],\n  \"total\": 0\n}\n", "WBG0007");
        AssertDiagnostic(diagnostic, DiagnosticSeverity.Warning, Path, Span(1, 10, 11), "The schema file contains no record types");
    }

    [Fact]
    public void IncludeEntryMatchingNothingWarns()
    {
        var diagnostic = Single(TypeWithFields("""{ "name": "x", "datatype": "string" }"""), "WBG0008", includeTypes: "Thing;Nope");
        AssertDiagnostic(diagnostic, DiagnosticSeverity.Warning, Path, Span(0, 0, 0),
            "IncludeTypes entry 'Nope' matches no record type in the schema");
    }

    [Fact]
    public void UnexpectedExceptionBecomesOneDiagnosticNotCS8785()
    {
        var input = new Model.SchemaInput(Path, "[]", new Model.SchemaOptions("Sample.Crm", "SampleCrm", default, default));
        var result = WorkbooksGenerator.ParseSafely(input, static (_, _) => throw new InvalidOperationException("boom\nsecond line"), CancellationToken.None);

        Assert.Null(result.Schema.Client);
        Assert.Empty(result.Schema.Types);
        var diagnostic = Assert.Single(result.Diagnostics).ToDiagnostic();
        Assert.Equal("WBG0099", diagnostic.Id);
        AssertDiagnostic(diagnostic, DiagnosticSeverity.Error, Path, Span(0, 0, 0),
            "The Workbooks generator failed unexpectedly: System.InvalidOperationException: boom second line");
    }

    [Fact]
    public void CancellationIsRethrownNotReported()
    {
        var input = new Model.SchemaInput(Path, "[]", new Model.SchemaOptions("Sample.Crm", "SampleCrm", default, default));
        Assert.Throws<OperationCanceledException>(() =>
            WorkbooksGenerator.ParseSafely(input, static (_, _) => throw new OperationCanceledException(), CancellationToken.None));
    }

    [Fact]
    public void DeeplyNestedFieldNameDoesNotCrash()
    {
        var name = string.Concat(Enumerable.Repeat("a[", 5000)) + "b" + new string(']', 5000);
        var (_, _, diagnostics) = GeneratorHarness.Run(new SchemaFile(Path, TypeWithFields("{ \"name\": \"" + name + "\", \"datatype\": \"string\" }")));
        Assert.Empty(diagnostics);
    }
}
