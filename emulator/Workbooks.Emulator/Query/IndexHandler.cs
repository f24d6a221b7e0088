using System.Globalization;
using System.Text.Json;
using Workbooks.Emulator.Http;
using Workbooks.Emulator.Schema;
using Workbooks.Emulator.Storage;

namespace Workbooks.Emulator.Query;

/// <summary>The result of an index query: output columns and the page of rows (values snapshotted under the lock).</summary>
internal sealed record IndexPage(IReadOnlyList<Column> Columns, List<object?[]> Rows, int Total);

/// <summary>
/// Index (GET) queries over one record type: filters, sort, paging, select columns, deleted visibility, totals.
/// </summary>
internal static class IndexQuery
{
    private static readonly HashSet<string> Housekeeping = new(StringComparer.Ordinal)
    {
        "client", "json", "api_key", "api_version", "_api_version", "callback", "jsonp", "json_utf8_encoding", "application_name",
        "user_agent", "username", "password", "search", "quick_search", "template", "query",
    };

    public static IndexPage Run(RecordTypeDef type, RequestParameters p, EmulatorDatabase database, WorkbooksEmulatorOptions options, DateTime now,
        IReadOnlyList<string>? forcedColumns = null)
    {
        var terms = FilterCompiler.ReadTerms(p);
        // Plain field parameters act as eq filters (the guide: picklist_entries.api?picklist_id=1,2).
        foreach (var key in p.Keys)
        {
            if (key.StartsWith('_') || key.Contains('[', StringComparison.Ordinal) || Housekeeping.Contains(key)) continue;
            if (type.Field(key) is { IsFilterable: true } && p.Get(key) is { Length: > 0 } value)
                terms.Add(new FilterTerm(key, "eq", value));
        }
        var mode = p.Get("_fm");
        var skipTotal = (p.Get("__skip_total_rows") ?? p.Get("_skip_total_rows")) is { } skip && WireValues.ParseBoolean(skip);
        var start = ParseInt(p.Get("_start"), "_start") ?? 0;
        var limit = p.Get("_start") is null ? options.DefaultPageSize : ParseInt(p.Get("_limit"), "_limit") ?? options.DefaultPageSize;
        if (start < 0) throw new RequestRejectedException(406, "_start cannot be negative.", "_start");
        if (limit < 0) throw new RequestRejectedException(406, "_limit cannot be negative.", "_limit");
        limit = Math.Min(limit, options.MaxPageSize);

        var sortNames = p.GetArray("_sort");
        var dirs = p.GetArray("_dir");
        lock (database.Gate)
        {
            // First, so that the columns, filters and sorts below are resolved against the schema the records follow.
            var store = database.Store(type);
            var columns = OutputColumns(type, forcedColumns ?? p.GetArray("_select_columns"), database.Schema);
            var filter = FilterCompiler.Compile(type, terms, mode, database, now);
            var sorts = new List<(Column Column, bool Descending)>();
            for (var i = 0; i < sortNames.Count; i++)
            {
                var name = sortNames[i].Trim();
                if (name.Length == 0 || name == "relevance") continue;
                var column = ColumnResolver.Resolve(type, name, database.Schema)
                    ?? throw new RequestRejectedException(406, $"{type.HumanNamePlural} cannot be sorted on '{name}': there is no such field.", "_sort");
                var dir = i < dirs.Count ? dirs[i].Trim() : "ASC";
                if (!dir.Equals("ASC", StringComparison.OrdinalIgnoreCase) && !dir.Equals("DESC", StringComparison.OrdinalIgnoreCase))
                    throw new RequestRejectedException(406, $"_dir must be ASC or DESC, not '{dir}'.", "_dir");
                sorts.Add((column, dir.Equals("DESC", StringComparison.OrdinalIgnoreCase)));
            }

            var rows = store.Rows;
            var firstIndex = filter.IdFloor is { } floor ? store.FirstIndexAfter(floor) : 0;
            var byIdAscending = sorts.Count == 0 || (sorts.Count == 1 && sorts[0].Column.Name == "id" && !sorts[0].Descending);
            var page = new List<object?[]>(Math.Min(limit, 1024));
            var total = 0;

            if (byIdAscending)
            {
                // Rows are kept in id order: no sort needed, and without a total the scan stops at the page's end.
                for (var i = firstIndex; i < rows.Count; i++)
                {
                    var r = rows[i];
                    if (r.IsDeleted && !filter.MentionsIsDeleted) continue;
                    if (!filter.Predicate(r)) continue;
                    if (total >= start && page.Count < limit)
                        page.Add(Project(r, columns, database));
                    total++;
                    if (skipTotal && page.Count >= limit) break;
                }
            }
            else
            {
                var matches = new List<Record>();
                for (var i = firstIndex; i < rows.Count; i++)
                {
                    var r = rows[i];
                    if (r.IsDeleted && !filter.MentionsIsDeleted) continue;
                    if (filter.Predicate(r)) matches.Add(r);
                }
                // Read every sort key once, then sort an index array (no per-comparison lookups).
                var keys = new object?[matches.Count][];
                for (var m = 0; m < matches.Count; m++)
                {
                    var k = keys[m] = new object?[sorts.Count];
                    for (var c = 0; c < sorts.Count; c++)
                        k[c] = sorts[c].Column.Get(matches[m], database);
                }
                int Order(int a, int b)
                {
                    for (var c = 0; c < sorts.Count; c++)
                    {
                        var cmp = SortCompare(keys[a][c], keys[b][c]);
                        if (cmp != 0) return sorts[c].Descending ? -cmp : cmp;
                    }
                    return matches[a].Id.CompareTo(matches[b].Id);
                }
                // Only the first _start + _limit rows are ever returned: keep those in a bounded heap (n log k)
                // instead of sorting every match.
                var wanted = (int)Math.Min((long)start + limit, matches.Count);
                var heap = new PriorityQueue<int, int>(wanted + 1, Comparer<int>.Create((a, b) => Order(b, a)));
                for (var m = 0; m < matches.Count && wanted > 0; m++)
                {
                    if (heap.Count < wanted) heap.Enqueue(m, m);
                    else if (Order(m, heap.Peek()) < 0) heap.EnqueueDequeue(m, m);
                }
                var top = new int[heap.Count];
                for (var t = top.Length - 1; t >= 0; t--) top[t] = heap.Dequeue();
                var sorted = new List<Record>(top.Length);
                foreach (var index in top) sorted.Add(matches[index]);
                total = matches.Count;
                for (var r = start; r < sorted.Count && page.Count < limit; r++)
                    page.Add(Project(sorted[r], columns, database));
            }
            if (skipTotal) total = page.Count;
            return new IndexPage(columns, page, total);
        }
    }

