using System.Collections.Frozen;
using System.Text.Json;

namespace Workbooks.Emulator.Schema;

/// <summary>How the emulator stores and compares the values of a datatype.</summary>
internal enum ValueKind
{
    Text,
    Integer,
    Float,
    Decimal,
    Boolean,
    Date,
    DateTime,
    Time,
    Currency,
    /// <summary>time_duration: seconds, rendered as English text, read only.</summary>
    Duration,
    /// <summary>time_interval: a period, rendered as English text, read only.</summary>
    Interval,
    /// <summary>time_relative: a datetime rendered relative to now, read only.</summary>
    Relative,
}

internal sealed class FieldDef
{
    public required string Name { get; init; }
    public required string Datatype { get; init; }
    public required ValueKind Kind { get; init; }
    public int Ordinal { get; init; }
    public string Title { get; init; } = "";
    public bool Required { get; init; }
    public bool IsCreateable { get; init; } = true;
    public bool IsUpdateable { get; init; } = true;
    public bool IsFilterable { get; init; } = true;
    public bool IsNullable { get; init; } = true;
    public JsonElement? DefaultValue { get; init; }
    public int? PicklistId { get; init; }
    public string? PicklistName { get; init; }
    /// <summary>Set for fields the emulator added because the snapshot lacked a common attribute.</summary>
    public bool Synthesized { get; init; }

    /// <summary>Read-only datatypes can never be written, whatever the flags say.</summary>
    public bool IsReadOnlyDatatype => Kind is ValueKind.Duration or ValueKind.Interval or ValueKind.Relative || Datatype == "icon_class";
}

internal sealed class AssociationDef
{
    public required string Name { get; init; }
    public required string Datatype { get; init; }
    public required IReadOnlyList<string> ClassNames { get; init; }
    public string? ForeignKeyName { get; init; }
    public bool Polymorphic { get; init; }
    public string? Through { get; init; }
}

internal sealed class RecordTypeDef
{
    public required string ClassName { get; init; }
    public required string ControllerPath { get; init; }
    public required string HumanName { get; init; }
    public required string HumanNamePlural { get; init; }
    public required IReadOnlyList<FieldDef> Fields { get; init; }
    public required FrozenDictionary<string, FieldDef> FieldsByName { get; init; }
    public required FrozenDictionary<string, AssociationDef> Associations { get; init; }
    public required JsonElement Raw { get; init; }

    // Read for every record of every scan: looked up once, not per access.
    private FieldDef? _id, _lockVersion, _isDeleted;
    public FieldDef Id => _id ??= FieldsByName["id"];
    public FieldDef LockVersion => _lockVersion ??= FieldsByName["lock_version"];
    public FieldDef IsDeleted => _isDeleted ??= FieldsByName["is_deleted"];

    public FieldDef? Field(string name) => FieldsByName.GetValueOrDefault(name);

    /// <summary>Short name used for data generation: <c>Private::Crm::Person</c> → <c>person</c>.</summary>
    public string ShortName
    {
        get
        {
            var last = ClassName[(ClassName.LastIndexOf(':') + 1)..];
            return last.ToLowerInvariant();
        }
    }
}

/// <summary>A captured <c>/metadata/types.api</c> snapshot, as the emulator serves it.</summary>
internal sealed class EmulatorSchema
{
    private static readonly (string Name, string Datatype, bool Filterable)[] CommonFields =
    [
        ("id", "integer", true), ("lock_version", "integer", true), ("created_at", "datetime", true),
        ("created_by", "integer", true), ("updated_at", "datetime", true), ("updated_by", "integer", true),
        ("created_through", "string", true), ("created_through_reference", "string", true),
        ("is_deleted", "boolean", true), ("name", "string", true), ("object_ref", "string", true), ("type", "string", false),
    ];

    private static readonly HashSet<string> ReadOnlyCommon = ["id", "lock_version", "created_at", "created_by", "updated_at", "updated_by", "created_through", "is_deleted", "object_ref", "type"];

    public required IReadOnlyList<RecordTypeDef> Types { get; init; }
    public required FrozenDictionary<string, RecordTypeDef> ByControllerPath { get; init; }
    public required FrozenDictionary<string, RecordTypeDef> ByClassName { get; init; }

