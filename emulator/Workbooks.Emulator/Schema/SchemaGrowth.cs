using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workbooks.Emulator.Schema;

/// <summary>
/// A change the service makes to its own metadata when a record is created: a custom record type becomes a record type
/// with its own controller path, a custom field becomes a field of its record type (notes §3.15, §3.16). Applied to
/// the schema's JSON once the change request that caused it has released the database's gate
/// (<see cref="EmulatorDatabase.ApplySchemaGrowth"/>).
/// </summary>
internal abstract record SchemaGrowth
{
    /// <summary>The fields every record type has, which a new custom record type starts with.</summary>
    private static readonly HashSet<string> CommonFields = new(StringComparer.Ordinal)
    {
        "created_at", "created_by", "created_by_user[person_name]", "created_through", "created_through_reference", "id",
        "is_deleted", "lock_version", "name", "object_ref", "type", "updated_at", "updated_by", "updated_by_user[person_name]",
    };

    /// <summary>Changes <paramref name="types"/> (the <c>data</c> array of a <c>types.api</c> answer); does nothing when already done.</summary>
    public abstract void ApplyTo(JsonArray types);

    /// <summary>The schema with <paramref name="growth"/> applied, in order.</summary>
    public static EmulatorSchema Grow(EmulatorSchema schema, IEnumerable<SchemaGrowth> growth)
    {
        var types = new JsonArray([.. schema.Types.Select(t => JsonNode.Parse(t.Raw.GetRawText()))]);
        foreach (var change in growth)
            change.ApplyTo(types);
        return EmulatorSchema.Parse(new JsonObject { ["data"] = types, ["success"] = true, ["total"] = types.Count }.ToJsonString());
    }

    private static JsonObject? TypeOf(JsonArray types, string key, string value) =>
        types.OfType<JsonObject>().FirstOrDefault(t => (string?)t[key] == value);

    /// <summary>A custom record type's own record type: the fields every record has, at <c>custom_record/{route_suffix}</c>.</summary>
    public sealed record CustomRecordType(string ClassName, string ControllerPath, string Name, string NamePlural, string? Description) : SchemaGrowth
    {
        public override void ApplyTo(JsonArray types)
        {
            if (TypeOf(types, "controller_path", ControllerPath) is not null || TypeOf(types, "class_name", ClassName) is not null)
                return; // already served (the snapshot's own, or an earlier growth)
            if (TypeOf(types, "controller_path", "admin/custom_record_types") is not { } template)
                return;
            var type = (JsonObject)template.DeepClone();
            type["class_name"] = ClassName;
            type["base_class_name"] = ClassName;
            type["controller_path"] = ControllerPath;
            type["human_class_name"] = Name;
            type["human_class_name_plural"] = NamePlural;
            type["human_class_description"] = Description ?? "";
            type["icon"] = "plugin";
            if (type["fields"] is JsonArray fields)
            {
                foreach (var field in fields.OfType<JsonObject>().Where(f => !CommonFields.Contains((string?)f["name"] ?? "")).ToArray())
                    fields.Remove(field);
            }
            if (type["associations"] is JsonArray associations)
            {
                foreach (var association in associations.OfType<JsonObject>().Where(a => (string?)a["name"] is not ("created_by_user" or "updated_by_user")).ToArray())
                    associations.Remove(association);
            }
            types.Add(type);
        }
    }

    /// <summary>A custom field as a field of its record type, named by its <c>value_column_name</c>.</summary>
    public sealed record CustomField(string OwnerClassName, string Column, string DataType, string Title) : SchemaGrowth
    {
        public override void ApplyTo(JsonArray types)
        {
            if (TypeOf(types, "class_name", OwnerClassName) is not { } owner || owner["fields"] is not JsonArray fields)
                return;
            if (fields.OfType<JsonObject>().Any(f => (string?)f["name"] == Column))
                return;
            if (DatatypeOf(DataType) is not { } datatype)
                return; // an iframe shows a page; it holds no value on the record
            var field = new JsonObject
            {
                ["datatype"] = datatype, ["default_value"] = null, ["is_createable"] = true, ["is_filterable"] = true,
                ["is_nullable"] = true, ["is_updateable"] = true, ["name"] = Column, ["required"] = false, ["title"] = Title,
            };
            // The snapshot lists fields by name.
            var at = fields.OfType<JsonObject>().TakeWhile(f => string.CompareOrdinal((string?)f["name"], Column) < 0).Count();
            fields.Insert(at, field);
        }

        /// <summary>The metadata datatype of a custom field's <c>data_type</c> (notes §3.15); null for one without a value.</summary>
        private static string? DatatypeOf(string dataType) => dataType switch
        {
            "boolean" => "boolean",
            "date" => "date",
            "datetime" => "datetime",
            "decimal" or "percentage" => "decimal",
            "integer" => "integer",
            "text" => "text",
            "iframe" => null,
            _ => "string", // string, picklist (the entry's value) and anything newer
        };
    }
}
