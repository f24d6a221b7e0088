using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Workbooks.Generator.Model;
using Workbooks.Generator.Tests.TestSupport;

namespace Workbooks.Generator.Tests;

/// <summary>Incrementality when only where a diagnostic points changes, not what is generated.</summary>
public sealed class IncrementalDiagnosticTests
{
    private const string SchemaPath = "/project/schema/moving.types.json";

    // WBG0004 (unknown datatype) is a warning: the type is still generated, with the field as a string.
    private const string Schema = """
        [
          {
            "class_name": "Private::Edge::Thing",
            "controller_path": "edge/things",
            "fields": [
              { "name": "title", "datatype": "string", "is_filterable": true },
              { "name": "x", "datatype": "hologram" }
            ]
          }
        ]

        """;

    private static LinePositionSpan SpanOfDatatype(string json)
    {
        var start = json.IndexOf("\"hologram\"", StringComparison.Ordinal);
        return SourceText.From(json).Lines.GetLinePositionSpan(new TextSpan(start, "\"hologram\"".Length));
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);

    /// <summary>The reasons of the source outputs fed by the tracked step <paramref name="input"/>.</summary>
    private static IEnumerable<IncrementalStepRunReason> OutputReasons(GeneratorRunResult result, string input) =>
        result.TrackedOutputSteps.SelectMany(s => s.Value)
            .Where(step => step.Inputs.Any(i => i.Source.Name == input))
            .SelectMany(step => step.Outputs)
            .Select(o => o.Reason);

    [Fact]
    public void MovingADiagnosticReportsItAtItsNewLineAndReEmitsNoSource()
    {
        var moved = Schema.Replace("      { \"name\": \"x\"", "\n\n\n      { \"name\": \"x\"", StringComparison.Ordinal);
        var before = SpanOfDatatype(Schema);
        var after = SpanOfDatatype(moved);
        Assert.Equal(before.Start.Line + 3, after.Start.Line);

        var compilation = GeneratorHarness.Compilation("namespace Consumer.App; internal static class Marker { }");
        var original = new InMemoryAdditionalText(SchemaPath, Schema);
        var driver = GeneratorHarness.CreateDriver([original], GeneratorHarness.Options(new SchemaFile(SchemaPath, Schema))).RunGenerators(compilation);
        var first = GeneratorHarness.Result(driver);
        var firstDiagnostic = Assert.Single(first.Diagnostics);
        Assert.Equal("WBG0004", firstDiagnostic.Id);
        Assert.Equal(before, firstDiagnostic.Location.GetLineSpan().Span);

        driver = driver.ReplaceAdditionalText(original, new InMemoryAdditionalText(SchemaPath, moved)).RunGenerators(compilation);
        var second = GeneratorHarness.Result(driver);

        // The diagnostic is reported where the problem now is, not at a location cached from the first run.
        var secondDiagnostic = Assert.Single(second.Diagnostics);
        Assert.Equal("WBG0004", secondDiagnostic.Id);
        Assert.Equal(SchemaPath, secondDiagnostic.Location.GetLineSpan().Path);
        Assert.Equal(after, secondDiagnostic.Location.GetLineSpan().Span);
        Assert.Equal(firstDiagnostic.GetMessage(), secondDiagnostic.GetMessage());

        // What holds, step by step:
        // - the text changed, so the input is Modified;
        // - the parse result is Modified too: it carries the diagnostics, and a DiagnosticInfo's span is part of its
        //   equality (it must be, or the moved diagnostic would be replayed at its old place);
        // - the models split from it hold no positions, so they compare equal to the last run's: Unchanged;
        // - the diagnostics are Modified (new span), so their output step runs again and reports the new location;
        // - the source outputs of the unchanged models are Cached: nothing is re-emitted.
        Assert.All(Reasons(second, TrackingNames.SchemaInputs), r => Assert.Equal(IncrementalStepRunReason.Modified, r));
        Assert.All(Reasons(second, TrackingNames.ParsedSchemas), r => Assert.Equal(IncrementalStepRunReason.Modified, r));
        Assert.Equal([IncrementalStepRunReason.Unchanged], Reasons(second, TrackingNames.RecordTypes));
        Assert.Equal(["Thing"], second.TrackedSteps[TrackingNames.RecordTypes].SelectMany(s => s.Outputs).Select(o => ((RecordTypeSpec)o.Value).ClassName));
        Assert.Equal([IncrementalStepRunReason.Unchanged], Reasons(second, TrackingNames.Clients));
        Assert.Equal([IncrementalStepRunReason.Modified], Reasons(second, TrackingNames.Diagnostics));

        Assert.Equal([IncrementalStepRunReason.Modified], OutputReasons(second, TrackingNames.Diagnostics));
        Assert.Equal([IncrementalStepRunReason.Cached], OutputReasons(second, TrackingNames.RecordTypes));
        Assert.Equal([IncrementalStepRunReason.Cached], OutputReasons(second, TrackingNames.Clients));
        Assert.Equal(
            first.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())),
            second.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())));
    }

    [Fact]
    public void MovingTheDiagnosticBackReportsItAtTheOriginalLineAgain()
    {
        // Back and forth: a cache keyed on anything but the span would hand back the other run's location.
        var moved = Schema.Replace("      { \"name\": \"x\"", "\n\n\n      { \"name\": \"x\"", StringComparison.Ordinal);
        var compilation = GeneratorHarness.Compilation("namespace Consumer.App; internal static class Marker { }");
        AdditionalText current = new InMemoryAdditionalText(SchemaPath, Schema);
        var driver = GeneratorHarness.CreateDriver([current], GeneratorHarness.Options(new SchemaFile(SchemaPath, Schema))).RunGenerators(compilation);

        foreach (var text in new[] { moved, Schema, moved })
        {
            var next = new InMemoryAdditionalText(SchemaPath, text);
            driver = driver.ReplaceAdditionalText(current, next).RunGenerators(compilation);
            current = next;
            var diagnostic = Assert.Single(GeneratorHarness.Result(driver).Diagnostics);
            Assert.Equal(SpanOfDatatype(text), diagnostic.Location.GetLineSpan().Span);
        }
    }
}
