using System.Globalization;
using System.Text.Json;

namespace Workbooks.Transport;

/// <summary>Tolerant accessors for the loosely typed values of Workbooks response bodies.</summary>
internal static class ResponseJson
{
    internal static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> EmptyMessages =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    internal static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value))
            return true;
        value = default;
        return false;
    }

    /// <summary>A string property; numbers and booleans are returned as their JSON text; null or absent gives null.</summary>
    internal static string? GetString(JsonElement obj, string name)
        => TryGet(obj, name, out var value) ? AsString(value) : null;

    internal static string? AsString(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    /// <summary>An integer property, accepting a number or a numeric string.</summary>
    internal static long? GetInt64(JsonElement obj, string name)
        => TryGet(obj, name, out var value) ? AsInt64(value) : null;

    internal static long? AsInt64(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n))
            return n;
        if (value.ValueKind == JsonValueKind.String
            && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out n))
            return n;
        return null;
    }

    internal static int? GetInt32(JsonElement obj, string name)
        => GetInt64(obj, name) is { } n and >= int.MinValue and <= int.MaxValue ? (int)n : null;

    /// <summary>A boolean property, accepting true/false, "true"/"false", 1/0.</summary>
    internal static bool? GetBoolean(JsonElement obj, string name)
    {
        if (!TryGet(obj, name, out var value))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out var b) => b,
            JsonValueKind.Number when value.TryGetInt64(out var n) => n != 0,
            _ => null,
        };
    }

    /// <summary>The messages of one value: a string, an array of strings, or anything else as its JSON text.</summary>
    internal static void AddMessages(List<string> target, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                    AddMessages(target, item);
                break;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                break;
            default:
                var text = AsString(value);
                if (!string.IsNullOrEmpty(text) && !target.Contains(text))
                    target.Add(text);
                break;
        }
    }

    /// <summary>Merges an object of <c>field: message</c> or <c>field: [messages]</c> into <paramref name="target"/>.</summary>
    internal static void MergeMessages(Dictionary<string, List<string>> target, JsonElement obj)
    {
        if (obj.ValueKind != JsonValueKind.Object)
            return;
        foreach (var property in obj.EnumerateObject())
        {
            if (!target.TryGetValue(property.Name, out var list))
            {
                list = [];
                target[property.Name] = list;
            }
            AddMessages(list, property.Value);
            if (list.Count == 0)
                target.Remove(property.Name);
        }
    }

    internal static IReadOnlyDictionary<string, IReadOnlyList<string>> Freeze(Dictionary<string, List<string>> messages)
    {
        if (messages.Count == 0)
            return EmptyMessages;
        var frozen = new Dictionary<string, IReadOnlyList<string>>(messages.Count, StringComparer.Ordinal);
        foreach (var (key, list) in messages)
            frozen[key] = list.ToArray();
        return frozen;
    }

    internal static IReadOnlyDictionary<string, IReadOnlyList<string>> ReadMessages(JsonElement obj)
    {
        var messages = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        MergeMessages(messages, obj);
        return Freeze(messages);
    }

    /// <summary>Reads a whole (small) body into a JSON document, mapping malformed JSON to a protocol exception.</summary>
    internal static async Task<JsonElement> ParseBodyAsync(Stream body, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            using var document = await JsonDocument.ParseAsync(body, default, cancellationToken).ConfigureAwait(false);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new WorkbooksProtocolException($"The {what} is not valid JSON: {ex.Message}", ex);
        }
    }

    internal static JsonElement ParseBody(ReadOnlyMemory<byte> body, string what)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new WorkbooksProtocolException($"The {what} is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>A one-line description of a failure body for an exception message.</summary>
    internal static string DescribeFailure(string prefix, string? flash, IReadOnlyDictionary<string, IReadOnlyList<string>> errors)
    {
        var text = prefix;
        if (!string.IsNullOrEmpty(flash))
            text += ": " + flash;
        if (errors.Count > 0)
            text += " (" + string.Join("; ", errors.Select(e => e.Key + ": " + string.Join(", ", e.Value))) + ")";
        return text;
    }
}
