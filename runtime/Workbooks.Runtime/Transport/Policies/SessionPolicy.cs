using System.Net;
using Workbooks.Transport;

namespace Workbooks.Transport.Policies;

/// <summary>
/// Authenticates each request: the session cookie (and, on changes, the authenticity token), or the API key per
/// request. Adopts the cookie the service rotates. When the session is gone (401 <c>session_expired</c>/<c>no_session</c>,
/// or the 302 to the login page the guide describes) it logs in again and replays the request once. Both answers
/// come before the service processes anything, so replaying — even a change — cannot apply it twice.
/// </summary>
internal sealed class SessionPolicy(WorkbooksOptions options, RuntimeMetrics metrics) : PipelinePolicy, IDisposable
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
        if (message.Request.Kind is WorkbooksRequestKind.Login or WorkbooksRequestKind.Logout
            || options.Authentication != WorkbooksAuthentication.Session
            || Relogin is null || !await IsSessionLostAsync(message, response, cancellationToken).ConfigureAwait(false))
            return response;

        response.Dispose();
        await _relogin.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_sessionId == observed) // another request may have logged in already
            {
                await Relogin(cancellationToken).ConfigureAwait(false);
                ReloginCount++;
                metrics.Relogins.Add(1);
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
        message.Extra.RemoveAll(p => p.Key is Protocol.ApiKey or Protocol.ApiVersion or Protocol.AuthenticityToken);
        message.Cookie = null;
        if (!Redirects.IsServiceOrigin(message.Target, options.Service!) || message.Request.Kind == WorkbooksRequestKind.Login)
            return _sessionId;
        if (options.Authentication == WorkbooksAuthentication.ApiKeyPerRequest)
        {
            message.Extra.Add(new(Protocol.ApiKey, options.ApiKey!));
            message.Extra.Add(new(Protocol.ApiVersion, "1"));
            return null;
        }
        var session = _sessionId;
        message.Cookie = session;
        if (message.Request.Kind == WorkbooksRequestKind.Change && _token is { } token)
            message.Extra.Add(new(Protocol.AuthenticityToken, token));
        return session;
    }

    /// <summary>The service may hand out a new session id on any response: always adopt the latest.</summary>
    private void AdoptCookie(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var cookies))
            return;
        foreach (var cookie in cookies)
        {
            if (!cookie.StartsWith(CookiePrefix, StringComparison.Ordinal))
                continue;
            var end = cookie.IndexOf(';', StringComparison.Ordinal);
            var value = cookie[CookiePrefix.Length..(end < 0 ? cookie.Length : end)];
            if (value.Length > 0)
                _sessionId = value;
        }
    }

    private const string CookiePrefix = Protocol.SessionCookie + "=";

    /// <summary>The session is gone: the 302 to the login page, or a 401 whose failure_reason says so.</summary>
    private async Task<bool> IsSessionLostAsync(PipelineMessage message, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (Redirects.Classify(response, message.Target, options.Service!, out _) == RedirectKind.Login)
            return true;
        if (response.StatusCode != HttpStatusCode.Unauthorized)
            return false;
        // Small JSON body: buffer it so that it can still be read (by the error mapper) after this look.
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return ServiceError.TryParse(bytes)?.FailureReason is "session_expired" or "no_session";
    }
}
