using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Workbooks.Generator.Analyzers;
using Workbooks.Generator.Tests.TestSupport;

namespace Workbooks.Generator.Tests;

/// <summary>
/// Query lambdas as a user writes them against the client generated from <c>schema/sample.types.json</c>: the generator
/// runs first, then the compiler and <see cref="FilterUsageAnalyzer"/> over the result.
/// </summary>
public sealed class FilterUsageAnalyzerTests
{
    private const string SchemaPath = "/project/schema/sample.types.json";
    private const string UserPath = "/project/Queries.cs";

    private const string TextOperators = "==, !=, StartsWith, DoesNotStartWith, Contains, DoesNotContain, In, IsBlank and IsNotBlank";
    private const string NotFilterableTail = "Filter on another field, or read the records and filter them on the client after AsAsyncEnumerable().";

    // The generated client, compiled once per documentation mode; each test adds its own user file.
    private static readonly Lazy<Compilation> s_generated = new(() => Generate(DocumentationMode.Diagnose));

    private static Compilation Generate(DocumentationMode mode)
    {
        var parseOptions = GeneratorHarness.ParseOptions.WithDocumentationMode(mode);
        var schema = new SchemaFile(SchemaPath, GeneratorHarness.ReadSchema("sample.types.json"));
        var driver = CSharpGeneratorDriver.Create(
            [new WorkbooksGenerator().AsSourceGenerator()],
            [new InMemoryAdditionalText(schema.Path, schema.Text)],
            parseOptions,
            GeneratorHarness.Options(schema));
        driver.RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compilation(), out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        Assert.NotEmpty(output.SyntaxTrees);
        return output;
    }

    /// <summary>A user file with <paramref name="body"/> as the body of <c>Query(SampleCrm crm, DateTimeOffset since)</c>.</summary>
    internal static string UserCode(string body) => $$"""
        using System;
        using System.Linq;
        using Sample.Crm;
        using Workbooks.Filters;

        namespace Consumer.App;

        internal static class Queries
        {
            public static object Query(SampleCrm crm, DateTimeOffset since)
            {
                {{body}}
            }
        }
        """;

