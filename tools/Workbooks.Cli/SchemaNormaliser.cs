using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Workbooks.Cli;

/// <summary>
/// Writes a <c>metadata/types.api</c> response in the normalised snapshot form of <c>schema/README.md</c>: keys of
/// every object in ordinal order, <c>data</c> ordered by <c>class_name</c>, each type's <c>fields</c>,
/// <c>associations</c> and <c>actions</c> ordered by <c>name</c>, the <c>picklists</c> extension by <c>picklist_id</c>
/// with each one's <c>entries</c> in ordinal order, 2-space indentation, LF line endings and exactly one final newline. Values keep their wire text (numbers are copied verbatim).
/// </summary>
public static class SchemaNormaliser
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentCharacter = ' ',
        IndentSize = 2,
        NewLine = "\n",
        // Snapshots are files for people and diffs: keep non-ASCII text readable instead of \u-escaping it.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = 256 };

    /// <summary>The keys of a type whose array elements are ordered by <c>name</c>.</summary>
    private static readonly HashSet<string> NamedMemberArrays = new(StringComparer.Ordinal) { "fields", "associations", "actions" };

    /// <summary>Parses JSON text (throws <see cref="JsonException"/> with line and position when malformed).</summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8) => JsonDocument.Parse(utf8, ReadOptions);

    /// <summary>Normalises a snapshot (or a raw response) given as UTF-8 text.</summary>
    /// <exception cref="JsonException">The text is not JSON.</exception>
    /// <exception cref="SnapshotFormatException">The JSON is not a types response.</exception>
    public static byte[] Normalise(ReadOnlyMemory<byte> utf8)
    {
        using var document = Parse(utf8);
        return Normalise(document.RootElement);
    }

    /// <summary>Normalises a parsed snapshot envelope.</summary>
    /// <exception cref="SnapshotFormatException">The JSON is not a types response.</exception>
    public static byte[] Normalise(JsonElement envelope)
    {
        CheckShape(envelope);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteValue(writer, envelope, Context.Envelope);
        }
        var result = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(result);
        result[^1] = (byte)'\n';
        return result;
    }

    /// <summary>Builds and normalises an envelope <c>{data, flash, success, total, updates}</c> around a list of types,
    /// with the snapshot's <c>picklists</c> extension when <paramref name="picklists"/> is given (see schema/README.md).</summary>
    public static byte[] NormaliseTypes(IReadOnlyList<JsonElement> types, IReadOnlyList<(int Id, string Name, IReadOnlyList<string> Entries)>? picklists = null)
    {
        ArgumentNullException.ThrowIfNull(types);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("data");
            foreach (var type in types)
                type.WriteTo(writer);
            writer.WriteEndArray();
            writer.WriteString("flash", "");
            if (picklists is not null)
            {
                writer.WriteStartArray("picklists");
                foreach (var (id, name, entries) in picklists.OrderBy(p => p.Id))
                {
                    writer.WriteStartObject();
                    writer.WriteStartArray("entries");
                    foreach (var entry in entries)
                        writer.WriteStringValue(entry);
                    writer.WriteEndArray();
                    writer.WriteString("name", name);
                    writer.WriteNumber("picklist_id", id);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            }
            writer.WriteBoolean("success", true);
            writer.WriteNumber("total", types.Count);
            writer.WriteStartObject("updates");
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return Normalise(buffer.WrittenMemory);
    }

    /// <summary>Checks the envelope has a <c>data</c> array of objects, each with a string <c>class_name</c>.</summary>
    public static void CheckShape(JsonElement envelope)
    {
        if (envelope.ValueKind != JsonValueKind.Object)
            throw new SnapshotFormatException($"expected a JSON object with a \"data\" array, found {Describe(envelope.ValueKind)}");
        if (!envelope.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw new SnapshotFormatException("expected a \"data\" array of types at the top level");
        var index = 0;
        foreach (var type in data.EnumerateArray())
        {
            if (type.ValueKind != JsonValueKind.Object)
                throw new SnapshotFormatException($"data[{index}] is {Describe(type.ValueKind)}, not a type object");
            if (!type.TryGetProperty("class_name", out var name) || name.ValueKind != JsonValueKind.String)
                throw new SnapshotFormatException($"data[{index}] has no string \"class_name\"");
            index++;
        }
    }

    private enum Context { Other, Envelope, Type, TypeMemberArray, Data, Picklists, Picklist, PicklistEntries }

    private static void WriteValue(Utf8JsonWriter writer, JsonElement value, Context context)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                var properties = value.EnumerateObject().ToList();
                // OrderBy is stable: duplicate keys (not expected) keep their relative order.
                foreach (var property in properties.OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    var child = context switch
                    {
                        Context.Envelope when property.NameEquals("data") => Context.Data,
                        Context.Envelope when property.NameEquals("picklists") => Context.Picklists,
                        Context.Picklist when property.NameEquals("entries") => Context.PicklistEntries,
                        Context.Type when NamedMemberArrays.Contains(property.Name) => Context.TypeMemberArray,
                        _ => Context.Other,
                    };
                    WriteValue(writer, property.Value, child);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                IEnumerable<JsonElement> items = value.EnumerateArray();
                var itemContext = Context.Other;
                if (context == Context.Data)
                {
                    items = items.OrderBy(t => SortKey(t, "class_name"), StringComparer.Ordinal);
                    itemContext = Context.Type;
                }
                else if (context == Context.TypeMemberArray)
                {
                    items = items.OrderBy(t => SortKey(t, "name"), StringComparer.Ordinal);
                }
                else if (context == Context.Picklists)
                {
                    // The extension: picklists by id, each one's entries in ordinal order.
                    items = items.OrderBy(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("picklist_id", out var id) && id.TryGetInt64(out var n) ? n : long.MaxValue);
                    itemContext = Context.Picklist;
                }
                else if (context == Context.PicklistEntries)
                {
                    items = items.OrderBy(e => e.ValueKind == JsonValueKind.String ? e.GetString() : "", StringComparer.Ordinal);
                }
                foreach (var item in items)
                    WriteValue(writer, item, itemContext);
                writer.WriteEndArray();
                break;
            default:
                // Strings are re-encoded; numbers, booleans and null are copied as they were written.
                value.WriteTo(writer);
                break;
        }
    }

    private static string SortKey(JsonElement element, string key) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : "";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}

/// <summary>The file is JSON but not a <c>metadata/types.api</c> response.</summary>
public sealed class SnapshotFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SnapshotFormatException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public SnapshotFormatException() { }

    /// <summary>Creates the exception.</summary>
    public SnapshotFormatException(string message, Exception innerException) : base(message, innerException) { }
}
