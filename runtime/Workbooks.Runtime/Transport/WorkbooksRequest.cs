using System.Net;
using System.Net.Http.Headers;

namespace Workbooks.Transport;

/// <summary>The logical kind of a request; the transport picks the HTTP verb.</summary>
public enum WorkbooksRequestKind
{
    /// <summary>A read (GET, or POST with <c>_method=GET</c> when long). Idempotent: retried on transient failures.</summary>
    Read,
    /// <summary>A change (PUT, or POST with <c>_method=PUT</c>). Never retried blindly.</summary>
    Change,
    /// <summary>A login POST: sent without the session's credentials and never re-authenticated.</summary>
    Login,
    /// <summary>The logout POST: sent with the session cookie, without <c>client=api</c>; its redirect is not followed.</summary>
    Logout,
}

/// <summary>One request to the service, relative to the service root.</summary>
public sealed class WorkbooksRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="kind">Read, change, login or logout.</param>
    /// <param name="path">The endpoint, e.g. <c>crm/people.api</c> (<c>.api</c> is added when the path has no extension).</param>
    public WorkbooksRequest(WorkbooksRequestKind kind, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Kind = kind;
        Path = kind == WorkbooksRequestKind.Logout ? path.TrimStart('/') : NormalisePath(path);
    }

    /// <summary>Read, change, login or logout.</summary>
    public WorkbooksRequestKind Kind { get; }

    /// <summary>The endpoint path relative to the service root.</summary>
    public string Path { get; }

    /// <summary>The form parameters, in order.</summary>
    public List<KeyValuePair<string, string>> Parameters { get; } = [];

    /// <summary>A multipart body (file uploads) that replaces the form encoding of <see cref="Parameters"/>.</summary>
    public Func<MultipartFormDataContent>? Multipart { get; set; }

    /// <summary>Whether the request may be retried after a transient failure (reads are; changes are not).</summary>
    public bool IsIdempotent => Kind != WorkbooksRequestKind.Change;

    /// <summary>Adds a parameter.</summary>
    public WorkbooksRequest Add(string key, string value)
    {
        Parameters.Add(new(key, value));
        return this;
    }

    /// <summary>Adds parameters.</summary>
    public WorkbooksRequest AddRange(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        Parameters.AddRange(parameters);
        return this;
    }

    /// <summary><c>crm/people</c> → <c>crm/people.api</c>; paths that already name a format (<c>.pdf</c>, <c>.csv</c>…) are kept.</summary>
    internal static string NormalisePath(string path)
    {
        var trimmed = path.TrimStart('/');
        var slash = trimmed.LastIndexOf('/');
        var dot = trimmed.LastIndexOf('.');
        return dot > slash ? trimmed : trimmed + ".api";
    }

    /// <summary><c>GET crm/people.api</c>: what logs and exceptions may say about a request (no parameters, no secrets).</summary>
    public override string ToString() => $"{Kind switch { WorkbooksRequestKind.Read => "GET", WorkbooksRequestKind.Change => "PUT", _ => "POST" }} {Path}";
}

/// <summary>A response whose body is read as a stream (decompressed). Dispose it when done.</summary>
public sealed class WorkbooksResponse : IDisposable
{
    private readonly HttpResponseMessage _message;

    internal WorkbooksResponse(HttpResponseMessage message, Stream content, WorkbooksRequest request)
    {
        _message = message;
        Content = content;
        Request = request;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status => _message.StatusCode;

    /// <summary>The response body, decompressed when the service gzipped it.</summary>
    public Stream Content { get; }

    /// <summary>The content type, e.g. <c>application/json</c>, <c>text/csv</c>, <c>application/pdf</c>.</summary>
    public MediaTypeHeaderValue? ContentType => _message.Content.Headers.ContentType;

    /// <summary>The file name the service suggested (downloads, reports, PDFs).</summary>
    public string? FileName => _message.Content.Headers.ContentDisposition?.FileNameStar ?? _message.Content.Headers.ContentDisposition?.FileName?.Trim('"');

    /// <summary>The request this answers.</summary>
    public WorkbooksRequest Request { get; }

    internal HttpResponseMessage Message => _message;

    /// <summary>The service's clock when it answered (the <c>Date</c> header), to the second; null when not sent.</summary>
    internal DateTimeOffset? ServerDate => _message.Headers.Date;

    /// <summary>Releases the connection.</summary>
    public void Dispose()
    {
        Content.Dispose();
        _message.Dispose();
    }
}
