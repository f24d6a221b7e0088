using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Workbooks.Cli;

/// <summary>What a change is about.</summary>
public enum SchemaChangeKind
{
    /// <summary>A record type appeared.</summary>
    TypeAdded,
    /// <summary>A record type disappeared (breaking).</summary>
    TypeRemoved,
    /// <summary>A type-level property changed (<c>controller_path</c> is breaking).</summary>
    TypeChanged,
    /// <summary>A field appeared.</summary>
    FieldAdded,
    /// <summary>A field disappeared (breaking).</summary>
    FieldRemoved,
    /// <summary>A field property changed (datatype, or losing filterable/updateable/createable, is breaking).</summary>
    FieldChanged,
    /// <summary>An association appeared.</summary>
    AssociationAdded,
    /// <summary>An association disappeared (breaking).</summary>
    AssociationRemoved,
    /// <summary>An association property changed.</summary>
    AssociationChanged,
    /// <summary>An action appeared.</summary>
    ActionAdded,
    /// <summary>An action disappeared (breaking).</summary>
    ActionRemoved,
    /// <summary>An action property changed (losing <c>permitted</c> is breaking).</summary>
    ActionChanged,
}

/// <summary>One difference between two snapshots.</summary>
/// <param name="Kind">What changed.</param>
/// <param name="ClassName">The type.</param>
/// <param name="Member">The field, association or action name (null for type-level changes).</param>
/// <param name="Property">The property that changed (for *Changed kinds).</param>
/// <param name="OldValue">The old value as compact JSON (for *Changed kinds).</param>
/// <param name="NewValue">The new value as compact JSON (for *Changed kinds).</param>
/// <param name="Detail">A short description (e.g. the datatype of an added field).</param>
/// <param name="IsBreaking">Whether code or queries written against the old snapshot can break.</param>
public sealed record SchemaChange(
    SchemaChangeKind Kind, string ClassName, string? Member, string? Property, string? OldValue, string? NewValue, string? Detail, bool IsBreaking)
{
    /// <summary>The text of <see cref="OldValue"/> or <see cref="NewValue"/> when the property does not exist on that side.</summary>
    public const string Absent = "(absent)";

    /// <summary>The change as one human-readable line.</summary>
    public override string ToString()
    {
        var severity = IsBreaking ? "BREAKING  " : "compatible";
        var subject = Member is null ? ClassName : $"{ClassName} {Member}";
        var what = Kind switch
        {
            SchemaChangeKind.TypeAdded => "type added",
            SchemaChangeKind.TypeRemoved => "type removed",
            SchemaChangeKind.TypeChanged => "type changed",
            SchemaChangeKind.FieldAdded => "field added",
            SchemaChangeKind.FieldRemoved => "field removed",
            SchemaChangeKind.FieldChanged => "field changed",
            SchemaChangeKind.AssociationAdded => "association added",
            SchemaChangeKind.AssociationRemoved => "association removed",
            SchemaChangeKind.AssociationChanged => "association changed",
            SchemaChangeKind.ActionAdded => "action added",
            SchemaChangeKind.ActionRemoved => "action removed",
            _ => "action changed",
        };
        var tail = Property is not null ? $": {Property} {OldValue} -> {NewValue}" : Detail is not null ? $" ({Detail})" : "";
        return $"{severity} {what,-19} {subject}{tail}";
    }
}

/// <summary>The result of comparing two snapshots.</summary>
public sealed class SchemaDiffResult
{
    internal SchemaDiffResult(IReadOnlyList<SchemaChange> changes) => Changes = changes;

    /// <summary>The changes, ordered by type, then type-level, fields, associations and actions, each by name.</summary>
    public IReadOnlyList<SchemaChange> Changes { get; }

    /// <summary>Whether any change is breaking.</summary>
    public bool HasBreakingChanges => Changes.Any(c => c.IsBreaking);

    /// <summary>0 for no change, 1 for compatible changes only, 2 when something is breaking.</summary>
    public int ExitCode => Changes.Count == 0 ? 0 : HasBreakingChanges ? 2 : 1;

