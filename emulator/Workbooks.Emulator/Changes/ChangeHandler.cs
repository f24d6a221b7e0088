using System.Globalization;
using System.Text.Json;
using Workbooks.Emulator.Http;
using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;
using Workbooks.Emulator.Storage;

namespace Workbooks.Emulator.Changes;

/// <summary>A stored file (an upload_files record's content).</summary>
internal sealed record StoredFile(byte[] Content, string FileName, string ContentType);

/// <summary>The settings of one change request (from the session and the request).</summary>
internal sealed record ChangeContext(EmulatorUser User, string? ApplicationName, bool PerObjectTransactions, bool StrictAttributeChecking, OutputFormats Formats, DateTime Now);

/// <summary>
/// The batched change request (PUT): a square array of records, each created, updated or deleted as its
/// <c>__method[]</c> says, inside the working set the filter selects. All-or-nothing unless per-object
/// transactions are asked for. Responses follow the guide's examples field for field.
/// </summary>
internal static class ChangeHandler
{
    public const string StaleMessage = "This record cannot be saved since it has already been updated elsewhere.";
    private const string NoValue = ":no_value:";
    private const string NullValue = ":null_value:";

    private enum Action { Create, Update, Delete }

    private sealed class Item
    {
        public Action Action;
        public long Id;
        public int LockVersion;
        public Record? Record;
        public readonly List<(FieldDef Field, object? Value)> Assignments = [];
        public StoredFile? File;
        public string? FileKey;
        public readonly Dictionary<string, List<string>> Errors = new(StringComparer.Ordinal);
        public bool Stale;
        public string? Refusal;
        public void Error(string field, string message)
        {
            if (!Errors.TryGetValue(field, out var list)) Errors[field] = list = [];
            list.Add(message);
        }
    }

