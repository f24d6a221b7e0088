using System.Net;
using System.Text.Json;

namespace Workbooks.Transport;

/// <summary>
/// Authenticates each request: the session cookie (and, on changes, the authenticity token), or the API key per
/// request. Adopts the cookie the service rotates. When the session is gone (401 <c>session_expired</c>/<c>no_session</c>,
/// or the 302 to the login page the guide describes) it logs in again and replays the request once. Both answers
/// come before the service processes anything, so replaying — even a change — cannot apply it twice.
/// </summary>
internal sealed class SessionPolicy(WorkbooksOptions options) : PipelinePolicy, IDisposable
{
    private readonly SemaphoreSlim _relogin = new(1, 1);
    private volatile string? _sessionId;
    private volatile string? _token;

    /// <summary>Logs in again; set by the session once it knows how.</summary>
    public Func<CancellationToken, Task>? Relogin { get; set; }

    public string? SessionId => _sessionId;

    public string? AuthenticityToken => _token;

    /// <summary>How many times the session was re-established.</summary>
    public int ReloginCount { get; private set; }

    public void Establish(string sessionId, string? token)
    {
        _sessionId = sessionId;
        _token = token;
    }

    public void Clear()
    {
        _sessionId = null;
        _token = null;
    }

    public void Dispose() => _relogin.Dispose();

    public override async Task<HttpResponseMessage> SendAsync(PipelineMessage message, CancellationToken cancellationToken)
    {
        var observed = Authenticate(message);
        var response = await NextAsync(message, cancellationToken).ConfigureAwait(false);
        AdoptCookie(response);
        if (message.Request.Kind == WorkbooksRequestKind.Login || options.Authentication != WorkbooksAuthentication.Session
            || Relogin is null || !await IsSessionLostAsync(response, cancellationToken).ConfigureAwait(false))
            return response;

        response.Dispose();
        await _relogin.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_sessionId == observed) // another request may have logged in already
            {
                await Relogin(cancellationToken).ConfigureAwait(false);
                ReloginCount++;
            }
        }
        finally
        {
            _relogin.Release();
        }
        Authenticate(message);
        response = await NextAsync(message, cancellationToken).ConfigureAwait(false);
        AdoptCookie(response);
        return response;
    }

    private string? Authenticate(PipelineMessage message)
    {
        message.Extra.RemoveAll(p => p.Key is "api_key" or "_api_version" or "_authenticity_token");
        message.Cookie = null;
        if (!IsServiceOrigin(message.Target) || message.Request.Kind == WorkbooksRequestKind.Login && message.Request.Path != "logout")
            return _sessionId;
        if (options.Authentication == WorkbooksAuthentication.ApiKeyPerRequest)
        {
            message.Extra.Add(new("api_key", options.ApiKey!));
            message.Extra.Add(new("_api_version", "1"));
            return null;
        }
        var session = _sessionId;
        message.Cookie = session;
        if (message.Request.Kind == WorkbooksRequestKind.Change && _token is { } token)
            message.Extra.Add(new("_authenticity_token", token));
        return session;
    }

    private bool IsServiceOrigin(Uri target) =>
        Uri.Compare(target, options.Service, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>The service may hand out a new session id on any response: always adopt the latest.</summary>
    private void AdoptCookie(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var cookies))
            return;
        foreach (var cookie in cookies)
        {
            if (!cookie.StartsWith("Workbooks-Session=", StringComparison.Ordinal))
                continue;
            var end = cookie.IndexOf(';', StringComparison.Ordinal);
            var value = cookie["Workbooks-Session=".Length..(end < 0 ? cookie.Length : end)];
            if (value.Length > 0)
                _sessionId = value;
        }
    }

    internal static bool IsLoginRedirect(Uri location) =>
        location.AbsolutePath.TrimEnd('/') is "/login" or "/login.api" or "/login.html";

    private static async Task<bool> IsSessionLostAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Found && response.Headers.Location is { } location)
            return IsLoginRedirect(location.IsAbsoluteUri ? location : new Uri(new Uri("http://x/"), location));
        if (response.StatusCode != HttpStatusCode.Unauthorized)
            return false;
        // Small JSON body: buffer it so that it can still be read after this look.
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            return doc.RootElement.TryGetProperty("failure_reason", out var reason)
                && reason.GetString() is "session_expired" or "no_session";
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