    /// <summary>Writes one line per change and a summary line.</summary>
    public void WriteText(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var change in Changes)
            output.WriteLine(change.ToString());
        var breaking = Changes.Count(c => c.IsBreaking);
        output.WriteLine(Changes.Count == 0
            ? "No changes."
            : $"{Changes.Count} change{(Changes.Count == 1 ? "" : "s")}: {breaking} breaking, {Changes.Count - breaking} compatible.");
    }

    /// <summary>Writes the changes as JSON: <c>{"breaking": n, "changes": [...], "compatible": n, "exit_code": n}</c>.</summary>
    public void WriteJson(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            w.WriteStartObject();
            w.WriteNumber("breaking", Changes.Count(c => c.IsBreaking));
            w.WriteStartArray("changes");
            foreach (var c in Changes)
            {
                w.WriteStartObject();
                w.WriteBoolean("breaking", c.IsBreaking);
                w.WriteString("class_name", c.ClassName);
                if (c.Detail is not null) w.WriteString("detail", c.Detail);
                w.WriteString("kind", ToSnakeCase(c.Kind.ToString()));
                if (c.Member is not null) w.WriteString("member", c.Member);
                if (c.NewValue is not null) { w.WritePropertyName("new"); WriteValue(w, c.NewValue); }
                if (c.OldValue is not null) { w.WritePropertyName("old"); WriteValue(w, c.OldValue); }
                if (c.Property is not null) w.WriteString("property", c.Property);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("compatible", Changes.Count(c => !c.IsBreaking));
            w.WriteNumber("exit_code", ExitCode);
            w.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static void WriteValue(Utf8JsonWriter w, string compactJson)
    {
        if (compactJson == SchemaChange.Absent) w.WriteNullValue();
        else w.WriteRawValue(compactJson);
    }

    private static string ToSnakeCase(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 4);
        foreach (var ch in pascal)
        {
            if (char.IsUpper(ch) && sb.Length > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(ch));
        }
        return sb.ToString();
    }
}

/// <summary>Compares two <c>metadata/types.api</c> snapshots by class name and member name (order does not matter).</summary>
public static class SchemaDiff
{
    /// <summary>Field flags whose change from true to false takes a capability away.</summary>
    private static readonly HashSet<string> CapabilityFlags = new(StringComparer.Ordinal) { "is_filterable", "is_updateable", "is_createable" };

    /// <summary>Compares two parsed snapshots.</summary>
    /// <exception cref="SnapshotFormatException">Either is not a types response.</exception>
    public static SchemaDiffResult Compare(JsonElement oldSnapshot, JsonElement newSnapshot)
    {
        SchemaNormaliser.CheckShape(oldSnapshot);
        SchemaNormaliser.CheckShape(newSnapshot);
        var oldTypes = Index(oldSnapshot.GetProperty("data"), "class_name", "data");
        var newTypes = Index(newSnapshot.GetProperty("data"), "class_name", "data");
        var changes = new List<SchemaChange>();
        foreach (var className in oldTypes.Keys.Union(newTypes.Keys).Order(StringComparer.Ordinal))
        {
            var inOld = oldTypes.TryGetValue(className, out var oldType);
            var inNew = newTypes.TryGetValue(className, out var newType);
            if (!inNew)
            {
                changes.Add(new(SchemaChangeKind.TypeRemoved, className, null, null, null, null, ControllerPath(oldType), true));
                continue;
            }
            if (!inOld)
            {
                changes.Add(new(SchemaChangeKind.TypeAdded, className, null, null, null, null, ControllerPath(newType), false));
                continue;
            }
            CompareType(className, oldType, newType, changes);
        }
        return new SchemaDiffResult(changes);
    }

