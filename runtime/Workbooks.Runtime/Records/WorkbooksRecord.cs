using System.Globalization;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Workbooks.Records;

/// <summary>
/// An untyped record as the service sent it: every field is kept (unknown ones included) and written back unchanged
/// when the record round-trips. Setting a field marks it changed; only changed fields are sent by a change set.
/// </summary>
public sealed partial class WorkbooksRecord
{
    // One array per record read: the record object exactly as sent (bytes [0, _jsonLength)), then, from the next
    // 4-byte boundary, one int per slot of the shape it was read through: the offset + 1 of the field's value (0: not
    // sent). Reading a record is one pass over its bytes and one allocation; a value's end is found, and the value
    // decoded, only when it is read. Fields the shape could not learn (beyond its bound) are found by scanning the JSON.
    private byte[]? _data;
    private int _jsonLength;
    private RecordShape? _shape;
    private bool _hasUnslotted;

    /// <summary>The record's JSON as sent (empty for a record not read from a response).</summary>
    private ReadOnlySpan<byte> Json => _data is { } data ? data.AsSpan(0, _jsonLength) : default;
    private Dictionary<string, JsonElement>? _overrides;
    private Dictionary<string, WireText>? _changes;
    private Dictionary<string, WorkbooksRecord>? _references;
    private HashSet<string>? _reads;

    /// <summary>
    /// An empty record that notes the name of every field read from it (every value reads as null): running a
    /// projection over it tells which columns the projection reads. See <see cref="Query.WorkbooksQuery{T, TFields}.Select{TResult}"/>.
    /// </summary>
    internal static WorkbooksRecord ForRecording(HashSet<string> reads) => new() { _reads = reads };

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
            if (_data is not null)
            {
                var reader = new Utf8JsonReader(Json);
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

    /// <summary>The names of the fields set since the record was read (or created), references to other records included.</summary>
    public IReadOnlyCollection<string> ChangedFields =>
        _references is { Count: > 0 } references
            ? [.. (_changes?.Keys ?? Enumerable.Empty<string>()).Union(references.Keys, StringComparer.Ordinal)]
            : _changes is { } changes ? changes.Keys : [];

    /// <summary>
    /// Sets field <paramref name="name"/> (a link such as <c>employer_link</c>) to the id of <paramref name="target"/>,
    /// which may not be created yet: the id is taken when this record is sent. A <see cref="Changes.WorkbooksUnitOfWork"/>
    /// sends the target first; a change set sending this record alone refuses it while the target has no id.
    /// </summary>
    /// <exception cref="ArgumentException">The record would refer to itself.</exception>
    public void SetReference(string name, WorkbooksRecord target)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(target);
        if (ReferenceEquals(target, this))
            throw new ArgumentException($"A record cannot refer to itself ('{name}').", nameof(target));
        if (target.Id > 0)
        {
            SetChange(name, WireText.Of(target.Id.ToString(CultureInfo.InvariantCulture)));
            return;
        }
        _changes?.Remove(name);
        (_references ??= new Dictionary<string, WorkbooksRecord>(StringComparer.Ordinal))[name] = target;
    }

    /// <summary>The records this one refers to that had no id when the reference was set, by field.</summary>
    internal IReadOnlyDictionary<string, WorkbooksRecord> PendingReferences =>
        _references ?? (IReadOnlyDictionary<string, WorkbooksRecord>)new Dictionary<string, WorkbooksRecord>();

