using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Workbooks.Transport;

/// <summary>A request on its way through the pipeline: the target may move (redirects); policies add parameters.</summary>
internal sealed class PipelineMessage(WorkbooksRequest request, Uri target)
{
    public WorkbooksRequest Request { get; } = request;

    /// <summary>Where the request goes now. After a redirect, the exact Location (its query is not rebuilt).</summary>
    public Uri Target { get; set; } = target;

    public bool Redirected { get; set; }

    /// <summary>Parameters added by policies (client=api, api_key, _authenticity_token…), sent after the request's own.</summary>
    public List<KeyValuePair<string, string>> Extra { get; } = [];

    /// <summary>The session cookie to send (set by the session policy for the service's own origin only).</summary>
    public string? Cookie { get; set; }

    public IEnumerable<KeyValuePair<string, string>> AllParameters => Request.Parameters.Concat(Extra);
}

/// <summary>One step of the pipeline. Policies run in a fixed order and each calls the next.</summary>
internal abstract class PipelinePolicy
{
    public PipelinePolicy? Next { get; set; }

    public abstract Task<HttpResponseMessage> SendAsync(PipelineMessage message, CancellationToken cancellationToken);

    protected Task<HttpResponseMessage> NextAsync(PipelineMessage message, CancellationToken cancellationToken) =>
        Next!.SendAsync(message, cancellationToken);
}

/// <summary>
/// The transport pipeline: client parameters → retry → redirects → session → logging → HTTP. Thread-safe; one per session.
/// </summary>
internal sealed class WorkbooksPipeline
{
    internal static readonly ActivitySource ActivitySource = new("Workbooks.Runtime", "1.0");

    private readonly PipelinePolicy _head;
    private readonly WorkbooksOptions _options;

    public WorkbooksPipeline(HttpClient httpClient, WorkbooksOptions options, SessionPolicy session)
    {
        _options = options;
        Session = session;
        var logger = options.LoggerFactory?.CreateLogger("Workbooks.Runtime") ?? NullLogger.Instance;
        PipelinePolicy[] policies =
        [
            new ClientParametersPolicy(options),
            new RetryPolicy(options),
            new RedirectPolicy(options),
            session,
            new LoggingPolicy(logger),
            new TransportPolicy(httpClient, options),
        ];
        for (var i = 0; i < policies.Length - 1; i++)
            policies[i].Next = policies[i + 1];
        _head = policies[0];
    }

    public SessionPolicy Session { get; }