    internal static async Task<ImmutableArray<Diagnostic>> DiagnoseAsync(string source, Compilation? generated = null)
    {
        generated ??= s_generated.Value;
        var parseOptions = (CSharpParseOptions)generated.SyntaxTrees.First().Options;
        var compilation = generated.AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, parseOptions, UserPath));
        var withAnalyzer = compilation.WithAnalyzers([new FilterUsageAnalyzer(), new ProjectionAnalyzer()]); // both, as a build runs them
        // Compiler and analyzer diagnostics together, as a build shows them. Hidden ones (unused usings) are IDE hints.
        var diagnostics = await withAnalyzer.GetAllDiagnosticsAsync();
        return [.. diagnostics.Where(d => d.Severity != DiagnosticSeverity.Hidden)];
    }

    /// <summary>The 0-based line span of the one occurrence of <paramref name="member"/> after a dot.</summary>
    private static LinePositionSpan SpanOf(string source, string member)
    {
        var text = SourceText.From(source);
        var index = source.IndexOf("." + member, StringComparison.Ordinal);
        Assert.True(index >= 0 && source.IndexOf("." + member, index + 1, StringComparison.Ordinal) < 0, $"'.{member}' must occur once");
        return text.Lines.GetLinePositionSpan(new TextSpan(index + 1, member.Length));
    }

    /// <summary>
    /// Body, member, the compiler's error (with <c>using System</c> and <c>System.Linq</c> in scope, as implicit usings
    /// have them, several lookups find an extension method that does not apply), our id, our message.
    /// </summary>
    public static TheoryData<string, string, string, string, string> Mistakes => new()
    {
        {
            """return crm.People.Where(p => p.PersonLastName.EndsWith("son"));""",
            "EndsWith", "CS1929", "WBG0201",
            "'EndsWith' is not a filter operator of the text field 'PersonLastName': the Workbooks service can filter text with "
            + TextOperators + ". To match an ending, filter with Contains on the service and finish with AsAsyncEnumerable() on the client."
        },
        {
            """return crm.People.Where(p => p.Biography.Contains("poet"));""",
            "Biography", "CS1061", "WBG0202",
            "'Biography' cannot be filtered: the schema marks the field 'biography' as not filterable (Person.Biography can be read but not used in Where or OrderBy). "
            + NotFilterableTail
        },
        {
            """return crm.People.Where(p => p.CfPersonScore.StartsWith("9"));""",
            "StartsWith", "CS1929", "WBG0201",
            "'StartsWith' is not a filter operator of the number field 'CfPersonScore': the Workbooks service can filter numbers with "
            + "==, !=, <, <=, >, >=, In, IsBlank and IsNotBlank. StartsWith matches text, which a number field does not hold: compare its value with those operators instead."
        },
        {
            """return crm.People.Where(p => p.PersonLastName.ToLower() == "smith");""",
            "ToLower", "CS7036", "WBG0201",
            "'ToLower' is not a filter operator of the text field 'PersonLastName': the Workbooks service can filter text with " + TextOperators
            + ". A filter compares the value stored on the service and cannot transform it first: compare with ==, StartsWith or Contains directly"
            + " (the Workbooks API guide does not say whether they ignore case)."
        },
        {
            """return crm.People.Where(p => p.PersonLastName.Equals("Smith", StringComparison.OrdinalIgnoreCase));""",
            "Equals", "CS0176", "WBG0201",
            "'Equals' is not a filter operator of the text field 'PersonLastName': the Workbooks service can filter text with " + TextOperators
            + ". Compare with == (the service's eq), which takes no StringComparison; the Workbooks API guide does not say whether eq ignores case."
        },
        {
            """return crm.People.Where(p => p.Tags.Contains("vip"));""",
            "Tags", "CS1061", "WBG0202",
            "'Tags' cannot be filtered: the field 'tags' has the datatype 'tag_array', for which the Workbooks API documents no filter operators"
            + " (Person.Tags can be read but not used in Where or OrderBy). " + NotFilterableTail
        },
        {
            """return crm.People.Where(p => p.QueueEntry.UpdatedAt.IsBlank());""",
            "QueueEntry", "CS1061", "WBG0202",
            "'QueueEntry' cannot be filtered: none of the related attributes 'queue_entry[…]' can be filtered"
            + " (Person.QueueEntry can be read but not used in Where or OrderBy). " + NotFilterableTail
        },
        {
            """return crm.People.Where(p => p.Employer.Biography.IsNotBlank());""",
            "Biography", "CS1061", "WBG0202",
            "'Biography' cannot be filtered: the schema marks the field 'biography' as not filterable (Organisation.Biography can be read but not used in Where or OrderBy). "
            + NotFilterableTail
        },
        {
            """return crm.People.Where(p => p.CreatedAt.Year == 2024);""",
            "Year", "CS1061", "WBG0201",
            "'Year' is not a filter operator of the date-time field 'CreatedAt': the Workbooks service can filter date-times with "
            + "==, !=, <, <=, >, >=, At, On, Before, After, OnOrBefore, OnOrAfter, NotAt, IsToday, BeforeToday, AfterToday, OnOrBeforeToday, OnOrAfterToday, IsBlank and IsNotBlank."
            + " A filter cannot compare part of a value: write a range, e.g. p.CreatedAt >= start && p.CreatedAt < end."
        },
        {
            """return crm.People.OrderBy(p => p.Biography);""",
            "Biography", "CS1061", "WBG0202",
            "'Biography' cannot be filtered: the schema marks the field 'biography' as not filterable (Person.Biography can be read but not used in Where or OrderBy). "
            + NotFilterableTail
        },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task CommonMistakeGetsTheCompilerErrorAndAnExplanation(string body, string member, string compilerId, string id, string message)
    {
        var source = UserCode(body);
        var diagnostics = await DiagnoseAsync(source);
        var span = SpanOf(source, member);

        // The compiler's error is on the same line, but not always on the member: CS1929 (the best extension method,
        // e.g. MemoryExtensions.EndsWith, wants another receiver) marks the receiver, CS0176 the whole access.
        var compiler = Assert.Single(diagnostics, d => d.Id == compilerId);
        Assert.Equal(DiagnosticSeverity.Error, compiler.Severity);
        Assert.Equal(span.Start.Line, compiler.Location.GetLineSpan().StartLinePosition.Line);

        var ours = Assert.Single(diagnostics, d => d.Id.StartsWith("WBG", StringComparison.Ordinal));
        Assert.Equal(id, ours.Id);
        Assert.Equal(DiagnosticSeverity.Error, ours.Severity);
        Assert.Equal(UserPath, ours.Location.GetLineSpan().Path);
        Assert.Equal(span, ours.Location.GetLineSpan().Span);
        Assert.Equal(message, ours.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task EqualsThatCompilesIsStillReportedBecauseItIsAlwaysFalse()
    {
        // object.Equals(string) binds, so the compiler only objects to the bool where a filter is expected.
        var source = UserCode("""return crm.People.Where(p => p.PersonLastName.Equals("Smith"));""");
        var diagnostics = await DiagnoseAsync(source);

        var ours = Assert.Single(diagnostics, d => d.Id == "WBG0201");
        Assert.Equal(SpanOf(source, "Equals"), ours.Location.GetLineSpan().Span);
        Assert.StartsWith("'Equals' is not a filter operator of the text field 'PersonLastName'", ours.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains(diagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("CS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CorrectFiltersProduceNoDiagnostics()
    {
        var source = UserCode("""
            var a = crm.People.Where(p => p.CreatedAt >= since);
                    var b = crm.People.Where(p => p.Watched == true);
                    var c = crm.People.Where(p => p.PersonLastName.StartsWith("G") && !p.MainLocation.Email.IsBlank());
                    var d = crm.People.Where(p => p.Employer.Name.Contains("Apex") || p.CfPersonScore.In(1, 2)).OrderBy(p => p.PersonLastName);
                    var e = crm.People.Where(p => p.CfPersonLastReviewDate.OnOrAfter(DateOnly.FromDateTime(since.UtcDateTime)) & p.NoEmailSoliciting.IsFalse());
                    var sameField = PersonFields.Root.PersonLastName.Equals(PersonFields.Root.PersonLastName);
                    return (a, b, c, d, e, sameField, new[] { 1, 2 }.Contains(1));
            """);

        Assert.Empty(await DiagnoseAsync(source));
    }

    [Fact]
    public async Task MissingMembersOfOtherTypesAreLeftToTheCompiler()
    {
        // A plain string and a hand-written *Fields class: the compiler's CS1061 stands alone.
        const string source = """
            namespace Consumer.App;

            internal sealed class NotesFields
            {
                public string Title => "";

                public object Query() => ("text".EndsWithSomething("t"), new NotesFields().Biography);
            }
            """;

        var diagnostics = await DiagnoseAsync(source);
        Assert.Equal(["CS1061", "CS1061"], diagnostics.Select(d => d.Id));
    }

    [Fact]
    public async Task WithoutParsedDocCommentsTheWireNameIsReadFromTheGeneratedComment()
    {
        // A build without GenerateDocumentationFile parses doc comments as plain trivia (DocumentationMode.None).
        var generated = Generate(DocumentationMode.None);
        var source = UserCode("""return crm.People.Where(p => p.Biography.Contains("poet"));""");

        var ours = Assert.Single(await DiagnoseAsync(source, generated), d => d.Id == "WBG0202");
        Assert.Contains("the schema marks the field 'biography' as not filterable", ours.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void AnalyzerDescribesItsDiagnostics()
    {
        var descriptors = new FilterUsageAnalyzer().SupportedDiagnostics;
        Assert.Equal(["WBG0201", "WBG0202"], descriptors.Select(d => d.Id));
        Assert.All(descriptors, d => Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity));
        Assert.All(descriptors, d => Assert.True(d.IsEnabledByDefault));
    }
}
