using System.Globalization;
using System.Text.Json;
using Workbooks.Records;
using Workbooks.Transport;

namespace Workbooks.Changes;

/// <summary>
/// The response to a change request (create, update, delete): the overall verdict and one
/// <see cref="ChangeObjectResult"/> per object, in request order. Every documented variant is accepted:
/// <c>affected_object_information: [{}]</c>, failures without <c>affected_objects</c>, <c>errors</c> keyed
/// <c>"[]"</c> or <c>"[i]"</c>, messages as strings or arrays.
/// </summary>
internal sealed class ChangeResponse
{
    private ChangeResponse(bool success, string? flash, IReadOnlyList<string> failures, JsonElement? errors,
        IReadOnlyList<ChangeObjectResult> objects)
    {
        Success = success;
        Flash = flash;
        Failures = failures;
        Errors = errors;
        Objects = objects;
    }

    /// <summary><c>success</c> (false when the service did not send it).</summary>
    public bool Success { get; }

    /// <summary><c>flash</c>, e.g. <c>Updated successfully</c>.</summary>
    public string? Flash { get; }

    /// <summary><c>failures</c>: diagnostics such as the stale <c>lock_version</c> message (empty when none).</summary>
    public IReadOnlyList<string> Failures { get; }

    /// <summary>The top-level <c>errors</c> object exactly as sent (keyed <c>"[]"</c> or <c>"[i]"</c>), or null.</summary>
    public JsonElement? Errors { get; }

    /// <summary>One result per object of the request, in request order.</summary>
    public IReadOnlyList<ChangeObjectResult> Objects { get; }

    /// <summary>Whether the response and every object succeeded, with no <c>failures</c>.</summary>
    public bool AllSucceeded => Success && Failures.Count == 0 && Objects.All(o => o.Success);

    /// <summary>Reads a change response body.</summary>
    /// <exception cref="WorkbooksProtocolException">The body is not JSON or not a JSON object.</exception>
    public static async Task<ChangeResponse> ParseAsync(Stream body, CancellationToken cancellationToken = default)
        => FromElement(await ResponseJson.ParseBodyAsync(body, "change response", cancellationToken).ConfigureAwait(false));

    /// <summary>Reads a change response body held in memory.</summary>
    /// <exception cref="WorkbooksProtocolException">The body is not JSON or not a JSON object.</exception>
    public static ChangeResponse Parse(ReadOnlyMemory<byte> body) => FromElement(ResponseJson.ParseBody(body, "change response"));

    /// <summary>Reads a change response from a parsed body.</summary>
    /// <exception cref="WorkbooksProtocolException">The body is not a JSON object.</exception>
    public static ChangeResponse FromElement(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new WorkbooksProtocolException($"The change response is a JSON {root.ValueKind}, not an object.");

        var success = ResponseJson.GetBoolean(root, "success") ?? false;
        var flash = ResponseJson.GetString(root, "flash");
        var failures = ReadFailures(root);
        JsonElement? errors = ResponseJson.TryGet(root, "errors", out var e) && e.ValueKind != JsonValueKind.Null ? e : null;

        var affected = Array(root, "affected_objects");
        var information = Array(root, "affected_object_information");
        var objectErrors = Array(root, "affected_object_errors");
        var indexedErrors = IndexedErrors(errors);

        var count = Math.Max(affected.Count, Math.Max(information.Count, objectErrors.Count));
        if (indexedErrors.Count > 0)
            count = Math.Max(count, indexedErrors.Keys.Max() + 1);

        var objects = new ChangeObjectResult[count];
        for (var i = 0; i < count; i++)
        {
            var fields = i < affected.Count ? affected[i] : default;
            var info = i < information.Count ? information[i] : default;
            foreach (var key in KeyFields)
            {
                // What later changes of the record are sent with: refuse the answer rather than keep a wrong one.
                if (!ResponseJson.TryGet(fields, key, out var value) || value.ValueKind == JsonValueKind.Null)
                    continue;
                var number = ResponseJson.AsInt64(value);
                if (number is not >= 0 || (key == "lock_version" && number > int.MaxValue))
                    throw new WorkbooksProtocolException($"The change answer gives object {i} the {key} {value.GetRawText()}, which is not a valid {key}.");
            }

            var errorMessages = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            if (i < objectErrors.Count)
                ResponseJson.MergeMessages(errorMessages, objectErrors[i]);
            if (ResponseJson.TryGet(info, "errors", out var infoErrors))
                ResponseJson.MergeMessages(errorMessages, infoErrors);
            if (indexedErrors.TryGetValue(i, out var topErrors))
                ResponseJson.MergeMessages(errorMessages, topErrors);

            var warnings = ResponseJson.TryGet(info, "warnings", out var w) ? ResponseJson.ReadMessages(w) : ResponseJson.EmptyMessages;
            var objectSuccess = ResponseJson.GetBoolean(info, "success")
                ?? (errorMessages.Count == 0 && success);
            objects[i] = new ChangeObjectResult(i, objectSuccess, fields, ResponseJson.Freeze(errorMessages), warnings,
                ReadMessages(info));
        }
        return new ChangeResponse(success, flash, failures, errors, objects);
    }

