using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Workbooks.Transport;

namespace Workbooks.Transport.Policies;

/// <summary>Turns the message into HTTP: verb, URL, form or multipart body, headers; traces through an ActivitySource.</summary>
internal sealed class TransportPolicy(HttpClient httpClient, WorkbooksOptions options, RuntimeMetrics metrics) : PipelinePolicy
{
    public override async Task<HttpResponseMessage> SendAsync(PipelineMessage message, CancellationToken cancellationToken)
    {
        using var request = Build(message);
        using var activity = Telemetry.ActivitySource.StartActivity("Workbooks " + message.Request, ActivityKind.Client);
        var started = Stopwatch.GetTimestamp();
        var kind = new KeyValuePair<string, object?>("workbooks.request.kind", Telemetry.KindTag(message.Request.Kind));
        activity?.SetTag("http.request.method", request.Method.Method);
        activity?.SetTag("url.path", message.Target.AbsolutePath);
        // One deadline for the whole response: the headers here, the body where it is read (ResponseBody).
        var deadline = new CancellationTokenSource(options.Timeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            activity?.SetTag("http.response.status_code", (int)response.StatusCode);
            metrics.Requests.Add(1, kind, new("http.response.status_code", (int)response.StatusCode));
            metrics.RequestDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, kind);
            if (response.RequestMessage?.RequestUri is { } answered && answered != request.RequestUri && !Redirects.IsServiceOrigin(answered, options.Service!))
            {
                // The caller's handler followed a redirect by itself, off the service (the connect-time probe could not
                // tell). Stop here: the answer is not the service's, and no further request goes through this client.
                response.Dispose();
                throw new WorkbooksException($"{message.Request} was answered from another origin ({answered.GetLeftPart(UriPartial.Authority)}): the HttpClient follows redirects by itself. Create its handler with AllowAutoRedirect = false.",
                    System.Net.HttpStatusCode.Found, null, message.Request.ToString());
            }
            message.Deadline = deadline;
            return response;
        }
        catch (Exception e)
        {
            deadline.Dispose();
            metrics.Requests.Add(1, kind, new("error.type", e.GetType().Name));
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }

    private HttpRequestMessage Build(PipelineMessage message)
    {
        var request = message.Request;
        var parameters = message.AllParameters.ToList();
        var dc = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        HttpMethod method;
        Uri url;
        HttpContent? content = null;
        if (message.Redirected)
        {
            // Re-send to the exact Location; its query (if any) is the service's own.
            url = message.Target;
        }
        else
        {
            url = new UriBuilder(message.Target) { Query = Protocol.CacheBuster + "=" + dc }.Uri;
        }

        switch (request.Kind)
        {
            case WorkbooksRequestKind.Read:
                var query = FormEncoder.EncodeToString(parameters);
                if (!message.Redirected && url.AbsoluteUri.Length + query.Length + 1 <= options.MaxUrlLength)
                {
                    method = HttpMethod.Get;
                    url = new UriBuilder(url) { Query = url.Query.TrimStart('?') + (query.Length > 0 ? "&" + query : "") }.Uri;
                }
                else if (message.Redirected && message.Target.Query.Length > 1)
                {
                    method = HttpMethod.Get; // the Location carries the original query
                }
                else
                {
                    method = HttpMethod.Post;
                    parameters.Add(new(Protocol.MethodOverride, "GET"));
                    content = FormEncoder.CreateContent(parameters);
                }
                break;
            case WorkbooksRequestKind.Change:
                if (options.UseMethodOverride)
                {
                    method = HttpMethod.Post;
                    parameters.Add(new(Protocol.MethodOverride, "PUT"));
                }
                else
                {
                    method = HttpMethod.Put;
                }
                content = request.Multipart is { } multipart ? WithParts(multipart(), parameters) : FormEncoder.CreateContent(parameters);
                break;
            default:
                method = HttpMethod.Post;
                content = FormEncoder.CreateContent(parameters);
                break;
        }

        var http = new HttpRequestMessage(method, url) { Content = content };
        http.Headers.UserAgent.Clear();
        http.Headers.TryAddWithoutValidation("User-Agent", options.EffectiveUserAgent);
        http.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (options.UsesCompression)
            http.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        http.Headers.ExpectContinue = false;
        if (message.Cookie is { } cookie)
            http.Headers.TryAddWithoutValidation("Cookie", Protocol.SessionCookie + "=" + cookie);
        return http;
    }

    private static MultipartFormDataContent WithParts(MultipartFormDataContent multipart, List<KeyValuePair<string, string>> parameters)
    {
        foreach (var (key, value) in parameters)
            multipart.Add(new StringContent(value, Encoding.UTF8), key);
        return multipart;
    }
}
