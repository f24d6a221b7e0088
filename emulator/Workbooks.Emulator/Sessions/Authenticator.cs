using Microsoft.AspNetCore.Http;
using Workbooks.Emulator.Http;
using Workbooks.Emulator.Query;

namespace Workbooks.Emulator.Sessions;

/// <summary>
/// Who is calling: login and logout, the API key or session cookie of every other request (with the settings its
/// session chose at login), and the session's authenticity token that changes must carry.
/// </summary>
internal sealed class Authenticator
{
    /// <summary>The cookie that carries the session id.</summary>
    public const string SessionCookie = "Workbooks-Session";

    private const string TokenRequired = "Changes require the session's _authenticity_token.";

    private readonly WorkbooksService _service;
    private readonly LoginHandler _login;

    public Authenticator(WorkbooksService service)
    {
        _service = service;
        _login = new LoginHandler(service);
    }

    /// <summary><c>login.api</c> (POST only).</summary>
    public Task LoginAsync(HttpContext context, IncomingRequest request)
    {
        if (request.Method is not ("POST" or "PUT"))
            throw new RequestRejectedException(405, "login.api accepts POST.");
        return _login.HandleAsync(context, request.ReadParameters, request.Style);
    }

    /// <summary><c>logout.api</c>: ends the session, if any, and sends the client home.</summary>
    public Task LogoutAsync(HttpContext context, IncomingRequest request)
    {
        if (context.Request.Cookies.TryGetValue(SessionCookie, out var sessionId))
            _service.Sessions.End(sessionId);
        return ResponseWriter.RedirectAsync(context, "/", request.Style);
    }

    /// <summary>
    /// The caller of a request, by API key or session cookie; null when the request was refused (and answered: a 302
    /// to the login page for an unknown session, the failure otherwise). A session's rendering settings are applied
    /// to the request's style.
    /// </summary>
    public async Task<AuthResult.Ok?> AuthenticateAsync(HttpContext context, IncomingRequest request)
    {
        switch (Authenticate(context, request.ReadParameters))
        {
            case AuthResult.InvalidSession:
                await ResponseWriter.RedirectAsync(context, "/login", request.Style).ConfigureAwait(false);
                return null;
            case AuthResult.Failed failed:
                await FailureWriter.WriteAsync(context, request.Style, Failure.Refused(failed.Status, failed.Reason, failed.Message)).ConfigureAwait(false);
                return null;
            case AuthResult.Ok ok:
                if (ok.Session is { } session)
                {
                    var style = request.Style;
                    style.SessionCookie = session.Id;
                    style.Pretty |= session.Pretty;
                    style.Gzip |= session.Gzip;
                    style.AsciiOnly |= session.AsciiOnly;
                }
                return ok;
            default:
                throw new InvalidOperationException("Unexpected authentication result.");
        }
    }

    /// <summary>What the authenticated request may do: its user, database, session and output formats.</summary>
    public CallContext CallFor(AuthResult.Ok ok, IncomingRequest request)
    {
        var p = request.ReadParameters;
        var formats = ok.Session?.Formats ?? OutputFormats.Default;
        formats = new OutputFormats(
            p.Get("_json_output_date_format") ?? formats.DateFormat,
            p.Get("_json_output_time_format") ?? formats.TimeFormat,
            p.Get("_json_output_datetime_format") ?? formats.DateTimeFormat);
        return new CallContext(ok.User, _service.GetDatabase(ok.DatabaseId), ok.Session, formats, p, request.Method);
    }

    /// <summary>
    /// A change made in a session must carry the session's <c>_authenticity_token</c> (an API key needs none): null
    /// when it may go on, otherwise the failure to answer with.
    /// </summary>
    public static Failure? CheckAuthenticityToken(CallContext call)
    {
        if (call.Session is not { } session)
            return null;
        var token = call.Parameters.Get("_authenticity_token");
        if (token == session.AuthenticityToken)
            return null;
        return new Failure(403, TokenRequired)
        {
            Reason = "invalid_authenticity_token",
            Message = token is null ? TokenRequired : "The _authenticity_token does not belong to this session.",
        };
    }

    private AuthResult Authenticate(HttpContext context, RequestParameters p)
    {
        var options = _service.Options;
        if (p.GetOptional("api_key") is { } apiKey)
        {
            var key = options.ApiKeys.FirstOrDefault(k => k.Key == apiKey.Trim());
            var user = key is null ? null : options.Users.FirstOrDefault(u => u.Username == key.Username);
            if (key is null || user is null)
                return new AuthResult.Failed(401, "unrecognised_name_or_password", "The API key was not recognised.");
            if (user.LoginFailureReason is { } reason)
                return Refused(reason);
            var info = _service.DatabaseInfo(key.DatabaseId);
            if (info is null || info.Availability != DatabaseAvailability.Available)
            {
                return Refused(info?.Availability switch
                {
                    DatabaseAvailability.BeingMigrated => "database_being_migrated",
                    DatabaseAvailability.Archived => "database_archived",
                    _ => "requested_database_not_available",
                });
            }
            return new AuthResult.Ok(user, key.DatabaseId, null, "key:" + key.Key);
        }
        if (context.Request.Cookies.TryGetValue(SessionCookie, out var sessionId) && sessionId.Length > 0)
            return _service.Sessions.Resolve(sessionId, _service.Now);
        return new AuthResult.Failed(401, "no_session", "You do not have a session.");
    }

    private static AuthResult.Failed Refused(string reason)
    {
        var (status, message) = LoginHandler.Describe(reason);
        return new AuthResult.Failed(status, reason, message);
    }
}