    private static readonly string[] KeyFields = ["id", "lock_version"];

    private static List<JsonElement> Array(JsonElement root, string name)
    {
        var list = new List<JsonElement>();
        if (ResponseJson.TryGet(root, name, out var value) && value.ValueKind == JsonValueKind.Array)
            list.AddRange(value.EnumerateArray());
        return list;
    }

    /// <summary>The per-object entries of the top-level errors: <c>"[]"</c> is the (only) first object, <c>"[i]"</c> object i.</summary>
    private static Dictionary<int, JsonElement> IndexedErrors(JsonElement? errors)
    {
        var result = new Dictionary<int, JsonElement>();
        if (errors is not { ValueKind: JsonValueKind.Object } obj)
            return result;
        foreach (var property in obj.EnumerateObject())
        {
            var key = property.Name;
            if (key.Length < 2 || key[0] != '[' || key[^1] != ']' || property.Value.ValueKind != JsonValueKind.Object)
                continue;
            var inner = key.AsSpan(1, key.Length - 2);
            if (inner.IsEmpty)
                result[0] = property.Value;
            else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                result[index] = property.Value;
        }
        return result;
    }

    private static string[] ReadFailures(JsonElement root)
    {
        if (!ResponseJson.TryGet(root, "failures", out var value))
            return [];
        var list = new List<string>();
        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
                ResponseJson.AddMessages(list, property.Value);
        }
        else
        {
            ResponseJson.AddMessages(list, value);
        }
        return list.ToArray();
    }

    private static ChangeMessage[] ReadMessages(JsonElement info)
    {
        if (!ResponseJson.TryGet(info, "message", out var value) && !ResponseJson.TryGet(info, "messages", out value))
            return [];
        var items = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : [value];
        var messages = new List<ChangeMessage>(items.Length);
        foreach (var item in items)
        {
            if (item.ValueKind == JsonValueKind.Object)
                messages.Add(new ChangeMessage(ResponseJson.GetString(item, "title"), ResponseJson.GetString(item, "body")));
            else if (ResponseJson.AsString(item) is { } text)
                messages.Add(new ChangeMessage(null, text));
        }
        return messages.ToArray();
    }
}

/// <summary>The outcome of one object of a change request.</summary>
internal sealed class ChangeObjectResult
{
    private static readonly IReadOnlyDictionary<string, JsonElement> NoFields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);

    internal ChangeObjectResult(int index, bool success, JsonElement fields,
        IReadOnlyDictionary<string, IReadOnlyList<string>> errors,
        IReadOnlyDictionary<string, IReadOnlyList<string>> warnings, IReadOnlyList<ChangeMessage> messages)
    {
        Index = index;
        Success = success;
        Errors = errors;
        Warnings = warnings;
        Messages = messages;
        if (fields.ValueKind == JsonValueKind.Object)
        {
            var dictionary = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in fields.EnumerateObject())
                dictionary[property.Name] = property.Value;
            Fields = dictionary;
            Id = ResponseJson.GetInt64(fields, "id");
            LockVersion = ResponseJson.GetInt32(fields, "lock_version");
        }
        else
        {
            Fields = NoFields;
        }
    }

    /// <summary>The object's position in the request.</summary>
    public int Index { get; }

    /// <summary>Whether the object was changed: its <c>affected_object_information</c> <c>success</c>, or (when the
    /// service left it out, as in <c>[{}]</c>) the absence of errors in a successful response.</summary>
    public bool Success { get; }

    /// <summary>The object's <c>affected_objects</c> entry: <c>id</c>, <c>lock_version</c> and the fields the change
    /// touched (empty when the service sent none, e.g. a failed request).</summary>
    public IReadOnlyDictionary<string, JsonElement> Fields { get; }

    /// <summary>The object's <c>id</c> after the change (the new id of a created record), when sent.</summary>
    public long? Id { get; }

    /// <summary>The object's <c>lock_version</c> after the change, when sent.</summary>
    public int? LockVersion { get; }

    /// <summary>Errors by field, merged from <c>affected_object_errors</c>, <c>affected_object_information[].errors</c>
    /// and the top-level <c>errors["[i]"]</c> (duplicates removed).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Errors { get; }

    /// <summary>Warnings by field from <c>affected_object_information[].warnings</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Warnings { get; }

    /// <summary>Out-of-band notices (<c>affected_object_information[].message</c>), e.g. a home-currency change.</summary>
    public IReadOnlyList<ChangeMessage> Messages { get; }

    /// <summary>The affected fields as a new <see cref="WorkbooksRecord"/> (all fields kept as sent).</summary>
    public WorkbooksRecord ToRecord()
    {
        var record = new WorkbooksRecord();
        ApplyTo(record);
        return record;
    }

    /// <summary>Applies the affected fields to a record as if the service had sent them (id and lock_version included).</summary>
    public void ApplyTo(WorkbooksRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        foreach (var (name, value) in Fields)
            record.SetRaw(name, value);
    }
}

/// <summary>A notice attached to a changed object (<c>{title, body}</c>).</summary>
/// <param name="Title">The title, e.g. <c>Information</c>.</param>
/// <param name="Body">The text.</param>
public sealed record ChangeMessage(string? Title, string? Body);
