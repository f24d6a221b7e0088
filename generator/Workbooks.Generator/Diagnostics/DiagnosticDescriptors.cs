using Microsoft.CodeAnalysis;

namespace Workbooks.Generator.Diagnostics;

/// <summary>The generator's diagnostics (release-tracked in AnalyzerReleases.*.md).</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Workbooks.Generator";

    public static readonly DiagnosticDescriptor MalformedJson = new(
        "WBG0001", "Schema file is not valid JSON", "The schema file is not valid JSON: {0}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor WrongShape = new(
        "WBG0002", "Schema file has an unexpected shape", "The schema file does not have the expected shape: {0}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MissingRecordTypeKey = new(
        "WBG0003", "Record type is incomplete", "A record type has no '{0}' and is skipped",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownDatatype = new(
        "WBG0004", "Unknown datatype", "Field '{0}' of '{1}' has the unknown datatype '{2}'; it is exposed as a string",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateField = new(
        "WBG0005", "Duplicate field", "Field '{0}' appears more than once in '{1}'; the first is kept",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NameCollision = new(
        "WBG0006", "Generated names collide", "'{0}' maps to the name '{1}' in {2}, which is already taken; it is named '{3}'",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NoRecordTypes = new(
        "WBG0007", "Schema has no record types", "The schema file contains no record types",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor IncludeMatchesNothing = new(
        "WBG0008", "IncludeTypes entry matches nothing", "IncludeTypes entry '{0}' matches no record type in the schema",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SchemaFileNotFound = new(
        "WBG0009", "Schema file not found", "The schema file '{0}' was not found or could not be read: check the Include path of its WorkbooksSchema item (relative to the project file)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    // WBG02xx: the filter-usage analyzer (Analyzers/FilterUsageAnalyzer.cs) explains member lookups that fail in a
    // query lambda, next to the compiler's CS1061 / CS0117 (or CS1929 / CS7036 when an extension method such as
    // MemoryExtensions.EndsWith is in scope), which cannot say what the service supports.
    private const string UsageCategory = "Workbooks.Usage";

    public static readonly DiagnosticDescriptor NotAFilterOperator = new(
        "WBG0201", "Not a filter operator", "'{0}' is not a filter operator of {1}: the Workbooks service can filter {2} with {3}. {4}.",
        UsageCategory, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "A filter field (StringField, NumberField<T>, DateField, ...) only offers the operators the Workbooks service can evaluate; anything else would have to run on the client.");

    public static readonly DiagnosticDescriptor FieldNotFilterable = new(
        "WBG0202", "Field cannot be filtered", "'{0}' cannot be filtered: {1} ({2}.{0} can be read but not used in Where or OrderBy). Filter on another field, or read the records and filter them on the client after AsAsyncEnumerable().",
        UsageCategory, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "A generated filter shape has a member only for the fields the service can filter: the schema's is_filterable flag and a datatype with filter operators.");

    public static readonly DiagnosticDescriptor ProjectionNotExact = new(
        "WBG0203", "Projection cannot be read exactly", "This projection {0}, so the fields it needs cannot be known exactly before the records are read. Select fields of the record ({1}) into new {{ … }}, a tuple or a constructor, and compute on the client after reading: .AsAsyncEnumerable().Select(…).",
        UsageCategory, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Select(p => …) asks the service only for the fields the projection reads, found by running it once over an empty record. That is exact only when the projection reads fields and builds its result from them, without calls, conditions, conversions or members of the values.");

    public static readonly DiagnosticDescriptor UnexpectedException = new(
        "WBG0099", "Workbooks generator failed", "The Workbooks generator failed unexpectedly: {0}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
