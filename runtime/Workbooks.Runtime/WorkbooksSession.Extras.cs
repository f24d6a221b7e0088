using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Workbooks.Changes;
using Workbooks.Filters;
using Workbooks.Query;
using Workbooks.Records;
using Workbooks.Transport;
using Workbooks.Transport.Policies;

namespace Workbooks;

/// <summary>The answer to a PDF request: the document, or the templates to choose from (the service's 406).</summary>
public sealed class PdfResult : IDisposable
{
    private readonly WorkbooksResponse? _response;

    private PdfResult(WorkbooksResponse? response, IReadOnlyList<PdfTemplate> templates)
    {
        _response = response;
        Templates = templates;
    }

    /// <summary>Whether the service rendered the PDF (otherwise choose one of <see cref="Templates"/>).</summary>
    public bool IsRendered => _response is not null;

    /// <summary>The PDF bytes (when rendered).</summary>
    public Stream Content => _response?.Content ?? throw new InvalidOperationException($"No PDF was rendered: choose one of the {Templates.Count} templates.");

    /// <summary>The suggested file name (when rendered).</summary>
    public string? FileName => _response?.FileName;

    /// <summary>The templates that can render the document, when the choice was ambiguous.</summary>
    public IReadOnlyList<PdfTemplate> Templates { get; }

    internal static PdfResult Rendered(WorkbooksResponse response) => new(response, []);

    internal static PdfResult Choose(IReadOnlyList<PdfTemplate> templates) => new(null, templates);

    /// <summary>Releases the response.</summary>
    public void Dispose() => _response?.Dispose();
}

/// <summary>An entry of a picklist.</summary>
/// <param name="Id">The entry id.</param>
/// <param name="Value">The value stored in picklist fields.</param>
public sealed record PicklistEntry(long Id, string Value);

public sealed partial class WorkbooksSession
{
    /// <summary>The <c>metadata/types.api</c> response: the record types, their fields and associations.</summary>
    /// <param name="classNames">Only these class names (all when empty).</param>
    /// <param name="columns">Only these keys of each type hash (all when empty).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<JsonDocument> GetMetadataAsync(IEnumerable<string>? classNames = null, IEnumerable<string>? columns = null, CancellationToken cancellationToken = default)
    {
        var names = classNames?.ToArray() ?? [];
        var selected = columns?.ToArray() ?? [];
        for (var attempt = 0; ; attempt++)
        {
            var request = new WorkbooksRequest(WorkbooksRequestKind.Read, "metadata/types.api");
            foreach (var name in names) request.Add("class_names[]", name);
            foreach (var column in selected) request.Add(Protocol.SelectColumns, column);
            using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            try
            {
                return await ParseJsonAsync(response, cancellationToken).ConfigureAwait(false);
            }
            catch (WorkbooksTransportException) when (attempt < Options.MaxRetries && !cancellationToken.IsCancellationRequested)
            {
                // The body was cut short: a read changes nothing, so it is read again (as a query's pages are).
            }
        }
    }

    /// <summary>A report (data view) as CSV, streamed. By id (<c>data_view/99/data.csv</c>) or by name (<c>data_view/Name.csv</c>;
    /// names need not be unique, so prefer ids).</summary>
    public Task<WorkbooksResponse> OpenReportCsvAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(idOrName);
        var path = long.TryParse(idOrName, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? $"data_view/{idOrName}/data.csv"
            : $"data_view/{Uri.EscapeDataString(idOrName)}.csv";
        return SendAsync(new WorkbooksRequest(WorkbooksRequestKind.Read, path), cancellationToken);
    }