    /// <summary>Turns each pending reference whose target now has an id into that id.</summary>
    /// <exception cref="InvalidOperationException">A target still has no id (nothing is changed).</exception>
    internal void ResolveReferences()
    {
        if (_references is not { Count: > 0 } references)
            return;
        if (references.FirstOrDefault(r => r.Value.Id <= 0) is { Key: not null } pending)
            throw new InvalidOperationException(
                $"Field '{pending.Key}' refers to a record that is not created yet. Create it first, or submit both in one WorkbooksUnitOfWork, which sends it first.");
        foreach (var (name, target) in references.ToArray())
        {
            references.Remove(name);
            SetChange(name, WireText.Of(target.Id.ToString(CultureInfo.InvariantCulture)));
        }
    }

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
        if (name is "id" or "lock_version" && value.ValueKind is not JsonValueKind.Null)
        {
            long number = 0;
            var valid = value.ValueKind switch
            {
                JsonValueKind.Number => value.TryGetInt64(out number),
                JsonValueKind.String => long.TryParse(value.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number),
                _ => false,
            };
            if (!valid || number < 0 || (name == "lock_version" && number > int.MaxValue))
                throw new WorkbooksProtocolException($"The service sent {name} {value.GetRawText()}, which is not a valid {name}.");
            if (name == "id") Id = number;
            else LockVersion = (int)number;
        }
    }

    /// <summary>
    /// Becomes the record as the service stored it (read back after an ambiguous failure proved a change applied): its
    /// id, lock_version and every field, with no pending change.
    /// </summary>
    internal void AdoptStored(WorkbooksRecord stored)
    {
        _data = stored._data;
        _jsonLength = stored._jsonLength;
        _shape = stored._shape;
        _hasUnslotted = stored._hasUnslotted;
        _overrides = stored._overrides is { } overrides ? new Dictionary<string, JsonElement>(overrides, StringComparer.Ordinal) : null;
        _changes = null;
        Id = stored.Id;
        LockVersion = stored.LockVersion;
    }

    /// <summary>Forgets one change (an upsert's key, which an update need not send again).</summary>
    internal void ForgetChange(string name) => _changes?.Remove(name);

    /// <summary>Forgets the changes (after they were submitted).</summary>
    public void AcceptChanges()
    {
        _changes?.Clear();
        _references?.Clear();
    }

    /// <summary>The wire text of a changed field: a formatted value, or <see cref="WireText.Null"/> to clear it.</summary>
    internal bool TryGetChange(string name, out WireText value)
    {
        _reads?.Add(name);
        if (_references is { Count: > 0 } references && references.TryGetValue(name, out var target))
        {
            // A pending link reads as its target's id once it has one, and as null until then.
            value = target.Id > 0 ? WireText.Of(target.Id.ToString(CultureInfo.InvariantCulture)) : WireText.Null;
            return true;
        }
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
        _references?.Remove(name); // a value set later replaces a pending reference
        (_changes ??= new Dictionary<string, WireText>(StringComparer.Ordinal))[name] = value;
    }

    /// <summary>The JSON of a field as the service sent it (a string value with its quotes), or false when not sent.</summary>
    private bool TryFindSent(string name, out ReadOnlySpan<byte> value)
    {
        _reads?.Add(name);
        value = default;
        if (_data is not { } data)
            return false;
        var json = data.AsSpan(0, _jsonLength);
        var slot = _shape!.SlotOf(name);
        var entry = TableStart(_jsonLength) + slot * sizeof(int);
        if (slot >= 0 && entry < data.Length)
        {
            var offset = MemoryMarshal.Read<int>(data.AsSpan(entry));
            if (offset == 0)
                return false;
            // The record was scanned when read, so its value ends where the same scan says.
            var rest = json[(offset - 1)..];
            value = rest[..JsonScan.SkipValue(rest, 0)];
            return true;
        }
        return _hasUnslotted && TryScan(json, name, out value);
    }

    private static int TableStart(int jsonLength) => (jsonLength + 3) & ~3;

    /// <summary>Finds a field by reading the record's JSON (the last occurrence wins, as with slots).</summary>
    private static bool TryScan(ReadOnlySpan<byte> json, string name, out ReadOnlySpan<byte> value)
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
                value = json[start..(int)reader.BytesConsumed];
                found = true;
            }
        }
        return found;
    }

    /// <summary>
    /// Reads the record object that starts at <paramref name="start"/> in <paramref name="buffer"/> (on its <c>{</c>),
    /// in one pass: the object is checked against the JSON grammar as it is scanned, each property name is matched to a
    /// slot of <paramref name="shape"/>, and each value's offset is kept. False when the buffer ends before the record
    /// does (nothing is kept; the caller retries with more bytes); <paramref name="end"/> is then undefined.
    /// </summary>
    /// <remarks>
    /// The scan accepts exactly what <see cref="Utf8JsonReader"/> accepts for an object (its default options): the same
    /// whitespace, escapes, number and literal grammar; nested objects and arrays are handed to a
    /// <see cref="Utf8JsonReader"/>. Like the reader, it leaves the UTF-8 of string values to decoding. A
    /// dedicated scan reads a page's records in about the time a bare <see cref="Utf8JsonReader"/> pass takes, which is
    /// most of the cost of reading a page.
    /// </remarks>
    /// <exception cref="RecordSyntaxException">The object is not valid JSON.</exception>
    internal static bool TryRead(ReadOnlySpan<byte> buffer, int start, RecordShape shape,
        [NotNullWhen(true)] out WorkbooksRecord? record, out int end)
    {
        record = null;
        end = 0;
        if ((uint)start >= (uint)buffer.Length || buffer[start] != (byte)'{')
            throw new RecordSyntaxException(start, "a record is not a JSON object");
        // The table's arrays live in locals so the loop keeps them in registers; they are reloaded only after a lookup
        // has learned a field. Offsets are gathered in a per-thread scratch table and copied behind the record's bytes.
        var table = shape.Current;
        var next = table.Next;
        var names = table.Utf8;
        var count = table.Count;
        var offsets = t_offsets is { } scratch && scratch.Length >= count ? scratch : (t_offsets = new int[Math.Max(count, 64)]);
        offsets.AsSpan(0, count).Clear();
        var previous = -1;
        var unslotted = false;
        long id = 0;
        var lockVersion = 0;

        var at = JsonScan.SkipWhitespace(buffer, start + 1);
        if (at >= buffer.Length)
            return false;
        if (buffer[at] != (byte)'}')
        {
            while (true)
            {
                if (buffer[at] != (byte)'"')
                    throw new RecordSyntaxException(at, "expected a property name");
                var nameEnd = JsonScan.SkipString(buffer, at, out var escaped);
                if (nameEnd < 0)
                    return false;
                // The field that followed the previous one last time, if its bytes match; else a lookup (which learns;
                // escaped names always take it, since the lookup unescapes).
                var slot = next[previous + 1];
                if ((uint)slot >= (uint)count || escaped || !buffer[(at + 1)..(nameEnd - 1)].SequenceEqual(names[slot]))
                {
                    slot = FindSlot(shape, buffer[at..nameEnd], table, previous, at);
                    if (slot >= count)
                    {
                        table = shape.Current;
                        (next, names) = (table.Next, table.Utf8);
                        if (table.Count > offsets.Length)
                            offsets = t_offsets = Grow(offsets, table.Count);
                        offsets.AsSpan(count, table.Count - count).Clear();
                        count = table.Count;
                    }
                }
                at = JsonScan.SkipWhitespace(buffer, nameEnd);
                if (at >= buffer.Length)
                    return false;
                if (buffer[at] != (byte)':')
                    throw new RecordSyntaxException(at, "expected ':' after a property name");
                var valueStart = JsonScan.SkipWhitespace(buffer, at + 1);
                var valueEnd = JsonScan.SkipValue(buffer, valueStart);
                if (valueEnd < 0)
                    return false;
                if (slot is RecordShape.IdSlot or RecordShape.LockVersionSlot)
                {
                    // Paging, delta sync and changes stand on these two: a value that is not one is a protocol error,
                    // never 0 (which would restart keyset paging or send a false conflict).
                    var json = buffer[valueStart..valueEnd];
                    if (!json.SequenceEqual("null"u8))
                    {
                        if (!TryGetInteger(json, out var number) || (slot == RecordShape.LockVersionSlot && number > int.MaxValue))
                            throw new WorkbooksProtocolException($"A record's {(slot == RecordShape.IdSlot ? "id" : "lock_version")} is {System.Text.Encoding.UTF8.GetString(json[..Math.Min(json.Length, 40)])}, not a {(slot == RecordShape.IdSlot ? "64-bit" : "32-bit")} whole number.");
                        if (slot == RecordShape.IdSlot) id = number;
                        else lockVersion = (int)number;
                    }
                }
                if (slot >= 0)
                {
                    offsets[slot] = valueStart - start + 1;
                    previous = slot;
                }
                else
                {
                    unslotted = true;
                }
                at = JsonScan.SkipWhitespace(buffer, valueEnd);
                if (at >= buffer.Length)
                    return false;
                if (buffer[at] == (byte)'}')
                    break;
                if (buffer[at] != (byte)',')
                    throw new RecordSyntaxException(at, "expected ',' or '}' after a property value");
                at = JsonScan.SkipWhitespace(buffer, at + 1);
                if (at >= buffer.Length)
                    return false;
            }
        }
        end = at + 1;
        var length = end - start;
        var tableStart = TableStart(length);
        var data = new byte[tableStart + count * sizeof(int)];
        buffer.Slice(start, length).CopyTo(data);
        MemoryMarshal.AsBytes(offsets.AsSpan(0, count)).CopyTo(data.AsSpan(tableStart));
        record = new WorkbooksRecord
        {
            _data = data,
            _jsonLength = length,
            _shape = shape,
            _hasUnslotted = unslotted,
            Id = id,
            LockVersion = lockVersion,
        };
        return true;
    }

    private static int FindSlot(RecordShape shape, ReadOnlySpan<byte> quotedName, RecordShape.Table table, int previous, int at)
    {
        try
        {
            return shape.Find(quotedName, table, previous);
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException or ArgumentException)
        {
            throw new RecordSyntaxException(at, "a property name cannot be read: " + ex.Message);
        }
    }

    [ThreadStatic]
    private static int[]? t_offsets;

    private static int[] Grow(int[] offsets, int length)
    {
        var larger = new int[Math.Max(length, offsets.Length * 2)];
        offsets.CopyTo(larger, 0);
        return larger;
    }

    /// <summary>An id or lock_version: a JSON integer, or a string holding one (without escapes).</summary>
    private static bool TryGetInteger(ReadOnlySpan<byte> json, out long value)
    {
        if (json[0] == (byte)'"')
            json = json[1..^1];
        // Digits only: ids and versions are never signed, fractional or exponent-written.
        value = 0;
        return !json.IsEmpty && !json.ContainsAnyExceptInRange((byte)'0', (byte)'9')
            && Utf8Parser.TryParse(json, out value, out var used) && used == json.Length;
    }

    /// <summary>Reads a record object when only a reader is at hand (the reader is on its StartObject and is left on
    /// its EndObject): the object is parsed once to find its bytes, then read like a page's records.</summary>
    internal static WorkbooksRecord ReadFrom(ref Utf8JsonReader reader, RecordShape shape)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new WorkbooksProtocolException($"Expected a record object, found {reader.TokenType}.");
        using var document = JsonDocument.ParseValue(ref reader);
        var json = JsonMarshal.GetRawUtf8Value(document.RootElement);
        try
        {
            return TryRead(json, 0, shape, out var record, out _)
                ? record
                : throw new WorkbooksProtocolException("A record object ended early.");
        }
        catch (RecordSyntaxException ex)
        {
            // The document parsed, so this cannot happen unless the scan and the reader disagree.
            throw new WorkbooksProtocolException($"A record object is not valid JSON (at byte {ex.Position}): {ex.Message}", ex);
        }
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
internal readonly record struct WireText
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
