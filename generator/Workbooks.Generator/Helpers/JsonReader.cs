using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Workbooks.Generator.Helpers;

// Why not System.Text.Json: inside a netstandard2.0 generator it must be loaded by the host (IDE or compiler) and
// is a known cause of load failures unless packed with all its dependencies. The schema needs only a tree with the
// position of every token (for diagnostics that point into the file), which this small reader gives with none.

/// <summary>A parsed JSON value and where it is in the text (UTF-16 offsets, end exclusive).</summary>
internal abstract class JsonNode
{
    protected JsonNode(int start, int end)
    {
        Start = start;
        End = end;
    }

    public int Start { get; }

    public int End { get; set; }
}

internal sealed class JsonObject(int start) : JsonNode(start, start + 1)
{
    public List<JsonProperty> Properties { get; } = [];

    /// <summary>The first property of this name (the reader keeps duplicates; the schema has none).</summary>
    public JsonNode? Get(string name)
    {
        foreach (var property in Properties)
        {
            if (property.Name == name)
                return property.Value;
        }
        return null;
    }

    /// <summary>A string property, or null when absent or not a string.</summary>
    public string? GetString(string name) => (Get(name) as JsonString)?.Value;

    /// <summary>A boolean property, or <paramref name="fallback"/> when absent or not a boolean.</summary>
    public bool GetBoolean(string name, bool fallback) => Get(name) is JsonLiteral { Kind: JsonLiteralKind.True or JsonLiteralKind.False } literal
        ? literal.Kind == JsonLiteralKind.True
        : fallback;
}

internal sealed class JsonProperty(string name, JsonString nameNode, JsonNode value)
{
    public string Name { get; } = name;

    public JsonString NameNode { get; } = nameNode;

    public JsonNode Value { get; } = value;
}

internal sealed class JsonArray(int start) : JsonNode(start, start + 1)
{
    public List<JsonNode> Items { get; } = [];
}

internal sealed class JsonString(int start, int end, string value) : JsonNode(start, end)
{
    public string Value { get; } = value;
}

internal sealed class JsonNumber(int start, int end, string text) : JsonNode(start, end)
{
    public string Text { get; } = text;
}

internal enum JsonLiteralKind
{
    Null,
    True,
    False,
}

internal sealed class JsonLiteral(int start, int end, JsonLiteralKind kind) : JsonNode(start, end)
{
    public JsonLiteralKind Kind { get; } = kind;
}

/// <summary>The first syntax error: where and what.</summary>
internal sealed record JsonError(int Position, string Message);

/// <summary>A strict RFC 8259 reader (no comments, no trailing commas) that records token positions.</summary>
internal sealed class JsonReader
{
    private const int MaxDepth = 128;
    private readonly string _text;
    private int _position;
    private JsonError? _error;

    private JsonReader(string text) => _text = text;

    /// <summary>Parses <paramref name="text"/>: the root value, or null and the first error.</summary>
    public static JsonNode? Parse(string text, out JsonError? error)
    {
        var reader = new JsonReader(text);
        // A UTF-8 BOM decoded as U+FEFF is not whitespace to JSON but is harmless in a file.
        if (text.Length > 0 && text[0] == '\uFEFF')
            reader._position = 1;
        var root = reader.ReadValue(0);
        if (reader._error is null)
        {
            reader.SkipWhitespace();
            if (reader._position < text.Length)
                reader.Fail("Unexpected content after the end of the JSON value");
        }
        error = reader._error;
        return error is null ? root : null;
    }

    private JsonNode? Fail(string message, int? position = null)
    {
        _error ??= new JsonError(position ?? _position, message);
        return null;
    }

    private void SkipWhitespace()
    {
        while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\r' or '\n')
            _position++;
    }

    private JsonNode? ReadValue(int depth)
    {
        SkipWhitespace();
        if (_position >= _text.Length)
            return Fail("Unexpected end of file; a value was expected");
        if (depth > MaxDepth)
            return Fail("The JSON is nested too deeply");
        return _text[_position] switch
        {
            '{' => ReadObject(depth),
            '[' => ReadArray(depth),
            '"' => ReadString(),
            't' => ReadLiteral("true", JsonLiteralKind.True),
            'f' => ReadLiteral("false", JsonLiteralKind.False),
            'n' => ReadLiteral("null", JsonLiteralKind.Null),
            '-' or (>= '0' and <= '9') => ReadNumber(),
            var c => Fail(string.Format(CultureInfo.InvariantCulture, "Unexpected character '{0}'; a value was expected", c)),
        };
    }