    /// <summary>Renders a record (typically a transaction document) as PDF. Without a template, when several could
    /// render it, the result lists them (<see cref="PdfResult.Templates"/>) instead of failing.</summary>
    public async Task<PdfResult> RenderPdfAsync(string controllerPath, long id, long? templateId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(controllerPath);
        var request = new WorkbooksRequest(WorkbooksRequestKind.Read, string.Create(CultureInfo.InvariantCulture, $"{controllerPath.Trim('/')}/{id}.pdf"));
        if (templateId is { } t) request.Add("template", t.ToString(CultureInfo.InvariantCulture));
        var response = await Pipeline.SendRawAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.OK)
            return PdfResult.Rendered(response);
        using (response)
        {
            if (response.Status == HttpStatusCode.NotAcceptable)
            {
                var error = await ServiceError.TryParseAsync(response.Content, cancellationToken).ConfigureAwait(false);
                if (error is { Templates.Count: > 0 })
                    return PdfResult.Choose(error.Templates);
                throw new WorkbooksRequestException($"{request} answered 406: {error?.Message ?? "no template list was given"}", response.Status, error?.Message, request.ToString(),
                    error?.Errors ?? new Dictionary<string, IReadOnlyList<string>>());
            }
            throw await ErrorMapper.ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Attaches a file to a record (multipart upload to <c>resource_upload_files</c>); returns the new upload file's id.</summary>
    /// <param name="resourceType">The record's class name, e.g. <c>Private::Note</c>.</param>
    /// <param name="resourceId">The record's id.</param>
    /// <param name="resourceAttribute">The attribute the file belongs to, e.g. <c>upload_files</c>.</param>
    /// <param name="content">The file's bytes (read to the end, byte for byte).</param>
    /// <param name="fileName">The file name (any characters).</param>
    /// <param name="contentType">The MIME type.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public async Task<long> UploadFileAsync(string resourceType, long resourceId, string resourceAttribute, Stream content, string fileName, string contentType = "application/octet-stream", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        var request = new WorkbooksRequest(WorkbooksRequestKind.Change, "resource_upload_files.api");
        FilterEncoding.AppendIdFilter(request.Parameters, ["0"]);
        request.Add("__method[]", "POST").Add("id[]", "0").Add("lock_version[]", "0")
            .Add("resource_type[]", resourceType).Add("resource_id[]", resourceId.ToString(CultureInfo.InvariantCulture))
            .Add("resource_attribute[]", resourceAttribute);
        request.Multipart = () =>
        {
            var multipart = new MultipartFormDataContent();
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            multipart.Add(file, "upload_file[data][]", fileName);
            return multipart;
        };
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        using var doc = await ParseJsonAsync(response, cancellationToken).ConfigureAwait(false);
        var root = doc.RootElement;
        // Tolerant reads (the service writes booleans and numbers as strings too): anything else is a protocol error.
        if (root.ValueKind != JsonValueKind.Object || ResponseJson.GetBoolean(root, "success") != true
            || !ResponseJson.TryGet(root, "affected_objects", out var affected) || affected.ValueKind != JsonValueKind.Array || affected.GetArrayLength() != 1)
            throw new WorkbooksException($"The upload of '{fileName}' was not accepted: {root}", response.Status, null, request.ToString());
        var created = affected[0];
        foreach (var key in UploadFileIdKeys)
            if (ResponseJson.GetInt64(created, key) is { } id)
                return id;
        throw new WorkbooksProtocolException("The upload's affected object does not name the upload file (upload_file_id).");
    }

    /// <summary>Downloads an uploaded file's bytes (<c>upload_files/&lt;id&gt;/download</c>), exactly as stored.</summary>
    public Task<WorkbooksResponse> DownloadFileAsync(long uploadFileId, CancellationToken cancellationToken = default) =>
        SendAsync(new WorkbooksRequest(WorkbooksRequestKind.Read, string.Create(CultureInfo.InvariantCulture, $"upload_files/{uploadFileId}/download.api")), cancellationToken);

    /// <summary>The entries of one or more picklists, in one request (<c>picklist_data/Private_PicklistEntry/id/value</c>).</summary>
    public async Task<IReadOnlyList<PicklistEntry>> GetPicklistEntriesAsync(IEnumerable<int> picklistIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(picklistIds);
        var request = new WorkbooksRequest(WorkbooksRequestKind.Read, "picklist_data/Private_PicklistEntry/id/value.api")
            .Add("picklist_id", string.Join(',', picklistIds.Select(i => i.ToString(CultureInfo.InvariantCulture))))
            .Add(Protocol.Start, "0").Add(Protocol.Limit, "10000");
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        using var doc = await ParseJsonAsync(response, cancellationToken).ConfigureAwait(false);
        if (!doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw new WorkbooksProtocolException("The picklist data response has no data array.");
        return data.EnumerateArray().Select(e => new PicklistEntry(
            ResponseJson.GetInt64(e, "id") ?? throw new WorkbooksProtocolException($"A picklist entry came without a whole-number id: {e.GetRawText()}"),
            ResponseJson.GetString(e, "value") ?? "")).ToArray();
    }

    private static readonly string[] UploadFileIdKeys = ["upload_file_id", "upload_file[id]"];

    private static async Task<JsonDocument> ParseJsonAsync(WorkbooksResponse response, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new WorkbooksProtocolException($"{response.Request} answered with a body that is not JSON: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new WorkbooksProtocolException($"{response.Request}: the response was cut short ({e.Message}).", e);
        }
    }
}

public sealed partial class WorkbooksSession
{
    /// <summary>The untyped query root of a record type: every record as a <see cref="WorkbooksRecord"/>, fields named by their wire names.</summary>
    /// <param name="controllerPath">The endpoint, e.g. <c>crm/people</c> (a record type's controller_path).</param>
    public WorkbooksEndpoint<WorkbooksRecord, RecordFields> Records(string controllerPath) =>
        new(this, controllerPath, RecordFields.Root, UntypedRecords.Reader);

    /// <summary>An untyped change set over a record type's endpoint.</summary>
    /// <param name="controllerPath">The endpoint, e.g. <c>crm/people</c>.</param>
    public WorkbooksChangeSet Changes(string controllerPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(controllerPath);
        return new WorkbooksChangeSet(this, controllerPath);
    }
}

/// <summary>A PDF template offered when a document has several (<c>{id, name}</c>).</summary>
/// <param name="Id">The id to pass as the <c>template</c> parameter.</param>
/// <param name="Name">Its name, e.g. <c>Portrait</c>.</param>
public sealed record PdfTemplate(long Id, string? Name);
