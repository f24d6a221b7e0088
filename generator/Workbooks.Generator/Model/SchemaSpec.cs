using Workbooks.Generator.Diagnostics;
using Workbooks.Generator.Helpers;

namespace Workbooks.Generator.Model;

// Every spec must stay immutable and structurally equal: the pipeline caches on equality. No symbols, syntax,
// Location or AdditionalText, and no text positions in what feeds source output (so reformatting re-emits nothing).

/// <summary>The result of parsing one schema file.</summary>
internal sealed record SchemaParseResult(SchemaSpec Schema, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>One schema: the client and the record types generated from it.</summary>
internal sealed record SchemaSpec(ClientSpec? Client, EquatableArray<RecordTypeSpec> Types);

/// <summary>The client class: one endpoint property per generated record type.</summary>
internal sealed record ClientSpec(
    string FilePath,
    string Namespace,
    string ClassName,
    string SchemaFileName,
    EquatableArray<EndpointSpec> Endpoints,
    EquatableArray<PicklistSpec> Picklists);

/// <summary>A picklist whose entries the snapshot captured: a value type with the entries as static members.</summary>
internal sealed record PicklistSpec(string TypeName, string Name, int Id, EquatableArray<PicklistEntrySpec> Entries);

/// <summary>One known entry of a picklist: its member name and its text.</summary>
internal readonly record struct PicklistEntrySpec(string MemberName, string Value);

/// <summary><c>crm.People</c>: an endpoint of the client, and its record type as the snapshot describes it (for the
/// drift check at run time).</summary>
internal sealed record EndpointSpec(
    string PropertyName,
    string ClassName,
    string FieldsClassName,
    string ControllerPath,
    string Doc,
    string SchemaClassName,
    EquatableArray<SnapshotField> SnapshotFields);

/// <summary>A field as the snapshot has it: its wire name and datatype.</summary>
internal readonly record struct SnapshotField(string Name, string Datatype);

/// <summary>A generated record class, its filter shape and its related-attribute classes.</summary>
internal sealed record RecordTypeSpec(
    string FilePath,
    string Namespace,
    string HintName,
    string ClassName,
    string Doc,
    string? HelpUrl,
    ScopeSpec Root);

/// <summary>
/// The members of one generated class pair: the record (or related-attributes) class <see cref="ClassName"/> and its
/// filter shape <see cref="FieldsClassName"/>.
/// </summary>
internal sealed record ScopeSpec(
    string ClassName,
    string FieldsClassName,
    EquatableArray<FieldSpec> Fields,
    EquatableArray<GroupSpec> Groups,
    EquatableArray<AssociationSpec> Navigations);

/// <summary>
/// A field: one property on the record class and, when filterable, one filter member. <see cref="IsCreateable"/> and
/// <see cref="IsUpdateable"/> are the schema's flags, already false for datatypes that are never written.
/// </summary>
internal sealed record FieldSpec(
    string PropertyName,
    string WireName,
    string Doc,
    FieldKind Kind,
    bool IsCreateable,
    bool IsUpdateable,
    bool IsFilterable,
    bool IsBaseMember,
    string? Picklist = null)
{
    /// <summary>Whether the property has a setter at all (an <c>init</c> one when only a create may set it).</summary>
    public bool IsWritable => IsCreateable || IsUpdateable;
}

/// <summary>Related attributes sharing a bracket prefix (<c>main_location[…]</c>), as a nested class.</summary>
internal sealed record GroupSpec(string PropertyName, string Doc, ScopeSpec Scope);

/// <summary>A belongs_to association navigated in filters (<c>p.Employer.Name</c> → <c>employer[name]</c>) and read on
/// records through the target's view (<c>person.Employer.Name</c>, a <c>…Related</c> class).</summary>
internal sealed record AssociationSpec(string PropertyName, string AssociationName, string TargetClassName, string Doc, string? LinkField = null)
{
    public string TargetFieldsClassName => TargetClassName + "Fields";

    public string TargetRelatedClassName => TargetClassName + "Related";
}

/// <summary>How a datatype maps to .NET: property type, accessors, filter member.</summary>
internal enum FieldKind
{
    /// <summary>string, text, uri, breadcrumb, picklist_data, picklist_url: string, filterable as text.</summary>
    Text,

    /// <summary>binary: string, not filterable.</summary>
    Binary,

    /// <summary>icon_class, time_duration, time_interval, time_relative: string, never written, not filterable.</summary>
    ReadOnlyText,

    /// <summary>A datatype the generator does not know (WBG0004): string, not filterable.</summary>
    Unknown,

    /// <summary>tag_array.</summary>
    Tags,

    /// <summary>array.</summary>
    Array,

    /// <summary>integer, has_one.</summary>
    Int64,

    /// <summary>float.</summary>
    Double,

    /// <summary>decimal.</summary>
    Decimal,

    /// <summary>currency.</summary>
    Currency,

    /// <summary>boolean.</summary>
    Boolean,

    /// <summary>date.</summary>
    Date,

    /// <summary>datetime.</summary>
    DateTime,

    /// <summary>time.</summary>
    Time,
}
