using System.Globalization;
using System.Text.Json;
using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator.Storage;

/// <summary>Builds the value array of a new record: schema defaults plus the common attributes the service maintains.</summary>
internal static class RecordFactory
{
    public static object?[] NewValues(RecordTypeDef type, DateTime now, int userId, string? application)
    {
        var values = new object?[type.Fields.Count];
        foreach (var field in type.Fields)
        {
            if (field.DefaultValue is { } dv)
                values[field.Ordinal] = FromJson(field, dv);
            else if (field.Kind == ValueKind.Boolean)
                values[field.Ordinal] = false;
        }
        var stamp = EmulatorDatabase.TruncateToSecond(now);
        Set(type, values, "id", null);
        Set(type, values, "lock_version", 0L);
        Set(type, values, "created_at", stamp);
        Set(type, values, "updated_at", stamp);
        Set(type, values, "created_by", (long)userId);
        Set(type, values, "updated_by", (long)userId);
        Set(type, values, "created_through", application ?? "");
        Set(type, values, "is_deleted", false);
        Set(type, values, "type", type.ClassName);
        return values;
    }

    /// <summary>Fills in what the service derives when a record is inserted: object_ref and refcode-like references.</summary>
    public static void Stamp(RecordTypeDef type, object?[] values, long id)
    {
        if (type.Field("object_ref") is { } objectRef && values[objectRef.Ordinal] is null or "")
            values[objectRef.Ordinal] = string.Create(CultureInfo.InvariantCulture, $"{ObjectRefPrefix(type)}-{id}");
    }

    public static string ObjectRefPrefix(RecordTypeDef type)
    {
        var shortName = type.ShortName.ToUpperInvariant();
        return shortName.Length > 6 ? shortName[..6] : shortName;
    }

    private static void Set(RecordTypeDef type, object?[] values, string name, object? value)
    {
        if (type.Field(name) is { } f)
            values[f.Ordinal] = value;
    }

    public static object? FromJson(FieldDef field, JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => field.Kind == ValueKind.Boolean ? true : "true",
        JsonValueKind.False => field.Kind == ValueKind.Boolean ? false : "false",
        JsonValueKind.Number => field.Kind switch
        {
            ValueKind.Integer or ValueKind.Duration or ValueKind.Interval => element.TryGetInt64(out var l) ? l : (long)element.GetDouble(),
            ValueKind.Float => element.GetDouble(),
            ValueKind.Decimal => element.GetDecimal(),
            ValueKind.Boolean => element.GetDouble() != 0,
            _ => WireValues.TryParse(field.Kind, element.GetRawText(), out var v, out _) ? v : null,
        },
        JsonValueKind.String => WireValues.TryParse(field.Kind, element.GetString()!, out var parsed, out _) ? parsed : null,
        _ => null,
    };
}