    /// <summary>The answer of an index request: the page's rows, then flash, success, total and updates.</summary>
    public static void WriteAnswer(Utf8JsonWriter w, IndexPage page, OutputFormats formats, DateTime now)
    {
        w.WriteStartObject();
        w.WriteStartArray("data");
        foreach (var row in page.Rows)
        {
            w.WriteStartObject();
            for (var i = 0; i < page.Columns.Count; i++)
            {
                w.WritePropertyName(page.Columns[i].Name);
                ValueText.Write(w, page.Columns[i].Kind, row[i], formats, now);
            }
            w.WriteEndObject();
        }
        ResponseWriter.EndIndexAnswer(w, page.Total);
    }

    private static int? ParseInt(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)) return v;
        if (WireValues.LeadingInteger(text.Trim()) is { } lead and <= int.MaxValue and >= int.MinValue) return (int)lead;
        throw new RequestRejectedException(406, $"{name} must be a number, not '{text}'.", name);
    }

    public static IReadOnlyList<Column> OutputColumns(RecordTypeDef type, IReadOnlyList<string> selected, EmulatorSchema schema)
    {
        if (selected.Count == 0)
        {
            var all = new List<Column>(type.Fields.Count + 5);
            foreach (var permission in ColumnResolver.PermissionColumns)
                all.Add(ColumnResolver.Resolve(type, permission, schema)!);
            foreach (var field in type.Fields)
                if (field.Datatype != "file_upload")
                    all.Add(ColumnResolver.Resolve(type, field.Name, schema)!);
            return all;
        }
        var columns = new List<Column> { ColumnResolver.Resolve(type, "id", schema)! };
        foreach (var name in selected)
        {
            if (name == "id") continue;
            // Unknown columns are ignored, as the service does without _strict_attribute_checking.
            if (ColumnResolver.Resolve(type, name.Trim(), schema) is { } column && columns.All(c => c.Name != column.Name))
                columns.Add(column);
        }
        return columns;
    }

    private static object?[] Project(Record record, IReadOnlyList<Column> columns, EmulatorDatabase database)
    {
        var values = new object?[columns.Count];
        for (var i = 0; i < columns.Count; i++)
            values[i] = columns[i].Get(record, database);
        return values;
    }

    /// <summary>
    /// The sort order: blank text (empty) sorts with null, before every value ascending and after every value descending,
    /// then by id. The guide is silent on how nulls sort; the filter language can tell blank from not blank but not
    /// null from empty, so a client continuing after a row (keyset paging) can only express the order if both are one
    /// group.
    /// </summary>
    internal static int SortCompare(object? a, object? b) => FilterCompiler.Compare(a is "" ? null : a, b is "" ? null : b);
}
