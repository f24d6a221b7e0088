using Microsoft.AspNetCore.Http;

namespace Workbooks.Emulator.Http;

/// <summary>
/// One request as the service sees it: its path split into route and format, its method (after a <c>_method</c>
/// override), its parameters (once read) and the style its answer, failure or not, is rendered in.
/// </summary>
internal sealed class IncomingRequest
{
    public IncomingRequest(HttpContext context, int? bandwidthBytesPerSecond)
    {
        Context = context;
        Path = context.Request.Path.Value ?? "/";
        Method = context.Request.Method.ToUpperInvariant();
        (Route, Extension) = SplitExtension(Path.TrimStart('/'));
        Style = new ResponseStyle { BandwidthBytesPerSecond = bandwidthBytesPerSecond };
    }

    public HttpContext Context { get; }

    /// <summary>The path as sent, e.g. <c>/crm/people.api</c>.</summary>
    public string Path { get; }

    /// <summary>The path without its leading slash and its format extension, e.g. <c>crm/people</c>.</summary>
    public string Route { get; }

    /// <summary>The format asked for (<c>api</c> when none is given), e.g. <c>csv</c> or <c>pdf</c>.</summary>
    public string Extension { get; }

    /// <summary>The HTTP method, upper case: the request's own until <see cref="ReadAsync"/> reads a <c>_method</c> override.</summary>
    public string Method { get; private set; }

    /// <summary>The parameters: null until <see cref="ReadAsync"/> has read them.</summary>
    public RequestParameters? Parameters { get; private set; }

    public ResponseStyle Style { get; }

    /// <summary>Reads the parameters (query string and body) and what they say about the method and the answer's style.</summary>
    public async Task<RequestParameters> ReadAsync()
    {
        var request = Context.Request;
        var parameters = Parameters = await RequestParameters.ReadAsync(request, Context.RequestAborted).ConfigureAwait(false);
        if (parameters.Get("_method") is { Length: > 0 } overridden)
            Method = overridden.Trim().ToUpperInvariant();
        Style.JsonpCallback = parameters.Get("callback") ?? parameters.Get("jsonp");
        Style.Pretty = parameters.Get("json") == "pretty";
        Style.AsciiOnly = parameters.Get("json_utf8_encoding") == "u4";
        Style.Gzip = request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        return parameters;
    }

    /// <summary>The parameters read by <see cref="ReadAsync"/>.</summary>
    public RequestParameters ReadParameters => Parameters ?? throw new InvalidOperationException("The request's parameters have not been read.");

    private static (string Route, string Extension) SplitExtension(string path)
    {
        var slash = path.LastIndexOf('/');
        var dot = path.LastIndexOf('.');
        if (dot > slash && dot < path.Length - 1)
        {
            var extension = path[(dot + 1)..];
            if (extension.Length is >= 3 and <= 6 && extension.All(char.IsAsciiLetterOrDigit))
                return (path[..dot], extension.ToLowerInvariant());
        }
        return (path, "api");
    }
}
