using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Workbooks.Generator.Diagnostics;
using Workbooks.Generator.Helpers;
using Workbooks.Generator.Model;

namespace Workbooks.Generator;

/// <summary>
/// Generates typed record classes, filter shapes and a client from Workbooks <c>/metadata/types.api</c> snapshots
/// opted in with <c>&lt;WorkbooksSchema Include="…" /&gt;</c>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class WorkbooksGenerator : IIncrementalGenerator
{
    private const string MetadataPrefix = "build_metadata.AdditionalFiles.";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // 1. Opted-in schema files with their per-file options and text (equatable; no AdditionalText kept).
        var inputs = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, cancellationToken) => ReadInput(pair.Left, pair.Right, cancellationToken))
            .Where(static input => input is not null)
            .Select(static (input, _) => input!)
            .WithTrackingName(TrackingNames.SchemaInputs);

        // 2. Parse: JSON → model + diagnostics (names resolved, no positions in the model).
        var parsed = inputs
            .Select(static (input, cancellationToken) => ParseSafely(input, cancellationToken))
            .WithTrackingName(TrackingNames.ParsedSchemas);

        // 3. Split: one item per record type, one client per schema, the diagnostics on their own.
        var recordTypes = parsed
            .SelectMany(static (result, _) => result.Schema.Types.AsImmutableArray())
            .WithTrackingName(TrackingNames.RecordTypes);
        var clients = parsed
            .Where(static result => result.Schema.Client is not null)
            .Select(static (result, _) => result.Schema.Client!)
            .WithTrackingName(TrackingNames.Clients);
        var diagnostics = parsed
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        // 4. Emit.
        context.RegisterSourceOutput(recordTypes, static (spc, spec) =>
            EmitSafely(spc, spec.FilePath, () => spc.AddSource(spec.HintName, SourceText.From(Emitter.EmitRecordType(spec), System.Text.Encoding.UTF8))));
        context.RegisterSourceOutput(clients, static (spc, spec) =>
            EmitSafely(spc, spec.FilePath, () => spc.AddSource((spec.Namespace + "." + spec.ClassName).Replace("@", "") + ".g.cs", SourceText.From(Emitter.EmitClient(spec), System.Text.Encoding.UTF8))));
        context.RegisterSourceOutput(diagnostics, static (spc, infos) =>
        {
            foreach (var info in infos)
                spc.ReportDiagnostic(info.ToDiagnostic());
        });
    }

    /// <summary>
    /// The options of a schema file, or null when it is not a <c>WorkbooksSchema</c> item. Defaults: Namespace =
    /// RootNamespace (else <c>Workbooks.Generated</c>); ClientName = PascalCase of the file name before its first dot
    /// + <c>Crm</c> (<c>sample.types.json</c> → <c>SampleCrm</c>); IncludeTypes/ExcludeTypes are <c>;</c>-separated.
    /// </summary>
    internal static SchemaInput? ReadInput(AdditionalText file, AnalyzerConfigOptionsProvider provider, CancellationToken cancellationToken)
    {
        var options = provider.GetOptions(file);
        if (!options.TryGetValue(MetadataPrefix + "WorkbooksSchema", out var flag) || !string.Equals(flag?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
            return null;

        var text = file.GetText(cancellationToken)?.ToString();
        var @namespace = Value(options, MetadataPrefix + "WorkbooksNamespace")
            ?? Value(provider.GlobalOptions, "build_property.RootNamespace")
            ?? "Workbooks.Generated";
        var clientName = Value(options, MetadataPrefix + "WorkbooksClientName") is { } name
            ? Naming.ToIdentifier(name)
            : DefaultClientName(file.Path);
        return new SchemaInput(
            file.Path,
            text ?? "",
            new SchemaOptions(
                Naming.ToNamespace(@namespace),
                clientName,
                List(Value(options, MetadataPrefix + "WorkbooksIncludeTypes")),
                List(Value(options, MetadataPrefix + "WorkbooksExcludeTypes"))),
            Readable: text is not null);

        static string? Value(AnalyzerConfigOptions options, string key) =>
            options.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        static EquatableArray<string> List(string? value) =>
            (value ?? "").Split(';').Select(static s => s.Trim()).Where(static s => s.Length > 0).ToEquatableArray();
    }

    internal static string DefaultClientName(string path)
    {
        var fileName = path.Substring(Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\')) + 1);
        var dot = fileName.IndexOf('.');
        return Naming.ToPascalCase(dot < 0 ? fileName : fileName.Substring(0, dot)) + "Crm";
    }

    /// <summary>A parser crash becomes WBG0099 (never CS8785 and silent empty output); cancellation is rethrown.</summary>
    internal static SchemaParseResult ParseSafely(SchemaInput input, CancellationToken cancellationToken) =>
        ParseSafely(input, Parser.Parse, cancellationToken);

    internal static SchemaParseResult ParseSafely(SchemaInput input, Func<SchemaInput, CancellationToken, SchemaParseResult> parse, CancellationToken cancellationToken)
    {
        try
        {
            return parse(input, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var info = DiagnosticInfo.Create(DiagnosticDescriptors.UnexpectedException, input.FilePath, default, default, Describe(exception));
            return new SchemaParseResult(new SchemaSpec(null, EquatableArray<RecordTypeSpec>.Empty), ImmutableArray.Create(info).ToEquatableArray());
        }
    }

    private static void EmitSafely(SourceProductionContext context, string filePath, Action emit)
    {
        try
        {
            emit();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            context.ReportDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.UnexpectedException, filePath, default, default, Describe(exception)).ToDiagnostic());
        }
    }

    private static string Describe(Exception exception) =>
        exception.GetType().FullName + ": " + exception.Message.Replace("\r", " ").Replace("\n", " ");
}
