using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Workbooks.Emulator.Http;
using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator.Extras;

/// <summary>
/// Metadata, reports, PDFs, picklist data, file downloads and search, for one request: <paramref name="schema"/> is
/// the schema the request was routed with (read once, so that a schema change racing the request is seen whole or not
/// at all).
/// </summary>
internal sealed class ExtrasHandler(WorkbooksService service, EmulatorSchema schema)
{
    private static readonly (long Id, string Name)[] DocumentTemplates = [(34, "Portrait"), (35, "Landscape")];
    private static readonly (long Id, string Name)[] SingleTemplate = [(1, "Standard")];
    private static readonly string[] SearchedTypes = ["crm/people", "crm/organisations", "crm/cases", "crm/sales_leads"];
    private static readonly string[] SearchedExtraFields = ["main_location[email]", "main_location[town]"];

    public Task MetadataAsync(HttpContext context, CallContext call, ResponseStyle style, RecordTypeDef? only = null)
    {
        var classNames = call.Parameters.GetArray("class_names");
        var select = call.Parameters.GetArray("_select_columns");
        var types = only is not null ? [only] : schema.Types.Where(t => classNames.Count == 0 || classNames.Contains(t.ClassName)).ToArray();
        return ResponseWriter.WriteJsonAsync(context, 200, style, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("data");
            foreach (var type in types)
            {
                w.WriteStartObject();
                foreach (var property in type.Raw.EnumerateObject())
                {
                    if (select.Count > 0 && !select.Contains(property.Name)) continue;
                    property.WriteTo(w);
                }
                w.WriteEndObject();
            }
            ResponseWriter.EndIndexAnswer(w, types.Length);
        });
    }

    /// <summary><c>data_view/99/data.csv</c>, <c>data_view/Name.csv</c>, <c>.api</c> JSON rows, and <c>data_view/99/data/metadata.api</c>.</summary>
    public async Task DataViewAsync(HttpContext context, string rest, string extension, CallContext call, ResponseStyle style)
    {
        var metadata = rest.EndsWith("/data/metadata", StringComparison.Ordinal);
        var key = metadata ? rest[..^"/data/metadata".Length] : rest.EndsWith("/data", StringComparison.Ordinal) ? rest[..^"/data".Length] : rest;
        var view = ReportCatalog.Find(Uri.UnescapeDataString(key))
            ?? throw new RequestRejectedException(404, $"There is no report data view '{key}'.");
        if (!schema.ByControllerPath.TryGetValue(view.ControllerPath, out var type))
            throw new RequestRejectedException(404, $"The report '{view.Name}' is not available in this database.");
        var columns = view.Columns.Where(c => ColumnResolver.Resolve(type, c, schema) is not null).ToArray();

        if (metadata)
        {
            await ResponseWriter.WriteJsonAsync(context, 200, style, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("data");
                foreach (var name in columns)
                {
                    var column = ColumnResolver.Resolve(type, name, schema)!;
                    w.WriteStartObject();
                    w.WriteString("name", name);
                    w.WriteString("title", column.Field?.Title ?? name);
                    w.WriteString("datatype", column.Field?.Datatype ?? "string");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteBoolean("success", true);
                w.WriteNumber("total", columns.Length);
                w.WriteEndObject();
            }).ConfigureAwait(false);
            return;
        }

        var parameters = RequestParameters.FromPairs(call.Parameters.ToPairs().Where(kv => !kv.Key.StartsWith("_select_columns", StringComparison.Ordinal)));
        if (view.SortColumn is not null && parameters.GetArray("_sort").Count == 0)
            parameters.Add("_sort", view.SortColumn);
        if (extension is "csv" or "xls" or "xlsx")
        {
            if (parameters.Get("_start") is null)
            {
                parameters.Add("_start", "0");
                parameters.Add("_limit", service.Options.MaxPageSize.ToString(CultureInfo.InvariantCulture));
            }
            var page = IndexQuery.Run(type, parameters, call.Database, service.Options, service.Now, columns);
            var csv = new StringBuilder();
            csv.AppendJoin(',', page.Columns.Select(c => Csv(c.Field?.Title ?? c.Name))).Append("\r\n");
            var now = service.Now;
            foreach (var row in page.Rows)
                csv.AppendJoin(',', row.Select((v, i) => Csv(ValueText.Render(page.Columns[i].Kind, v, call.Formats, now) ?? ""))).Append("\r\n");
            var fileName = view.Name.Replace(' ', '_') + "." + extension;
            var contentType = extension == "csv" ? "text/csv; charset=utf-8" : "application/vnd.ms-excel";
            await ResponseWriter.WriteBytesAsync(context, 200, contentType, Encoding.UTF8.GetBytes(csv.ToString()), style, fileName).ConfigureAwait(false);
            return;
        }
        var jsonPage = IndexQuery.Run(type, parameters, call.Database, service.Options, service.Now, columns);
        var at = service.Now;
        await ResponseWriter.WriteJsonAsync(context, 200, style, w => WorkbooksService.WriteIndex(w, jsonPage, call.Formats, at)).ConfigureAwait(false);
    }

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    /// <summary><c>picklist_data/Private_PicklistEntry/id/value?picklist_id=N</c> and the general class/value/display form.</summary>
    public Task PicklistDataAsync(HttpContext context, string rest, CallContext call, ResponseStyle style)
    {
        var parts = rest.Split('/');
        if (parts.Length != 3)
            throw new RequestRejectedException(404, "Picklist data paths look like picklist_data/<Class_Name>/<value_field>/<display_field>.");
        var className = parts[0].Replace("_", "::", StringComparison.Ordinal);
        var type = schema.ByClassName.GetValueOrDefault(className)
            ?? schema.Types.FirstOrDefault(t => t.ClassName.Replace("::", "_", StringComparison.Ordinal) == parts[0])
            ?? throw new RequestRejectedException(404, $"There is no record type {parts[0]}.");
        var valueField = parts[1];
        var displayField = parts[2];
        var columns = new List<string> { valueField, displayField };
        columns.AddRange(call.Parameters.GetArray("return_fields"));
        if (columns.Any(c => ColumnResolver.Resolve(type, c, schema) is null))
            throw new RequestRejectedException(406, $"{type.HumanNamePlural} have no field '{columns.First(c => ColumnResolver.Resolve(type, c, schema) is null)}'.");
        var parameters = RequestParameters.FromPairs(call.Parameters.ToPairs().Where(kv => kv.Key is not ("query" or "_select_columns[]")));
        if (call.Parameters.Get("query") is { Length: > 0 } query)
        {
            parameters.Add("_ff[]", displayField);
            parameters.Add("_ft[]", "bg");
            parameters.Add("_fc[]", query);
        }
        if (parameters.GetArray("_sort").Count == 0)
            parameters.Add("_sort", displayField);
        var page = IndexQuery.Run(type, parameters, call.Database, service.Options, service.Now, columns);
        // The id column is always part of an index page; keep only what was asked for.
        var keep = page.Columns.Select((c, i) => (c, i)).Where(x => columns.Contains(x.c.Name)).ToArray();
        var trimmed = new IndexPage(keep.Select(x => x.c).ToArray(), page.Rows.Select(r => keep.Select(x => r[x.i]).ToArray()).ToList(), page.Total);
        var now = service.Now;
        return ResponseWriter.WriteJsonAsync(context, 200, style, w => WorkbooksService.WriteIndex(w, trimmed, call.Formats, now));
    }

    public async Task DownloadAsync(HttpContext context, string idText, CallContext call, ResponseStyle style)
    {
        if (!long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || !call.Database.Files.TryGetValue(id, out var file))
            throw new RequestRejectedException(404, $"There is no uploaded file {idText}.");
        // Header values must be ASCII (Kestrel rejects anything else): an ASCII fallback plus the RFC 6266/5987 filename*.
        await ResponseWriter.WriteBytesAsync(context, 200, file.ContentType, file.Content, style, file.FileName).ConfigureAwait(false);
    }

    /// <summary><c>accounting/quotations/7.pdf?template=34</c>: 406 listing the templates when the choice is ambiguous.</summary>
    public async Task PdfAsync(HttpContext context, string route, CallContext call, ResponseStyle style)
    {
        var slash = route.LastIndexOf('/');
        if (slash < 0 || !long.TryParse(route[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !schema.ByControllerPath.TryGetValue(route[..slash], out var type))
            throw new RequestRejectedException(404, $"No such document: /{route}.pdf");
        var templates = type.ControllerPath.StartsWith("accounting/", StringComparison.Ordinal) || type.ControllerPath == "crm/opportunities" ? DocumentTemplates : SingleTemplate;
        var templateText = call.Parameters.Get("template");
        (long Id, string Name) template;
        if (templateText is null && templates.Length == 1)
        {
            template = templates[0];
        }
        else if (templateText is not null && WireValues.LeadingInteger(templateText) is { } tid && templates.Any(t => t.Id == tid))
        {
            template = templates.First(t => t.Id == tid);
        }
        else
        {
            var flash = templateText is null
                ? "Several templates can render this document: choose one with the template parameter."
                : $"Template {templateText} cannot render this document: choose one of the templates listed.";
            await FailureWriter.WriteAsync(context, style, new Failure(406, flash)
            {
                Extra = w =>
                {
                    w.WriteStartArray("templates");
                    foreach (var (tId, tName) in templates)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("id", tId);
                        w.WriteString("name", tName);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                },
            }).ConfigureAwait(false);
            return;
        }
        string title;
        lock (call.Database.Gate)
        {
            var record = call.Database.Store(type).Find(id);
            if (record is null || record.IsDeleted)
                throw new RequestRejectedException(404, $"{type.HumanName} {id} does not exist.");
            title = $"{type.HumanName} {record["object_ref"] ?? id} {record["name"]}";
        }
        var pdf = MinimalPdf.Render(title, $"Template: {template.Name}");
        await ResponseWriter.WriteBytesAsync(context, 200, "application/pdf", pdf, style, $"{type.ShortName}-{id}.pdf").ConfigureAwait(false);
    }

    /// <summary><c>searchables.api?search=…</c>: people and organisations whose name (or, without quick_search, e-mail or town) matches, at most 100.</summary>
    public Task SearchAsync(HttpContext context, string search, CallContext call, ResponseStyle style)
    {
        var quick = call.Parameters.Get("quick_search") is { } q && WireValues.ParseBoolean(q);
        var terms = search.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var hits = new List<(string ClassName, long Id, string Name, string? ObjectRef, double Relevance)>();
        lock (call.Database.Gate)
        {
            foreach (var path in SearchedTypes)
            {
                var store = call.Database.TryStore(path);
                if (store is null) continue;
                var extra = quick ? [] : SearchedExtraFields.Where(f => store.Type.Field(f) is not null).ToArray();
                foreach (var record in store.Rows)
                {
                    if (record.IsDeleted || record["name"] is not string name) continue;
                    double relevance = 0;
                    foreach (var term in terms)
                    {
                        if (name.StartsWith(term, StringComparison.OrdinalIgnoreCase)) relevance += 2;
                        else if (name.Contains(term, StringComparison.OrdinalIgnoreCase)) relevance += 1;
                        else if (extra.Any(f => record[f] is string s && s.Contains(term, StringComparison.OrdinalIgnoreCase))) relevance += 0.5;
                        else { relevance = 0; break; }
                    }
                    if (relevance > 0)
                        hits.Add((store.Type.ClassName, record.Id, name, record["object_ref"] as string, relevance));
                }
            }
        }
        var top = hits.OrderByDescending(h => h.Relevance).ThenBy(h => h.Name, StringComparer.OrdinalIgnoreCase).ThenBy(h => h.Id).Take(100).ToArray();
        return ResponseWriter.WriteJsonAsync(context, 200, style, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("data");
            foreach (var hit in top)
            {
                w.WriteStartObject();
                w.WriteNumber("id", hit.Id);
                w.WriteString("name", hit.Name);
                w.WriteString("object_ref", hit.ObjectRef);
                w.WriteString("resource_type", hit.ClassName);
                w.WriteNumber("resource_id", hit.Id);
                w.WriteNumber("relevance", hit.Relevance);
                w.WriteEndObject();
            }
            ResponseWriter.EndIndexAnswer(w, top.Length);
        });
    }
}

/// <summary>A one-page PDF 1.4 document with two lines of text and a correct cross-reference table.</summary>
internal static class MinimalPdf
{
    public static byte[] Render(string title, string subtitle)
    {
        static string Escape(string s) => new string(s.Where(c => c is >= ' ' and <= '~').ToArray()).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("(", "\\(", StringComparison.Ordinal).Replace(")", "\\)", StringComparison.Ordinal);
        var content = $"BT /F1 18 Tf 72 760 Td ({Escape(title)}) Tj 0 -28 Td /F1 11 Tf ({Escape(subtitle)}) Tj ET";
        var objects = new[]
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {Encoding.ASCII.GetByteCount(content)} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        };
        var sb = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(Encoding.ASCII.GetByteCount(sb.ToString()));
            sb.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = Encoding.ASCII.GetByteCount(sb.ToString());
        sb.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
            sb.Append(CultureInfo.InvariantCulture, $"{offset:0000000000} 00000 n \n");
        sb.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }
}
