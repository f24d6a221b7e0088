namespace Workbooks.Generator;

/// <summary>Names of the tracked pipeline steps (the incrementality tests assert their run reasons).</summary>
internal static class TrackingNames
{
    /// <summary>Opted-in schema files with their options and text.</summary>
    public const string SchemaInputs = nameof(SchemaInputs);

    /// <summary>Each schema parsed into a model plus diagnostics.</summary>
    public const string ParsedSchemas = nameof(ParsedSchemas);

    /// <summary>One model per generated record type (whitespace-free: no positions).</summary>
    public const string RecordTypes = nameof(RecordTypes);

    /// <summary>One client model per schema.</summary>
    public const string Clients = nameof(Clients);

    /// <summary>The diagnostics of each schema.</summary>
    public const string Diagnostics = nameof(Diagnostics);
}
