using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text.Json;
using Workbooks.Reading;

namespace Workbooks;

/// <summary>
/// An untyped record as the service sent it: every field is kept (unknown ones included) and written back unchanged
/// when the record round-trips. Setting a field marks it changed; only changed fields are sent by a change set.
/// </summary>
public sealed partial class WorkbooksRecord
{
    // The record object exactly as sent, plus one (offset + 1, length) pair per slot of the shape it was read through:
    // reading a record is one pass over its bytes and one copy of them, and a field is decoded only when it is read.
    // Fields the shape could not learn (beyond its bound) are found by scanning _json.
    private byte[]? _json;
    private RecordShape? _shape;
    private int[]? _slots;
    private bool _hasUnslotted;
    private Dictionary<string, JsonElement>? _overrides;
    private Dictionary<string, WireText>? _changes;

    /// <summary>Creates an empty (new) record.</summary>
    public WorkbooksRecord() { }

    /// <summary>The record's id (0 for a record not yet created).</summary>
    public long Id { get; set; }

    /// <summary>The record's lock_version, sent back with every update and delete.</summary>
    public int LockVersion { get; set; }

    /// <summary>The names of the fields the service sent, in the order it sent them.</summary>
    public IReadOnlyCollection<string> FieldNames
    {
        get
        {
            var names = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            if (_json is { } json)
            {
                var reader = new Utf8JsonReader(json);
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    if (seen.Add(name)) names.Add(name);
                    reader.Read();
                    reader.Skip();
                }
            }
            if (_overrides is { } overrides)
                foreach (var name in overrides.Keys)
                    if (seen.Add(name)) names.Add(name);
            return names;
        }
    }

    /// <summary>The names of the fields set since the record was read (or created).</summary>
    public IReadOnlyCollection<string> ChangedFields => _changes is { } changes ? changes.Keys : [];

    /// <summary>A field exactly as the service sent it.</summary>
    public bool TryGetRaw(string name, out JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_overrides is { } overrides && overrides.TryGetValue(name, out value))
            return true;
        if (TryFindSent(name, out var json))
        {
            var reader = new Utf8JsonReader(json);
            value = JsonElement.ParseValue(ref reader);
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>Replaces a field's value as if the service had sent it (used to apply <c>affected_objects</c>).</summary>
    public void SetRaw(string name, JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(name);
        (_overrides ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal))[name] = value;
        if (name == "id" && value.ValueKind == JsonValueKind.Number) Id = value.GetInt64();
        else if (name == "lock_version" && value.ValueKind == JsonValueKind.Number) LockVersion = value.GetInt32();
    }

    /// <summary>Forgets the changes (after they were submitted).</summary>
    public void AcceptChanges() => _changes?.Clear();

    /// <summary>The wire text of a changed field: a formatted value, or <see cref="WireText.Null"/> to clear it.</summary>
    internal bool TryGetChange(string name, out WireText value)
    {
        if (_changes is { } changes)
            return changes.TryGetValue(name, out value);
        value = default;
        return false;
    }

    /// <summary>Records a change in wire form. Typed setters format the value first.</summary>
    internal void SetChange(string name, WireText value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name is "id" or "lock_version")
            throw new ArgumentException($"'{name}' is maintained by the service and cannot be set.", nameof(name));
        (_changes ??= new Dictionary<string, WireText>(StringComparer.Ordinal))[name] = value;
    }

    /// <summary>The JSON of a field as the service sent it (a string value with its quotes), or false when not sent.</summary>
    private bool TryFindSent(string name, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (_json is not { } json)
            return false;
        var slot = _shape!.SlotOf(name);
        if (slot >= 0 && slot * 2 < _slots!.Length)
        {
            var offset = _slots[slot * 2];
            if (offset == 0)
                return false;
            value = json.AsSpan(offset - 1, _slots[slot * 2 + 1]);
            return true;
        }
        return _hasUnslotted && TryScan(json, name, out value);
    }

    /// <summary>Finds a field by reading the record's JSON (the last occurrence wins, as with slots).</summary>
    private static bool TryScan(byte[] json, string name, out ReadOnlySpan<byte> value)
    {
        value = default;
        var found = false;
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            if (match)
            {
                value = json.AsSpan(start, (int)reader.BytesConsumed - start);
                found = true;
            }
        }
        return found;
    }

    /// <summary>
    /// Reads a record object in one pass from <paramref name="buffer"/>, the bytes <paramref name="reader"/> reads. The
    /// reader is on the record's StartObject; on success it is left on its EndObject. False when the buffer ends first
    /// (the reader's position is then undefined: the caller restarts from its own checkpoint with more bytes).
    /// </summary>
    internal static bool TryRead(ReadOnlySpan<byte> buffer, ref Utf8JsonReader reader, RecordShape shape,
        [NotNullWhen(true)] out WorkbooksRecord? record)
    {
        record = null;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new WorkbooksProtocolException($"Expected a record object, found {reader.TokenType}.");
        var start = checked((int)reader.TokenStartIndex);
        var table = shape.Current;
        var slots = new int[table.Count * 2];
        var previous = -1;
        var unslotted = false;
        long id = 0;
        var lockVersion = 0;
        while (true)
        {
            if (!reader.Read())
                return false;
            if (reader.TokenType == JsonTokenType.EndObject)
                break;
            // The field that followed the previous one last time, if its bytes match; else a lookup (which learns;
            // escaped names always take it, since the lookup unescapes).
            var slot = table.Next[previous + 1];
            if ((uint)slot >= (uint)table.Count || reader.ValueIsEscaped || !reader.ValueSpan.SequenceEqual(table.Utf8[slot]))
                slot = shape.Find(ref reader, ref table, previous);
            if (!reader.Read())
                return false;
            var valueStart = (int)reader.TokenStartIndex;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    if (!reader.TrySkip())
                        return false;
                    break;
                case JsonTokenType.Number or JsonTokenType.String when slot is RecordShape.IdSlot or RecordShape.LockVersionSlot:
                    if (TryGetInteger(ref reader, out var number))
                    {
                        if (slot == RecordShape.IdSlot) id = number;
                        else if (number is >= int.MinValue and <= int.MaxValue) lockVersion = (int)number;
                    }
                    break;
            }
            if (slot < 0)
            {
                unslotted = true;
                continue;
            }
            if (slot * 2 >= slots.Length)
                Array.Resize(ref slots, table.Count * 2);
            slots[slot * 2] = valueStart - start + 1;
            slots[slot * 2 + 1] = (int)reader.BytesConsumed - valueStart;
            previous = slot;
        }
        record = new WorkbooksRecord
        {
            _json = buffer[start..(int)reader.BytesConsumed].ToArray(),
            _shape = shape,
            _slots = slots,
            _hasUnslotted = unslotted,
            Id = id,
            LockVersion = lockVersion,
        };
        return true;
    }

    private static bool TryGetInteger(ref Utf8JsonReader reader, out long value)
    {
        if (reader.TokenType == JsonTokenType.Number)
            return reader.TryGetInt64(out value);
        value = 0;
        return !reader.ValueIsEscaped && Utf8Parser.TryParse(reader.ValueSpan, out value, out var used) && used == reader.ValueSpan.Length;
    }

    /// <summary>Reads a record object when only a reader is at hand (the reader is on its StartObject and is left on
    /// its EndObject): the object is parsed once to find its bytes, then read like a page's records.</summary>
    internal static WorkbooksRecord ReadFrom(ref Utf8JsonReader reader, RecordShape shape)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new WorkbooksProtocolException($"Expected a record object, found {reader.TokenType}.");
        using var document = JsonDocument.ParseValue(ref reader);
        var json = JsonMarshal.GetRawUtf8Value(document.RootElement);
        var inner = new Utf8JsonReader(json);
        inner.Read();
        return TryRead(json, ref inner, shape, out var record)
            ? record
            : throw new WorkbooksProtocolException("A record object ended early.");
    }

    /// <summary>Writes the record as the service would render it (every field in the order sent, changes applied).</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in FieldNames)
        {
            if (_changes?.ContainsKey(name) == true || !written.Add(name)) continue;
            writer.WritePropertyName(name);
            if (_overrides is { } overrides && overrides.TryGetValue(name, out var element))
                element.WriteTo(writer);
            else if (TryFindSent(name, out var json))
                writer.WriteRawValue(json, skipInputValidation: true);
            else
                writer.WriteNullValue();
        }
        if (_changes is { } changes)
        {
            foreach (var (name, change) in changes)
            {
                if (change.IsNull) writer.WriteNull(name);
                else writer.WriteString(name, change.Text);
            }
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
