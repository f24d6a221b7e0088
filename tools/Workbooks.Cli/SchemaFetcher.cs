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
    public static async Task<byte[]> FetchNormalisedAsync(WorkbooksSession session, int batchSize, Action<string>? progress, CancellationToken cancellationToken)
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
            return SchemaNormaliser.NormaliseTypes(types);
        }
        finally
        {
            foreach (var document in documents) document.Dispose();
        }
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