    public static void Write(Utf8JsonWriter w, RecordTypeDef type, RequestParameters p, EmulatorDatabase database, ChangeContext context, int maxObjects)
    {
        var methodKey = p.GetArray("__method").Count > 0 || type.Field("method") is not null ? "__method" : "method";
        var methods = p.GetArray(methodKey);
        if (methods.Count == 0)
            throw new RequestRejectedException(406, "A change request needs __method[] (POST, PUT or DELETE) for each object.", "__method[]");
        if (methods.Count > maxObjects)
            throw new RequestRejectedException(406, string.Create(CultureInfo.InvariantCulture,
                $"You are limited to operating on no more than {maxObjects} objects per request; this request has {methods.Count}."), "__method[]");
        var n = methods.Count;
        var ids = p.GetArray("id");
        var lockVersions = p.GetArray("lock_version");
        if (ids.Count != n || lockVersions.Count != n)
            throw new RequestRejectedException(406, string.Create(CultureInfo.InvariantCulture,
                $"The parameters of a change request must form a square array: {n} __method[], {ids.Count} id[], {lockVersions.Count} lock_version[]."), "id[]");

        var files = p.Files;
        var columns = new List<(string Key, FieldDef? Field, IReadOnlyList<string> Values, List<Microsoft.AspNetCore.Http.IFormFile>? Files)>();
        foreach (var (key, values) in p.SquareArrays())
        {
            if (key is "__method" or "id" or "lock_version" || (key == "method" && methodKey == "method"))
                continue;
            var fieldName = ColumnResolver.NormaliseNestedKey(key);
            var field = type.Field(fieldName);
            var parts = files?.Where(f => f.Name == key + "[]").ToList();
            var count = values.Count + (parts?.Count ?? 0);
            if (count != n)
                throw new RequestRejectedException(406, string.Create(CultureInfo.InvariantCulture,
                    $"The parameters of a change request must form a square array: '{key}[]' has {count} values for {n} objects."), key + "[]");
            columns.Add((fieldName, field, values, parts is { Count: > 0 } ? parts : null));
        }
        // Multipart file parts whose key has no text values at all.
        if (files is not null)
        {
            foreach (var group in files.GroupBy(f => f.Name))
            {
                if (!group.Key.EndsWith("[]", StringComparison.Ordinal)) continue;
                var key = ColumnResolver.NormaliseNestedKey(group.Key[..^2]);
                if (columns.Any(c => c.Key == key)) continue;
                if (group.Count() != n)
                    throw new RequestRejectedException(406, $"The parameters of a change request must form a square array: '{group.Key}' has {group.Count()} files for {n} objects.", group.Key);
                columns.Add((key, type.Field(key), [], group.ToList()));
            }
        }

        lock (database.Gate)
        {
            // First: throws (before anything is read or changed) when the schema changed since the type was chosen.
            var store = database.Store(type);
            var terms = FilterCompiler.ReadTerms(p);
            var filter = terms.Count == 0 ? null : FilterCompiler.Compile(type, terms, p.Get("_fm"), database, context.Now);

            var items = new Item[n];
            // File parts of one key fill the objects that take a file in order: the index runs across objects.
            var fileIndex = new Dictionary<string, int>();
            var refcodesInRequest = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < n; i++)
            {
                var item = items[i] = new Item();
                item.Action = methods[i].Trim().ToUpperInvariant() switch
                {
                    "POST" or "CREATE" => Action.Create,
                    "PUT" or "UPDATE" => Action.Update,
                    "DELETE" => Action.Delete,
                    var other => throw new RequestRejectedException(406, $"Unexpected method: '{other}' (use POST, PUT or DELETE in __method[]).", "__method[]"),
                };
                item.Id = WireValues.LeadingInteger(ids[i].Trim()) ?? -1;
                item.LockVersion = (int)(WireValues.LeadingInteger(lockVersions[i].Trim()) ?? -1);
                if (item.Action == Action.Create)
                {
                    if (item.Id != 0 || item.LockVersion != 0)
                        item.Error("id", "Neither 'id' nor 'lock_version' can be set to create an object");
                }
                else
                {
                    var record = store.Find(item.Id);
                    if (record is null || record.IsDeleted || filter is null || !filter.Predicate(record))
                    {
                        item.Error("id", string.Create(CultureInfo.InvariantCulture,
                            $"{type.HumanName} {ids[i]} was not found in the working set: it does not exist, was deleted, or the request's filter does not select it."));
                    }
                    else
                    {
                        item.Record = record;
                        if (record.LockVersion != item.LockVersion)
                        {
                            item.Stale = true;
                            item.Error("lock_version", StaleMessage);
                        }
                        if ((item.Refusal = TypeBehaviours.Refusal(record, item.Action == Action.Delete)) is { } refusal)
                            item.Error("base", refusal);
                    }
                }
                if (item.Action == Action.Delete)
                    continue; // the other fields of a delete are irrelevant (the guide sends them empty)

                var given = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (key, field, values, fileParts) in columns)
                {
                    string raw;
                    if (fileParts is not null && values.Count < n)
                    {
                        // Multipart: text values and file parts share the column; file parts fill the objects in order.
                        var taken = fileIndex.GetValueOrDefault(key);
                        if (taken < fileParts.Count)
                        {
                            var part = fileParts[taken];
                            fileIndex[key] = taken + 1;
                            using var ms = new MemoryStream();
                            part.CopyTo(ms);
                            item.File = new StoredFile(ms.ToArray(), part.FileName, part.ContentType ?? "application/octet-stream");
                            item.FileKey = key;
                            continue;
                        }
                        raw = NoValue;
                    }
                    else
                    {
                        raw = values[i];
                    }
                    if (raw == NoValue)
                        continue;
                    if (TryDataUri(raw, out var dataFile))
                    {
                        item.File = dataFile;
                        item.FileKey = key;
                        continue;
                    }
                    if (field is null)
                    {
                        if (key.EndsWith("[data]", StringComparison.Ordinal) || key == "data")
                            continue;
                        if (context.StrictAttributeChecking)
                            item.Error(key, $"'{key}' is not an attribute of {type.HumanName}");
                        continue;
                    }
                    given.Add(field.Name);
                    if (field.Name is "id" or "lock_version")
                        continue;
                    if (field.IsReadOnlyDatatype || (item.Action == Action.Create ? !field.IsCreateable : !field.IsUpdateable))
                    {
                        item.Error(field.Name, item.Action == Action.Create ? "cannot be set when creating a record" : "cannot be changed");
                        continue;
                    }
                    if (raw == NullValue)
                    {
                        if (field.Required || !field.IsNullable)
                            item.Error(field.Name, "can't be blank");
                        else
                            item.Assignments.Add((field, null));
                        continue;
                    }
                    if (!WireValues.TryParse(field.Kind, raw, out var value, out var error))
                    {
                        item.Error(field.Name, $"{error}: '{raw}'");
                        continue;
                    }
                    if (field.Required && value is null or "")
                    {
                        item.Error(field.Name, "can't be blank");
                        continue;
                    }
                    if (field.Name == "refcode" && value is string { Length: > 0 } refcode)
                    {
                        if (store.RefcodeTaken(refcode, item.Record?.Id ?? 0) || refcodesInRequest.ContainsKey(refcode))
                            item.Error("refcode", $"'{refcode}' is already used");
                        else
                            refcodesInRequest[refcode] = i;
                    }
                    item.Assignments.Add((field, value));
                }
                if (item.Action == Action.Create)
                {
                    foreach (var field in type.Fields)
                    {
                        if (field.Required && !given.Contains(field.Name) && field.DefaultValue is null && !item.Errors.ContainsKey(field.Name)
                            && !(type.ControllerPath == "upload_files" && item.File is not null && field.Name.StartsWith("file_", StringComparison.Ordinal)))
                            item.Error(field.Name, "can't be blank");
                    }
                }
            }