    /// <summary>Sends a request and returns the response, whatever its status (callers map errors).</summary>
    public async Task<WorkbooksResponse> SendRawAsync(WorkbooksRequest request, CancellationToken cancellationToken)
    {
        var message = new PipelineMessage(request, new Uri(_options.Service!, request.Path));
        var response = await _head.SendAsync(message, cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            if (response.Content.Headers.ContentEncoding.Contains("gzip", StringComparer.OrdinalIgnoreCase))
                stream = new GZipStream(stream, CompressionMode.Decompress);
            return new WorkbooksResponse(response, stream, request);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Sends a request; a non-success status becomes the matching <see cref="WorkbooksException"/>.</summary>
    public async Task<WorkbooksResponse> SendAsync(WorkbooksRequest request, CancellationToken cancellationToken)
    {
        var response = await SendRawAsync(request, cancellationToken).ConfigureAwait(false);
        if ((int)response.Status is >= 200 and < 300)
            return response;
        using (response)
            throw await ErrorMapper.ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>client=api</c> and the <c>_dc</c> cache-buster on every request (the User-Agent is a header).</summary>
internal sealed class ClientParametersPolicy(WorkbooksOptions options) : PipelinePolicy
{
    public override Task<HttpResponseMessage> SendAsync(PipelineMessage message, CancellationToken cancellationToken)
    {
        if (message.Request.Kind != WorkbooksRequestKind.Login || message.Request.Path != "logout")
            message.Extra.Add(new("client", "api"));
        if (options.RequestUnambiguousFormats && message.Request.Kind == WorkbooksRequestKind.Read)
        {
            message.Extra.Add(new("_json_output_datetime_format", "%s"));
            message.Extra.Add(new("_json_output_date_format", "%Y-%m-%d"));
        }
        return NextAsync(message, cancellationToken);
    }
}

/// <summary>Retries idempotent requests after transient failures, with exponential backoff and full jitter.</summary>
internal sealed class RetryPolicy(WorkbooksOptions options) : PipelinePolicy
{
    public override async Task<HttpResponseMessage> SendAsync(PipelineMessage message, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var canRetry = message.Request.IsIdempotent && attempt < options.MaxRetries;
            HttpResponseMessage response;
            try
            {
                response = await NextAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (canRetry && IsTransient(e, cancellationToken))
            {
                await DelayAsync(attempt, null, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                throw new WorkbooksTransportException(
                    message.Request.IsIdempotent
                        ? $"{message.Request} failed after {attempt + 1} attempts: {e.Message}"
                        : $"{message.Request} failed and was not retried (a change is never retried blindly): {e.Message}",
                    message.Request.ToString(), outcomeUnknown: !message.Request.IsIdempotent, e);
            }
            if (canRetry && IsTransient(response.StatusCode))
            {
                var retryAfter = response.Headers.RetryAfter?.Delta;
                response.Dispose();
                await DelayAsync(attempt, retryAfter, cancellationToken).ConfigureAwait(false);
                continue;
            }
            return response;
        }
    }

    internal static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable
            or HttpStatusCode.GatewayTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        HttpRequestException or IOException => true,
        // A timeout of one attempt (not the caller's cancellation).
        OperationCanceledException when !cancellationToken.IsCancellationRequested => true,
        _ => false,
    };

    private Task DelayAsync(int attempt, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var ceiling = Math.Min(options.MaxRetryDelay.TotalMilliseconds, options.RetryDelay.TotalMilliseconds * Math.Pow(2, attempt));
        var delay = TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
        if (retryAfter is { } after && after > delay)
            delay = after < options.MaxRetryDelay ? after : options.MaxRetryDelay;
        return Task.Delay(delay, options.TimeProvider, cancellationToken);
    }
}

/// <summary>
/// Follows the service's redirects (its delaying URL for over-eager clients) by re-sending the same request to the
/// Location, a bounded number of times. Redirects to another origin are refused so credentials never leave the service.
/// </summary>
internal sealed class RedirectPolicy(WorkbooksOptions options) : PipelinePolicy
{
    public override async Task<HttpResponseMessage> SendAsync(PipelineMessage message, CancellationToken cancellationToken)
    {
        for (var hops = 0; ; hops++)
        {
            var response = await NextAsync(message, cancellationToken).ConfigureAwait(false);
            if (!IsRedirect(response.StatusCode) || response.Headers.Location is not { } location || message.Request.Path == "logout")
                return response;
            var target = location.IsAbsoluteUri ? location : new Uri(message.Target, location);
            if (SessionPolicy.IsLoginRedirect(target))
                return response; // the session policy could not recover: the caller sees the invalid session
            response.Dispose();
            if (Uri.Compare(target, options.Service, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
                throw new WorkbooksException($"{message.Request} was redirected to another origin ({target.GetLeftPart(UriPartial.Authority)}); it was not followed, so no credentials were sent there.",
                    HttpStatusCode.Found, null, message.Request.ToString());
            if (hops >= options.MaxRedirects)
                throw new WorkbooksRateLimitException($"{message.Request} was redirected {hops + 1} times (the service's delaying redirects): gave up after {options.MaxRedirects}.", message.Request.ToString());
            message.Target = target;
            message.Redirected = true;
        }
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.Moved or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
}

/// <summary>Logs every exchange through <see cref="ILogger"/> with secrets redacted (never the API key, password, session id or token).</summary>
internal sealed class LoggingPolicy(ILogger logger) : PipelinePolicy
{
    internal static readonly HashSet<string> Secrets = new(StringComparer.OrdinalIgnoreCase) { "api_key", "password", "session_id", "_authenticity_token" };

    public override async Task<HttpResponseMessage> SendAsync(PipelineMessage message, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await NextAsync(message, cancellationToken).ConfigureAwait(false);
            if (logger.IsEnabled(LogLevel.Debug))
                logger.LogDebug("Workbooks {Request} answered {Status} in {Elapsed} ms; parameters: {Parameters}",
                    message.Request.ToString(), (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture), Redact(message.AllParameters));
            return response;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Workbooks {Request} failed after {Elapsed} ms: {Error}", message.Request.ToString(),
                Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture), e.GetType().Name);
            throw;
        }
    }

    internal static string Redact(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in parameters)
        {
            if (sb.Length > 0) sb.Append('&');
            sb.Append(key).Append('=');
            if (Secrets.Contains(key)) sb.Append("***");
            else sb.Append(value.Length > 200 ? string.Concat(value.AsSpan(0, 200), "…") : value);
            if (sb.Length > 4096) { sb.Append('…'); break; }
        }
        return sb.ToString();
    }
}

/// <summary>Turns the message into HTTP: verb, URL, form or multipart body, headers; traces through an ActivitySource.</summary>
internal sealed class TransportPolicy(HttpClient httpClient, WorkbooksOptions options) : PipelinePolicy
{
    public override async Task<HttpResponseMessage> SendAsync(PipelineMessage message, CancellationToken cancellationToken)
    {
        using var request = Build(message);
        using var activity = WorkbooksPipeline.ActivitySource.StartActivity("Workbooks " + message.Request, ActivityKind.Client);
        activity?.SetTag("http.request.method", request.Method.Method);
        activity?.SetTag("url.path", message.Target.AbsolutePath);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            activity?.SetTag("http.response.status_code", (int)response.StatusCode);
            return response;
        }
        catch (Exception e)
        {
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
            url = new UriBuilder(message.Target) { Query = "_dc=" + dc }.Uri;
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
                    parameters.Add(new("_method", "GET"));
                    content = FormEncoder.CreateContent(parameters);
                }
                break;
            case WorkbooksRequestKind.Change:
                if (options.UseMethodOverride)
                {
                    method = HttpMethod.Post;
                    parameters.Add(new("_method", "PUT"));
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
        http.Headers.TryAddWithoutValidation("User-Agent", options.UserAgent);
        http.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        http.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        http.Headers.ExpectContinue = false;
        if (message.Cookie is { } cookie)
            http.Headers.TryAddWithoutValidation("Cookie", "Workbooks-Session=" + cookie);
        return http;
    }

    private static MultipartFormDataContent WithParts(MultipartFormDataContent multipart, List<KeyValuePair<string, string>> parameters)
    {
        foreach (var (key, value) in parameters)
            multipart.Add(new StringContent(value, Encoding.UTF8), key);
        return multipart;
    }
}
