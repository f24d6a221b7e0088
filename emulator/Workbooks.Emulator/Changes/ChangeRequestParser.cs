using System.Globalization;
using Microsoft.AspNetCore.Http;
using Workbooks.Emulator.Http;
using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator.Changes;

/// <summary>What <c>__method[]</c> asks to do with one object.</summary>
internal enum ChangeAction { Create, Update, Delete }

/// <summary>One value given for one object: the key as sent (nested keys normalised), its field when there is one, the text.</summary>
internal readonly record struct ChangeCell(string Key, FieldDef? Field, string Raw);

/// <summary>
/// The change asked for one object of a change request: the action, the id and lock_version it names (as sent, and as
/// numbers, -1 when not a number), the values given for it in the order of the request's keys (<c>:no_value:</c>
/// left out) and the file it carries (a multipart part or a DataURI; the last one given wins).
/// </summary>
internal sealed record ObjectChange(ChangeAction Action, string IdText, long Id, int LockVersion, IReadOnlyList<ChangeCell> Cells, StoredFile? File, string? FileKey);

/// <summary>
/// Stage 1 of a change request: the square arrays of its parameters (<c>__method[]</c>, <c>id[]</c>,
/// <c>lock_version[]</c> and one array per attribute, text values and multipart file parts) read into one
/// <see cref="ObjectChange"/> per object. Rejects (406) a request whose arrays are not square, that has too many
/// objects or an unknown method; it reads no records.
/// </summary>
internal static class ChangeRequestParser
{
    private const string NoValue = ":no_value:";

    /// <summary>One column of the square array: its normalised key, field, text values and file parts.</summary>
    private sealed record Column(string Key, FieldDef? Field, IReadOnlyList<string> Values, List<IFormFile>? Files);

    public static IReadOnlyList<ObjectChange> Parse(RecordTypeDef type, RequestParameters p, int maxObjects)
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
        var columns = Columns(type, p, methodKey, n);

        var objects = new ObjectChange[n];
        // File parts of one key fill the objects that take a file in order: the index runs across objects.
        var fileIndex = new Dictionary<string, int>();
        for (var i = 0; i < n; i++)
        {
            var action = methods[i].Trim().ToUpperInvariant() switch
            {
                "POST" or "CREATE" => ChangeAction.Create,
                "PUT" or "UPDATE" => ChangeAction.Update,
                "DELETE" => ChangeAction.Delete,
                var other => throw new RequestRejectedException(406, $"Unexpected method: '{other}' (use POST, PUT or DELETE in __method[]).", "__method[]"),
            };
            var id = WireValues.LeadingInteger(ids[i].Trim()) ?? -1;
            var lockVersion = (int)(WireValues.LeadingInteger(lockVersions[i].Trim()) ?? -1);
            var cells = new List<ChangeCell>();
            StoredFile? file = null;
            string? fileKey = null;
            // The other fields of a delete are irrelevant (the guide sends them empty).
            if (action != ChangeAction.Delete)
            {
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
                            (file, fileKey) = (new StoredFile(ms.ToArray(), part.FileName, part.ContentType ?? "application/octet-stream"), key);
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
                        (file, fileKey) = (dataFile, key);
                        continue;
                    }
                    cells.Add(new ChangeCell(key, field, raw));
                }
            }
            objects[i] = new ObjectChange(action, ids[i], id, lockVersion, cells, file, fileKey);
        }
        return objects;
    }

    /// <summary>The attribute columns, each checked to have one value (or file part) per object.</summary>
    private static List<Column> Columns(RecordTypeDef type, RequestParameters p, string methodKey, int n)
    {
        var files = p.Files;
        var columns = new List<Column>();
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
            columns.Add(new Column(fieldName, field, values, parts is { Count: > 0 } ? parts : null));
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
                columns.Add(new Column(key, type.Field(key), [], group.ToList()));
            }
        }
        return columns;
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
}
