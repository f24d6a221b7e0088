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

    public static readonly DiagnosticDescriptor UnexpectedException = new(
        "WBG0099", "Workbooks generator failed", "The Workbooks generator failed unexpectedly: {0}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
