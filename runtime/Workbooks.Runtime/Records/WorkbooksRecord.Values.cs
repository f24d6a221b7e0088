using System.Buffers.Text;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Workbooks.Records;

/// <summary>Typed access to fields: getters parse what the service sent (or a pending change); setters format changes.</summary>
public sealed partial class WorkbooksRecord
{
    // ------------------------------------------------------------------------------------------------ getters

    /// <summary>
    /// A field as text: a pending change, else the service's string (numbers and booleans as their JSON text).
    /// Null when the field is absent or null.
    /// </summary>
    public string? GetString(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryGetChange(name, out var change)) return change.Text;
        if (!TryGetSent(name, out var raw)) return null;
        return raw.Kind switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => raw.GetString(),
            _ => raw.Text,
        };
    }

    /// <summary>An integer field; null when absent, null or blank.</summary>
    /// <exception cref="WorkbooksProtocolException">The value is not an integer.</exception>
    public long? GetInt64(string name)
    {
        if (!TryGetValue(name, out var raw, out var text)) return null;
        if (text is null)
        {
            if (raw.Kind == JsonTokenType.Number && raw.TryGetInt64(out var n)) return n;
            if (raw.Kind == JsonTokenType.Number && WorkbooksValues.TryParseInt64(raw.Text, out n)) return n;
            throw NotA(name, raw.Text, "an integer");
        }
        return WorkbooksValues.TryParseInt64(text, out var v) ? v : throw NotA(name, text, "an integer");
    }

    /// <summary>A 32-bit integer field; null when absent, null or blank.</summary>
    /// <exception cref="WorkbooksProtocolException">The value is not an integer or does not fit in 32 bits.</exception>
    public int? GetInt32(string name)
    {
        var value = GetInt64(name);
        if (value is null) return null;
        if (value is < int.MinValue or > int.MaxValue)
            throw NotA(name, value.Value.ToString(CultureInfo.InvariantCulture), "a 32-bit integer");
        return (int)value.Value;
    }

    /// <summary>A decimal field; null when absent, null or blank.</summary>
    /// <exception cref="WorkbooksProtocolException">The value is not a number.</exception>
    public decimal? GetDecimal(string name)
    {
        if (!TryGetValue(name, out var raw, out var text)) return null;
        text ??= raw.Kind == JsonTokenType.Number ? raw.Text : throw NotA(name, raw.Text, "a decimal number");
        return WorkbooksValues.TryParseDecimal(text, out var v) ? v : throw NotA(name, text, "a decimal number");
    }

    /// <summary>A float field; null when absent, null or blank.</summary>
    /// <exception cref="WorkbooksProtocolException">The value is not a finite number.</exception>
    public double? GetDouble(string name)
    {
        if (!TryGetValue(name, out var raw, out var text)) return null;
        text ??= raw.Kind == JsonTokenType.Number ? raw.Text : throw NotA(name, raw.Text, "a number");
        return WorkbooksValues.TryParseDouble(text, out var v) ? v : throw NotA(name, text, "a number");
    }

    /// <summary>A boolean field (JSON true/false, 1/0, or a string such as <c>true</c>/<c>yes</c>/<c>1</c>); null when absent, null or blank.</summary>
    /// <exception cref="WorkbooksProtocolException">The value is not a recognised boolean.</exception>
    public bool? GetBoolean(string name)
    {
        if (!TryGetValue(name, out var raw, out var text)) return null;
        if (text is null)
        {
            switch (raw.Kind)
            {
                case JsonTokenType.True: return true;
                case JsonTokenType.False: return false;
                case JsonTokenType.Number: text = raw.Text; break;
                default: throw NotA(name, raw.Text, "a boolean");
            }
        }
        return WorkbooksValues.TryParseBoolean(text, out var v) ? v : throw NotA(name, text, "a boolean");
    }

    /// <summary>A date field; null when absent, null or blank. Epoch seconds (JSON numbers) are read as UTC dates.</summary>
    /// <exception cref="WorkbooksProtocolException">The value is not a date.</exception>
    public DateOnly? GetDate(string name)
    {
        if (!TryGetValue(name, out var raw, out var text)) return null;
        if (text is null)
        {
            if (raw.Kind == JsonTokenType.Number && raw.TryGetInt64(out var epoch) && WorkbooksValues.TryFromEpochSeconds(epoch, out var instant))
                return DateOnly.FromDateTime(instant.UtcDateTime);
            throw NotA(name, raw.Text, "a date");
        }
        return WorkbooksValues.TryParseDate(text, out var v) ? v : throw NotA(name, text, "a date");
    }

    /// <summary>
    /// A date-time field as a UTC instant (offset zero); null when absent, null or blank. Epoch seconds (sent as JSON
    /// numbers when the session asks for <c>_json_output_datetime_format=%s</c>) are accepted.
    /// </summary>
    /// <exception cref="WorkbooksProtocolException">The value is not a date-time.</exception>
    public DateTimeOffset? GetDateTime(string name)
    {
        // Most values are in the documented default format: read them from the bytes without making a string.
        if (_changes is null && TryGetSent(name, out var sent) && sent.TryGetDefaultDateTime(out var fast)) return fast;
        if (!TryGetValue(name, out var raw, out var text)) return null;
        if (text is null)
        {
            if (raw.Kind == JsonTokenType.Number && raw.TryGetInt64(out var epoch) && WorkbooksValues.TryFromEpochSeconds(epoch, out var instant))
                return instant;
            throw NotA(name, raw.Text, "a date-time");
        }
        return WorkbooksValues.TryParseDateTime(text, out var v) ? v : throw NotA(name, text, "a date-time");
    }

    /// <summary>A time-of-day field; null when absent, null or blank.</summary>
    /// <exception cref="WorkbooksProtocolException">The value is not a time.</exception>
    public TimeOnly? GetTime(string name)
    {
        if (!TryGetValue(name, out var raw, out var text)) return null;
        if (text is null) throw NotA(name, raw.Text, "a time");
        return WorkbooksValues.TryParseTime(text, out var v) ? v : throw NotA(name, text, "a time");
    }

    /// <summary>A currency field; null when absent, null or blank. A bare JSON number is an amount without a code.</summary>
    /// <exception cref="WorkbooksProtocolException">The value is not a currency value.</exception>
    public WorkbooksCurrency? GetCurrency(string name)
    {
        if (!TryGetValue(name, out var raw, out var text)) return null;
        text ??= raw.Kind == JsonTokenType.Number ? raw.Text : throw NotA(name, raw.Text, "a currency value");
        return WorkbooksValues.TryParseCurrency(text, out var v) ? v : throw NotA(name, text, "a currency value");
    }

    /// <summary>An <c>array</c> field (<c>[a,b,c]</c>, or a JSON array); null when absent or null.</summary>
    /// <exception cref="WorkbooksProtocolException">The value is not an array.</exception>
    public IReadOnlyList<string>? GetArray(string name)
    {
        if (!TryGetValue(name, out var raw, out var text, blankIsNull: false)) return null;
        if (text is null)
        {
            if (raw.Kind == JsonTokenType.StartArray) return raw.Elements();
            throw NotA(name, raw.Text, "an array");
        }
        if (string.IsNullOrWhiteSpace(text)) return [];
        return WorkbooksValues.TryParseArray(text, out var v) ? v : throw NotA(name, text, "an array");
    }

    /// <summary>A <c>tag_array</c> field (<c>a, b, c</c>, or a JSON array); null when absent or null, empty when blank.</summary>
    /// <exception cref="WorkbooksProtocolException">The value is neither a string nor an array.</exception>
    public IReadOnlyList<string>? GetTags(string name)
    {
        if (!TryGetValue(name, out var raw, out var text, blankIsNull: false)) return null;
        if (text is null)
        {
            if (raw.Kind == JsonTokenType.StartArray) return raw.Elements();
            throw NotA(name, raw.Text, "a list of tags");
        }
        return WorkbooksValues.ParseTags(text);
    }

    /// <summary>
    /// The value to parse: false when absent or null (or blank text, unless <paramref name="blankIsNull"/> is false);
    /// otherwise <paramref name="text"/> holds the string (from a pending change or a JSON string) or is null and
    /// <paramref name="raw"/> holds the non-string JSON value.
    /// </summary>
    private bool TryGetValue(string name, out RawValue raw, out string? text, bool blankIsNull = true)
    {
        ArgumentNullException.ThrowIfNull(name);
        raw = default;
        text = null;
        if (TryGetChange(name, out var change))
        {
            text = change.Text;
        }
        else
        {
            if (!TryGetSent(name, out raw) || raw.Kind == JsonTokenType.Null) return false;
            if (raw.Kind != JsonTokenType.String) return true;
            text = raw.GetString();
        }
        if (text is null) return false;
        return !blankIsNull || !string.IsNullOrWhiteSpace(text);
    }

    /// <summary>A field's JSON as sent (or as applied from <c>affected_objects</c>).</summary>
    private bool TryGetSent(string name, out RawValue raw)
    {
        if (_overrides is { } overrides && overrides.TryGetValue(name, out var element))
        {
            raw = element.ValueKind == JsonValueKind.Undefined ? new RawValue("null"u8) : new RawValue(JsonMarshal.GetRawUtf8Value(element));
            return true;
        }
        var found = TryFindSent(name, out var json);
        raw = new RawValue(json);
        return found;
    }

    /// <summary>One JSON value's bytes (no surrounding whitespace), decoded on demand.</summary>
    private readonly ref struct RawValue(ReadOnlySpan<byte> json)
    {
        private readonly ReadOnlySpan<byte> _json = json;

        public JsonTokenType Kind => _json.IsEmpty ? JsonTokenType.None : _json[0] switch
        {
            (byte)'"' => JsonTokenType.String,
            (byte)'t' => JsonTokenType.True,
            (byte)'f' => JsonTokenType.False,
            (byte)'n' => JsonTokenType.Null,
            (byte)'[' => JsonTokenType.StartArray,
            (byte)'{' => JsonTokenType.StartObject,
            _ => JsonTokenType.Number,
        };

        /// <summary>The JSON text as sent.</summary>
        public string Text => Encoding.UTF8.GetString(_json);

        /// <summary>A string value, unescaped.</summary>
        public string GetString()
        {
            var inner = _json[1..^1];
            if (!inner.Contains((byte)'\\'))
                return Encoding.UTF8.GetString(inner);
            var reader = new Utf8JsonReader(_json);
            reader.Read();
            return reader.GetString()!;
        }

        public bool TryGetDefaultDateTime(out DateTimeOffset value)
        {
            value = default;
            return _json.Length == 30 && _json[0] == (byte)'"' && WorkbooksValues.TryParseDefaultDateTime(_json[1..^1], out value);
        }

        public bool TryGetInt64(out long value) => Utf8Parser.TryParse(_json, out value, out var used) && used == _json.Length;

        /// <summary>An array's elements: strings unescaped, anything else as its JSON text.</summary>
        public List<string> Elements()
        {
            var list = new List<string>();
            var reader = new Utf8JsonReader(_json);
            reader.Read();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.String)
                {
                    list.Add(reader.GetString()!);
                    continue;
                }
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                list.Add(Encoding.UTF8.GetString(_json[start..(int)reader.BytesConsumed]));
            }
            return list;
        }
    }

    private static WorkbooksProtocolException NotA(string name, string text, string what) =>
        new($"The field '{name}' holds '{text}', which is not {what}.");

    // ------------------------------------------------------------------------------------------------ setters

    /// <summary>Sets a text field (string, text, picklist, uri…); null clears it.</summary>
    public void Set(string name, string? value) => SetChange(name, value is null ? WireText.Null : WireText.Of(value));

    /// <summary>Sets an integer field (also has_one ids); null clears it.</summary>
    public void Set(string name, long? value) =>
        SetChange(name, value is { } v ? WireText.Of(WorkbooksValues.FormatInt64(v)) : WireText.Null);

    /// <summary>Sets a decimal field; null clears it.</summary>
    public void Set(string name, decimal? value) =>
        SetChange(name, value is { } v ? WireText.Of(WorkbooksValues.FormatDecimal(v)) : WireText.Null);

    /// <summary>Sets a float field; null clears it.</summary>
    /// <exception cref="ArgumentException">The value is NaN or infinite.</exception>
    public void Set(string name, double? value) =>
        SetChange(name, value is { } v ? WireText.Of(WorkbooksValues.FormatDouble(v)) : WireText.Null);

    /// <summary>Sets a boolean field (sent as <c>1</c>/<c>0</c>); null clears it.</summary>
    public void Set(string name, bool? value) =>
        SetChange(name, value is { } v ? WireText.Of(WorkbooksValues.FormatBoolean(v)) : WireText.Null);

    /// <summary>Sets a date field (sent as <c>%e %b %Y</c>); null clears it.</summary>
    public void Set(string name, DateOnly? value) =>
        SetChange(name, value is { } v ? WireText.Of(WorkbooksValues.FormatDate(v)) : WireText.Null);

    /// <summary>Sets a date-time field (sent in UTC, whole seconds); null clears it.</summary>
    public void Set(string name, DateTimeOffset? value) =>
        SetChange(name, value is { } v ? WireText.Of(WorkbooksValues.FormatDateTime(v)) : WireText.Null);

    /// <summary>Sets a time field (sent as <c>%H:%M:%S</c>); null clears it.</summary>
    public void Set(string name, TimeOnly? value) =>
        SetChange(name, value is { } v ? WireText.Of(WorkbooksValues.FormatTime(v)) : WireText.Null);

    /// <summary>Sets a currency field (sent as <c>amount code flags</c>); null clears it.</summary>
    /// <exception cref="ArgumentException">The value cannot be represented (see <see cref="WorkbooksValues.FormatCurrency"/>).</exception>
    public void Set(string name, WorkbooksCurrency? value) =>
        SetChange(name, value is { } v ? WireText.Of(WorkbooksValues.FormatCurrency(v)) : WireText.Null);

    /// <summary>Sets an <c>array</c> field (sent as <c>[a,b,c]</c>); null clears it.</summary>
    /// <exception cref="ArgumentException">A value contains a comma.</exception>
    public void SetArray(string name, IEnumerable<string>? values) =>
        SetChange(name, values is null ? WireText.Null : WireText.Of(WorkbooksValues.FormatArray(values)));

    /// <summary>Sets an <c>array</c> field of integers such as ids (sent as <c>[1,2]</c>); null clears it.</summary>
    public void SetArray(string name, IEnumerable<long>? values) =>
        SetChange(name, values is null ? WireText.Null : WireText.Of(WorkbooksValues.FormatArray(values)));

    /// <summary>Sets a <c>tag_array</c> field (sent as <c>a, b, c</c>); null clears it.</summary>
    /// <exception cref="ArgumentException">A tag is blank or contains a comma.</exception>
    public void SetTags(string name, IEnumerable<string>? tags) =>
        SetChange(name, tags is null ? WireText.Null : WireText.Of(WorkbooksValues.FormatTags(tags)));

    /// <summary>Clears a field (<c>:null_value:</c> on the wire), whatever its type.</summary>
    public void SetNull(string name) => SetChange(name, WireText.Null);
}
