using System.Text.Json;

namespace Workbooks.Cli;

/// <summary>Fetches the full metadata of a database: the class list first, then the types in batches.</summary>
public static class SchemaFetcher
{
    /// <summary>The default number of class names per <c>metadata/types.api</c> request.</summary>
    public const int DefaultBatchSize = 20;

    /// <summary>Fetches every type (all keys, fields, associations and actions) and returns the normalised snapshot.</summary>
    /// <param name="session">A connected session.</param>
    /// <param name="batchSize">Class names per request.</param>
    /// <param name="progress">Receives progress lines (e.g. <c>fetched 20/37 types</c>).</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <param name="picklists">Also capture the entries of the picklists the fields use (the snapshot's
    /// <c>picklists</c> extension: the generator then types those fields).</param>
    public static async Task<byte[]> FetchNormalisedAsync(WorkbooksSession session, int batchSize, Action<string>? progress, CancellationToken cancellationToken, bool picklists = false)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        List<string> classNames;
        using (var list = await session.GetMetadataAsync(columns: ["class_name"], cancellationToken: cancellationToken).ConfigureAwait(false))
            classNames = ClassNames(list.RootElement);
        progress?.Invoke($"found {classNames.Count} types");

        var documents = new List<JsonDocument>();
        try
        {
            var types = new List<JsonElement>(classNames.Count);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var start = 0; start < classNames.Count; start += batchSize)
            {
                var batch = classNames.GetRange(start, Math.Min(batchSize, classNames.Count - start));
                var document = await session.GetMetadataAsync(classNames: batch, cancellationToken: cancellationToken).ConfigureAwait(false);
                documents.Add(document);
                CheckResponse(document.RootElement);
                foreach (var type in document.RootElement.GetProperty("data").EnumerateArray())
                {
                    if (seen.Add(type.GetProperty("class_name").GetString()!))
                        types.Add(type);
                }
                progress?.Invoke($"fetched {Math.Min(start + batchSize, classNames.Count)}/{classNames.Count} types");
            }
            var missing = classNames.Where(n => !seen.Contains(n)).ToList();
            if (missing.Count > 0)
                throw new WorkbooksProtocolException($"The service listed {missing.Count} type(s) it then did not return: {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? ", …" : "")}.");
            if (!picklists)
                return SchemaNormaliser.NormaliseTypes(types);
            var used = PicklistsUsed(types);
            var captured = new List<(int, string, IReadOnlyList<string>)>(used.Count);
            foreach (var (id, name) in used)
            {
                var entries = await session.GetPicklistEntriesAsync([id], cancellationToken).ConfigureAwait(false);
                captured.Add((id, name, entries.Select(e => e.Value).ToArray()));
            }
            progress?.Invoke($"captured the entries of {captured.Count} picklists");
            return SchemaNormaliser.NormaliseTypes(types, captured);
        }
        finally
        {
            foreach (var document in documents) document.Dispose();
        }
    }

    /// <summary>The picklists fields store the entry text of (<c>value_field</c> "value"), by id, with their names.</summary>
    private static SortedDictionary<int, string> PicklistsUsed(IEnumerable<JsonElement> types)
    {
        var used = new SortedDictionary<int, string>();
        foreach (var type in types)
        {
            if (!type.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Array)
                continue;
            foreach (var field in fields.EnumerateArray())
            {
                if (field.TryGetProperty("picklist", out var picklist) && picklist.ValueKind == JsonValueKind.Object
                    && picklist.TryGetProperty("picklist_id", out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetInt32(out var picklistId)
                    && (!picklist.TryGetProperty("value_field", out var valueField) || valueField.ValueEquals("value"))
                    && picklist.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                {
                    used.TryAdd(picklistId, name.GetString()!);
                }
            }
        }
        return used;
    }

    private static void CheckResponse(JsonElement envelope)
    {
        try
        {
            SchemaNormaliser.CheckShape(envelope);
        }
        catch (SnapshotFormatException e)
        {
            throw new WorkbooksProtocolException($"The metadata/types.api response is not in the documented shape: {e.Message}.");
        }
    }

    private static List<string> ClassNames(JsonElement envelope)
    {
        CheckResponse(envelope);
        return envelope.GetProperty("data").EnumerateArray()
            .Select(t => t.GetProperty("class_name").GetString()!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }
}