    public static EmulatorSchema Parse(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        var root = document.RootElement;
        var data = root.ValueKind switch
        {
            JsonValueKind.Array => root,
            JsonValueKind.Object when root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Array => d,
            _ => throw new InvalidDataException("A types snapshot is a JSON array of record types, or an object with a 'data' array."),
        };

        var types = new List<RecordTypeDef>();
        foreach (var typeElement in data.EnumerateArray())
        {
            var className = GetString(typeElement, "class_name") ?? throw new InvalidDataException("A record type has no class_name.");
            var controllerPath = GetString(typeElement, "controller_path") ?? throw new InvalidDataException($"Record type {className} has no controller_path.");
            var fields = new List<FieldDef>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            if (typeElement.TryGetProperty("fields", out var fieldsElement) && fieldsElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var f in fieldsElement.EnumerateArray())
                {
                    var name = GetString(f, "name");
                    if (name is null || !seen.Add(name))
                        continue;
                    var datatype = GetString(f, "datatype") ?? "string";
                    JsonElement? picklist = f.TryGetProperty("picklist", out var p) && p.ValueKind == JsonValueKind.Object ? p : null;
                    fields.Add(new FieldDef
                    {
                        Name = name,
                        Datatype = datatype,
                        Kind = KindOf(name, datatype, picklist),
                        Ordinal = fields.Count,
                        Title = GetString(f, "title") ?? name,
                        Required = GetBool(f, "required", false),
                        IsCreateable = GetBool(f, "is_createable", true),
                        IsUpdateable = GetBool(f, "is_updateable", true),
                        IsFilterable = GetBool(f, "is_filterable", true),
                        IsNullable = GetBool(f, "is_nullable", true),
                        DefaultValue = f.TryGetProperty("default_value", out var dv) && dv.ValueKind != JsonValueKind.Null ? dv.Clone() : null,
                        PicklistId = picklist is { } pl && pl.TryGetProperty("picklist_id", out var pid) && pid.ValueKind == JsonValueKind.Number ? pid.GetInt32() : null,
                        PicklistName = picklist is { } pl2 ? GetString(pl2, "name") : null,
                    });
                }
            }
            foreach (var (name, datatype, filterable) in CommonFields)
            {
                if (seen.Add(name))
                {
                    var readOnly = ReadOnlyCommon.Contains(name);
                    fields.Add(new FieldDef
                    {
                        Name = name, Datatype = datatype, Kind = KindOf(name, datatype, null), Ordinal = fields.Count, Title = name,
                        IsCreateable = !readOnly, IsUpdateable = !readOnly, IsFilterable = filterable, Synthesized = true,
                    });
                }
            }

            var associations = new Dictionary<string, AssociationDef>(StringComparer.Ordinal);
            if (typeElement.TryGetProperty("associations", out var assocElement) && assocElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var a in assocElement.EnumerateArray())
                {
                    var name = GetString(a, "name");
                    if (name is null)
                        continue;
                    var classNames = a.TryGetProperty("class_names", out var cn) && cn.ValueKind == JsonValueKind.Array
                        ? cn.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray()
                        : [];
                    associations[name] = new AssociationDef
                    {
                        Name = name,
                        Datatype = GetString(a, "datatype") ?? "belongs_to",
                        ClassNames = classNames,
                        ForeignKeyName = GetString(a, "foreign_key_name"),
                        Polymorphic = GetBool(a, "polymorphic", false),
                        Through = GetString(a, "through"),
                    };
                }
            }

            types.Add(new RecordTypeDef
            {
                ClassName = className,
                ControllerPath = controllerPath.Trim('/'),
                HumanName = GetString(typeElement, "human_class_name") ?? className,
                HumanNamePlural = GetString(typeElement, "human_class_name_plural") ?? className,
                Fields = fields,
                FieldsByName = fields.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal),
                Associations = associations.ToFrozenDictionary(StringComparer.Ordinal),
                Raw = typeElement.Clone(),
            });
        }

        return new EmulatorSchema
        {
            Types = types,
            ByControllerPath = types.GroupBy(t => t.ControllerPath, StringComparer.Ordinal).ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal),
            ByClassName = types.GroupBy(t => t.ClassName, StringComparer.Ordinal).ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal),
        };
    }

    public static ValueKind KindOf(string name, string datatype, JsonElement? picklist) => datatype switch
    {
        "integer" or "has_one" => ValueKind.Integer,
        "float" => ValueKind.Float,
        "decimal" => ValueKind.Decimal,
        "boolean" => ValueKind.Boolean,
        "date" => ValueKind.Date,
        "datetime" => ValueKind.DateTime,
        "time" => ValueKind.Time,
        "currency" => ValueKind.Currency,
        "time_duration" => ValueKind.Duration,
        "time_interval" => ValueKind.Interval,
        "time_relative" => ValueKind.Relative,
        // A picklist whose stored value is the entry id (case_priority_id and friends) holds integers.
        "picklist_data" or "picklist_url" when picklist is { } p && GetString(p, "value_field") == "id" && name.EndsWith("_id", StringComparison.Ordinal) => ValueKind.Integer,
        _ => ValueKind.Text,
    };

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool GetBool(JsonElement element, string name, bool fallback) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => fallback,
        } : fallback;
}