    private static void CompareType(string className, JsonElement oldType, JsonElement newType, List<SchemaChange> changes)
    {
        CompareProperties(oldType, newType, ["fields", "associations", "actions"], (property, o, n) =>
            changes.Add(new(SchemaChangeKind.TypeChanged, className, null, property, o, n, null, property == "controller_path")));

        CompareMembers(className, oldType, newType, "fields", SchemaChangeKind.FieldAdded, SchemaChangeKind.FieldRemoved, SchemaChangeKind.FieldChanged,
            describe: f => Text(f, "datatype"),
            isBreakingChange: (property, o, n) => property == "datatype" || (CapabilityFlags.Contains(property) && o == "true" && n != "true"),
            changes);
        CompareMembers(className, oldType, newType, "associations", SchemaChangeKind.AssociationAdded, SchemaChangeKind.AssociationRemoved, SchemaChangeKind.AssociationChanged,
            describe: a => Text(a, "datatype"),
            isBreakingChange: (property, _, _) => property is "class_names" or "datatype" or "foreign_key_name",
            changes);
        CompareMembers(className, oldType, newType, "actions", SchemaChangeKind.ActionAdded, SchemaChangeKind.ActionRemoved, SchemaChangeKind.ActionChanged,
            describe: _ => null,
            isBreakingChange: (property, o, n) => property == "permitted" && o == "true" && n != "true",
            changes);
    }

    private static void CompareMembers(
        string className, JsonElement oldType, JsonElement newType, string arrayName,
        SchemaChangeKind added, SchemaChangeKind removed, SchemaChangeKind changed,
        Func<JsonElement, string?> describe, Func<string, string, string, bool> isBreakingChange, List<SchemaChange> changes)
    {
        var oldMembers = Members(oldType, arrayName, className);
        var newMembers = Members(newType, arrayName, className);
        foreach (var name in oldMembers.Keys.Union(newMembers.Keys).Order(StringComparer.Ordinal))
        {
            var inOld = oldMembers.TryGetValue(name, out var o);
            var inNew = newMembers.TryGetValue(name, out var n);
            if (!inNew)
                changes.Add(new(removed, className, name, null, null, null, describe(o), true));
            else if (!inOld)
                changes.Add(new(added, className, name, null, null, null, describe(n), false));
            else
                CompareProperties(o, n, [], (property, ov, nv) =>
                    changes.Add(new(changed, className, name, property, ov, nv, null, isBreakingChange(property, ov, nv))));
        }
    }

    /// <summary>Reports each property (except <paramref name="skip"/>) whose value differs, with compact JSON values
    /// (<c>null</c> text for a missing property).</summary>
    private static void CompareProperties(JsonElement oldObject, JsonElement newObject, string[] skip, Action<string, string, string> report)
    {
        var oldProps = Properties(oldObject);
        var newProps = Properties(newObject);
        foreach (var property in oldProps.Keys.Union(newProps.Keys).Order(StringComparer.Ordinal))
        {
            if (skip.Contains(property)) continue;
            var hasOld = oldProps.TryGetValue(property, out var o);
            var hasNew = newProps.TryGetValue(property, out var n);
            if (hasOld && hasNew && JsonElement.DeepEquals(o, n)) continue;
            report(property, hasOld ? Compact(o) : SchemaChange.Absent, hasNew ? Compact(n) : SchemaChange.Absent);
        }
    }

    private static Dictionary<string, JsonElement> Properties(JsonElement obj)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (obj.ValueKind == JsonValueKind.Object)
            foreach (var p in obj.EnumerateObject())
                result[p.Name] = p.Value;
        return result;
    }

    private static Dictionary<string, JsonElement> Members(JsonElement type, string arrayName, string className)
    {
        if (!type.TryGetProperty(arrayName, out var array) || array.ValueKind == JsonValueKind.Null)
            return new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (array.ValueKind != JsonValueKind.Array)
            throw new SnapshotFormatException($"\"{arrayName}\" of {className} is not an array");
        return Index(array, "name", $"{className} {arrayName}");
    }

    private static Dictionary<string, JsonElement> Index(JsonElement array, string key, string where)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty(key, out var name) || name.ValueKind != JsonValueKind.String)
                throw new SnapshotFormatException($"{where}[{i}] has no string \"{key}\"");
            if (!result.TryAdd(name.GetString()!, item))
                throw new SnapshotFormatException($"{where} has two entries named \"{name.GetString()}\"");
            i++;
        }
        return result;
    }

    private static string? ControllerPath(JsonElement type) => Text(type, "controller_path");

    private static string? Text(JsonElement obj, string key) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Compact(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            value.WriteTo(w);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