            var anyFailed = items.Any(it => it.Errors.Count > 0);
            var applyAll = !anyFailed;
            var perObject = context.PerObjectTransactions;
            var applied = new Dictionary<string, ChangedValue>[n];
            if (applyAll || perObject)
            {
                for (var i = 0; i < n; i++)
                    if (items[i].Errors.Count == 0)
                        applied[i] = Apply(items[i], type, store, database, context);
                if (items.Any(it => it.Errors.Count == 0))
                    database.ChangeRequestCount++;
            }

            w.WriteStartObject();
            if (anyFailed)
            {
                w.WriteStartArray("affected_object_errors");
                foreach (var item in items)
                    WriteErrors(w, item.Errors, asArrays: true);
                w.WriteEndArray();
            }
            w.WriteStartArray("affected_object_information");
            foreach (var item in items)
            {
                w.WriteStartObject();
                w.WritePropertyName("errors");
                WriteErrors(w, item.Errors, asArrays: false);
                w.WriteBoolean("success", item.Errors.Count == 0 && (applyAll || perObject));
                w.WriteStartObject("warnings");
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (applyAll || perObject)
            {
                w.WriteStartArray("affected_objects");
                for (var i = 0; i < n; i++)
                {
                    w.WriteStartObject();
                    if (applied[i] is { } changed)
                    {
                        foreach (var (name, value) in changed)
                            WriteValue(w, name, value, type, database, context);
                    }
                    else
                    {
                        w.WriteNumber("id", items[i].Id);
                        w.WriteNumber("lock_version", items[i].LockVersion);
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (anyFailed)
            {
                w.WriteStartObject("errors");
                for (var i = 0; i < n; i++)
                {
                    if (items[i].Errors.Count == 0) continue;
                    w.WritePropertyName(n == 1 ? "[]" : string.Create(CultureInfo.InvariantCulture, $"[{i}]"));
                    WriteErrors(w, items[i].Errors, asArrays: false);
                }
                w.WriteEndObject();
                if (items.Any(it => it.Stale || it.Refusal is not null))
                {
                    w.WriteStartArray("failures");
                    foreach (var item in items.Where(it => it.Stale || it.Refusal is not null))
                        w.WriteStringValue(item.Refusal ?? StaleMessage);
                    w.WriteEndArray();
                }
            }
            w.WriteString("flash", anyFailed ? (perObject && items.Any(it => it.Errors.Count == 0) ? "Some objects were not updated" : "Not updated") : "Updated successfully");
            w.WriteBoolean("success", !anyFailed);
            w.WriteStartObject("updates");
            w.WriteEndObject();
            w.WriteEndObject();
        }
    }

    private static Dictionary<string, ChangedValue> Apply(Item item, RecordTypeDef type, RecordStore store, EmulatorDatabase database, ChangeContext context)
    {
        var changed = new Dictionary<string, ChangedValue>(StringComparer.Ordinal);
        switch (item.Action)
        {
            case Action.Create:
            {
                var values = RecordFactory.NewValues(type, context.Now, context.User.UserId, context.ApplicationName);
                foreach (var (field, value) in item.Assignments)
                    values[field.Ordinal] = value;
                TypeBehaviours.OnWrite(type, values, [.. item.Assignments.Select(a => a.Field)], create: true);
                AttachFile(item, type, values, database, context);
                var record = database.Create(store, values);
                if (item.File is not null && type.ControllerPath == "upload_files")
                    database.Files[record.Id] = item.File;
                // A new record reports all of its attributes.
                foreach (var column in IndexQuery.OutputColumns(type, [], database.Schema))
                    changed[column.Name] = new ChangedValue(column.Kind, column.Get(record, database));
                return changed;
            }
            case Action.Update:
            {
                var record = item.Record!;
                var previousRefcode = record["refcode"] as string;
                foreach (var (field, value) in item.Assignments)
                {
                    record.Values[field.Ordinal] = value;
                    changed[field.Name] = new ChangedValue(field.Kind, value);
                }
                if (type.Field("name") is { } nameField && !changed.ContainsKey("name"))
                {
                    var before = record.Values[nameField.Ordinal];
                    TypeBehaviours.OnWrite(type, record.Values, [.. item.Assignments.Select(a => a.Field)], create: false);
                    if (!Equals(before, record.Values[nameField.Ordinal]))
                        changed["name"] = new ChangedValue(nameField.Kind, record.Values[nameField.Ordinal]);
                }
                AttachFile(item, type, record.Values, database, context);
                if (item.File is not null && type.ControllerPath == "upload_files")
                    database.Files[record.Id] = item.File;
                database.Touch(record, context.User.UserId);
                store.IndexRefcode(record, previousRefcode);
                var result = new Dictionary<string, ChangedValue>(StringComparer.Ordinal)
                {
                    ["id"] = new ChangedValue(ValueKind.Integer, record.Id),
                    ["lock_version"] = new ChangedValue(ValueKind.Integer, (long)record.LockVersion),
                };
                foreach (var (k, v) in changed) result[k] = v with { Value = record[k] }; // as saved (an update's behaviours may change what it wrote)
                result["updated_at"] = new ChangedValue(ValueKind.DateTime, record["updated_at"]);
                result["updated_by"] = new ChangedValue(ValueKind.Integer, record["updated_by"]);
                return result;
            }
            default:
            {
                var record = item.Record!;
                record.IsDeleted = true;
                database.Touch(record, context.User.UserId);
                return new Dictionary<string, ChangedValue>(StringComparer.Ordinal)
                {
                    ["id"] = new ChangedValue(ValueKind.Integer, record.Id),
                    ["lock_version"] = new ChangedValue(ValueKind.Integer, (long)record.LockVersion),
                };
            }
        }
    }

    /// <summary>A file given on a record of another type (<c>upload_file[data]</c>) becomes an upload_files record linked by id.</summary>
    private static void AttachFile(Item item, RecordTypeDef type, object?[] values, EmulatorDatabase database, ChangeContext context)
    {
        if (item.File is not { } file)
            return;
        void Set(RecordTypeDef t, object?[] v, string name, object? value)
        {
            if (t.Field(name) is { } f) v[f.Ordinal] = value;
        }
        if (type.ControllerPath == "upload_files")
        {
            Set(type, values, "file_name", file.FileName);
            Set(type, values, "name", file.FileName);
            Set(type, values, "file_content_type", file.ContentType);
            Set(type, values, "file_size", (long)file.Content.Length);
            return;
        }
        var uploads = database.TryStore("upload_files");
        if (uploads is null)
            return;
        var uploadValues = RecordFactory.NewValues(uploads.Type, context.Now, context.User.UserId, context.ApplicationName);
        Set(uploads.Type, uploadValues, "file_name", file.FileName);
        Set(uploads.Type, uploadValues, "name", file.FileName);
        Set(uploads.Type, uploadValues, "file_content_type", file.ContentType);
        Set(uploads.Type, uploadValues, "file_size", (long)file.Content.Length);
        var upload = database.Create(uploads, uploadValues);
        database.Files[upload.Id] = file;
        var prefix = item.FileKey is { } key && key.Contains('[', StringComparison.Ordinal) ? key[..key.IndexOf('[', StringComparison.Ordinal)] : "upload_file";
        Set(type, values, prefix + "_id", upload.Id);
        Set(type, values, prefix + "[file_name]", file.FileName);
        Set(type, values, prefix + "[file_content_type]", file.ContentType);
        Set(type, values, prefix + "[file_size]", (long)file.Content.Length);
        Set(type, values, prefix + "[id]", upload.Id);
        Set(type, values, prefix + "[lock_version]", (long)upload.LockVersion);
    }

    /// <summary>The DataURI alternative to multipart: <c>[data:text/plain;base64,SGVsbG8=,hello.txt]</c>.</summary>
    private static bool TryDataUri(string raw, out StoredFile? file)
    {
        file = null;
        if (!raw.StartsWith("[data:", StringComparison.Ordinal) || !raw.EndsWith(']'))
            return false;
        var inner = raw[6..^1];
        var semicolon = inner.IndexOf(";base64,", StringComparison.Ordinal);
        if (semicolon < 0) return false;
        var mime = inner[..semicolon];
        var rest = inner[(semicolon + 8)..];
        var comma = rest.LastIndexOf(',');
        if (comma < 0) return false;
        try
        {
            file = new StoredFile(Convert.FromBase64String(rest[..comma]), rest[(comma + 1)..], mime);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static void WriteErrors(Utf8JsonWriter w, Dictionary<string, List<string>> errors, bool asArrays)
    {
        w.WriteStartObject();
        foreach (var (field, messages) in errors)
        {
            if (asArrays)
            {
                w.WriteStartArray(field);
                foreach (var m in messages) w.WriteStringValue(m);
                w.WriteEndArray();
            }
            else
            {
                w.WriteString(field, string.Join("; ", messages));
            }
        }
        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, string name, ChangedValue entry, RecordTypeDef type, EmulatorDatabase database, ChangeContext context)
    {
        w.WritePropertyName(name);
        ValueText.Write(w, entry.Kind, entry.Value, context.Formats, context.Now);
    }

    /// <summary>An attribute reported back in affected_objects, with the datatype it renders as.</summary>
    private readonly record struct ChangedValue(ValueKind Kind, object? Value);
}