    private JsonNode? ReadObject(int depth)
    {
        var node = new JsonObject(_position);
        _position++;
        SkipWhitespace();
        if (TryConsume('}'))
        {
            node.End = _position;
            return node;
        }
        while (true)
        {
            SkipWhitespace();
            if (_position >= _text.Length || _text[_position] != '"')
                return Fail("A property name in double quotes was expected");
            if (ReadString() is not JsonString name)
                return null;
            SkipWhitespace();
            if (!TryConsume(':'))
                return Fail("':' was expected after the property name");
            var value = ReadValue(depth + 1);
            if (value is null)
                return null;
            node.Properties.Add(new JsonProperty(name.Value, name, value));
            SkipWhitespace();
            if (TryConsume(','))
                continue;
            if (TryConsume('}'))
            {
                node.End = _position;
                return node;
            }
            return Fail("',' or '}' was expected");
        }
    }

    private JsonNode? ReadArray(int depth)
    {
        var node = new JsonArray(_position);
        _position++;
        SkipWhitespace();
        if (TryConsume(']'))
        {
            node.End = _position;
            return node;
        }
        while (true)
        {
            var value = ReadValue(depth + 1);
            if (value is null)
                return null;
            node.Items.Add(value);
            SkipWhitespace();
            if (TryConsume(','))
                continue;
            if (TryConsume(']'))
            {
                node.End = _position;
                return node;
            }
            return Fail("',' or ']' was expected");
        }
    }

    private JsonNode? ReadString()
    {
        var start = _position;
        _position++;
        StringBuilder? builder = null;
        var runStart = _position;
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (c == '"')
            {
                var value = builder is null
                    ? _text.Substring(runStart, _position - runStart)
                    : builder.Append(_text, runStart, _position - runStart).ToString();
                _position++;
                return new JsonString(start, _position, value);
            }
            if (c < ' ')
                return Fail("A control character is not allowed in a string");
            if (c != '\\')
            {
                _position++;
                continue;
            }
            builder ??= new StringBuilder();
            builder.Append(_text, runStart, _position - runStart);
            if (_position + 1 >= _text.Length)
                break;
            var escape = _text[_position + 1];
            _position += 2;
            switch (escape)
            {
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case '/': builder.Append('/'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u':
                    if (_position + 4 > _text.Length
                        || !int.TryParse(_text.Substring(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                        return Fail("'\\u' must be followed by four hex digits", _position - 2);
                    builder.Append((char)code);
                    _position += 4;
                    break;
                default:
                    return Fail("Invalid escape sequence in a string", _position - 2);
            }
            runStart = _position;
        }
        return Fail("Unterminated string", start);
    }

    private JsonNode? ReadNumber()
    {
        var start = _position;
        TryConsume('-');
        if (TryConsume('0'))
        {
            // no leading zeros
        }
        else if (!ConsumeDigits())
        {
            return Fail("Invalid number");
        }
        if (TryConsume('.') && !ConsumeDigits())
            return Fail("Invalid number: digits expected after '.'");
        if (TryConsume('e') || TryConsume('E'))
        {
            _ = TryConsume('+') || TryConsume('-');
            if (!ConsumeDigits())
                return Fail("Invalid number: digits expected in the exponent");
        }
        return new JsonNumber(start, _position, _text.Substring(start, _position - start));
    }

    private bool ConsumeDigits()
    {
        var start = _position;
        while (_position < _text.Length && _text[_position] is >= '0' and <= '9')
            _position++;
        return _position > start;
    }

    private JsonNode? ReadLiteral(string literal, JsonLiteralKind kind)
    {
        if (string.CompareOrdinal(_text, _position, literal, 0, literal.Length) != 0)
            return Fail("Unexpected token; a value was expected");
        var start = _position;
        _position += literal.Length;
        return new JsonLiteral(start, _position, kind);
    }

    private bool TryConsume(char c)
    {
        if (_position < _text.Length && _text[_position] == c)
        {
            _position++;
            return true;
        }
        return false;
    }
}
