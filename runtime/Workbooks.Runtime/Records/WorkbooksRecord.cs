using System.Text.Json;

namespace Workbooks;

/// <summary>
/// An untyped record as the service sent it: every field is kept (unknown ones included) and written back unchanged
/// when the record round-trips. Setting a field marks it changed; only changed fields are sent by a change set.
/// </summary>
public sealed partial class WorkbooksRecord
{
    // The record object as read: one parsed document per record (not one per field). The field dictionary is built
    // from it only when a field is first looked up, so records that are merely streamed past cost one parse.
    private JsonElement _source;
    private Dictionary<string, JsonElement>? _fields;
    private readonly Dictionary<string, WireText> _changes = new(StringComparer.Ordinal);

    /// <summary>Creates an empty (new) record.</summary>
    public WorkbooksRecord() { }

    /// <summary>The record's id (0 for a record not yet created).</summary>
    public long Id { get; set; }

    /// <summary>The record's lock_version, sent back with every update and delete.</summary>
    public int LockVersion { get; set; }

    /// <summary>The names of the fields the service sent.</summary>
    public IReadOnlyCollection<string> FieldNames => Fields.Keys;

    /// <summary>The names of the fields set since the record was read (or created).</summary>
    public IReadOnlyCollection<string> ChangedFields => _changes.Keys;

    /// <summary>A field exactly as the service sent it.</summary>
    public bool TryGetRaw(string name, out JsonElement value) => Fields.TryGetValue(name, out value);

    private Dictionary<string, JsonElement> Fields
    {
        get
        {
            if (_fields is { } fields)
                return fields;
            fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            if (_source.ValueKind == JsonValueKind.Object)
                foreach (var property in _source.EnumerateObject())
                    fields[property.Name] = property.Value;
            return _fields = fields;
        }
    }

    /// <summary>Replaces a field's value as if the service had sent it (used to apply <c>affected_objects</c>).</summary>
    public void SetRaw(string name, JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(name);
        Fields[name] = value;
        if (name == "id" && value.ValueKind == JsonValueKind.Number) Id = value.GetInt64();
        else if (name == "lock_version" && value.ValueKind == JsonValueKind.Number) LockVersion = value.GetInt32();
    }

    /// <summary>Forgets the changes (after they were submitted).</summary>
    public void AcceptChanges() => _changes.Clear();

    /// <summary>The wire text of a changed field: a formatted value, or <see cref="WireText.Null"/> to clear it.</summary>
    internal bool TryGetChange(string name, out WireText value) => _changes.TryGetValue(name, out value);

    /// <summary>Records a change in wire form. Typed setters format the value first.</summary>
    internal void SetChange(string name, WireText value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name is "id" or "lock_version")
            throw new ArgumentException($"'{name}' is maintained by the service and cannot be set.", nameof(name));
        _changes[name] = value;
    }

    /// <summary>Reads a record object; the reader is on its StartObject and is left on its EndObject.</summary>
    internal static WorkbooksRecord ReadFrom(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new WorkbooksProtocolException($"Expected a record object, found {reader.TokenType}.");
        var source = JsonElement.ParseValue(ref reader);
        var record = new WorkbooksRecord { _source = source };
        if (source.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var idValue))
            record.Id = idValue;
        if (source.TryGetProperty("lock_version", out var lockVersion) && lockVersion.ValueKind == JsonValueKind.Number && lockVersion.TryGetInt32(out var lv))
            record.LockVersion = lv;
        return record;
    }

    /// <summary>Writes the record as the service would render it (every field, changes applied).</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        foreach (var (name, value) in Fields)
        {
            if (_changes.ContainsKey(name)) continue;
            writer.WritePropertyName(name);
            value.WriteTo(writer);
        }
        foreach (var (name, change) in _changes)
        {
            if (change.IsNull) writer.WriteNull(name);
            else writer.WriteString(name, change.Text);
        }
        writer.WriteEndObject();
    }
}

/// <summary>A value in wire form: the formatted text the service accepts, or null (<c>:null_value:</c>).</summary>
public readonly record struct WireText
{
    private WireText(string? text) => Text = text;

    /// <summary>The formatted value, or null for <see cref="Null"/>.</summary>
    public string? Text { get; }

    /// <summary>Whether this clears the field.</summary>
    public bool IsNull => Text is null;

    /// <summary>Clears the field (<c>:null_value:</c> on the wire).</summary>
    public static WireText Null => default;

    /// <summary>A formatted value.</summary>
    public static WireText Of(string text) => new(text ?? throw new ArgumentNullException(nameof(text)));
}
