using System.Net;
using Workbooks.Transport;

namespace Workbooks;

/// <summary>
/// The one exception family of the Workbooks client. Carries the HTTP status, the service's error text and exception
/// reference, and the request it answered (method and path only: never a secret).
/// </summary>
public class WorkbooksException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public WorkbooksException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public WorkbooksException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates an exception describing a response.</summary>
    public WorkbooksException(string message, HttpStatusCode? status, string? serviceMessage, string? requestDescription, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        ServiceMessage = serviceMessage;
        Request = requestDescription;
    }

    /// <summary>The HTTP status of the response, when there was one.</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>The service's own text (<c>flash</c>, <c>failure_message</c> or error detail), when it sent one.</summary>
    public string? ServiceMessage { get; }

    /// <summary>The service's exception reference for support (500 answers), when it sent one.</summary>
    public string? ExceptionReference { get; init; }

    /// <summary>The request this answers, as <c>METHOD path</c> (no parameters, so no secrets).</summary>
    public string? Request { get; }
}

/// <summary>The response could not be understood: not JSON, truncated, or not in the documented shape.</summary>
public sealed class WorkbooksProtocolException : WorkbooksException
{
    /// <summary>Creates the exception.</summary>
    public WorkbooksProtocolException(string message, Exception? innerException = null) : base(message, innerException) { }
}

/// <summary>The request could not be completed over the network (after the retries an idempotent request gets).</summary>
public sealed class WorkbooksTransportException : WorkbooksException
{
    /// <summary>Creates the exception.</summary>
    public WorkbooksTransportException(string message, string? request, bool outcomeUnknown, Exception? innerException)
        : base(message, null, null, request, innerException) => OutcomeUnknown = outcomeUnknown;

    /// <summary>True when a change may or may not have been applied (the connection failed after it was sent).
    /// Change sets check before they resubmit.</summary>
    public bool OutcomeUnknown { get; }
}

/// <summary>Login failed with the service's <c>failure_reason</c>.</summary>
public class WorkbooksLoginException : WorkbooksException
{
    /// <summary>Creates the exception.</summary>
    public WorkbooksLoginException(string message, HttpStatusCode? status, string failureReason, string? serviceMessage)
        : base(message, status, serviceMessage, "POST login.api")
    {
        FailureReasonText = failureReason;
        FailureReason = LoginFailureReasons.Parse(failureReason);
    }

    /// <summary>The documented reason (or <see cref="LoginFailureReason.Unknown"/> for reasons added since).</summary>
    public LoginFailureReason FailureReason { get; }

    /// <summary>The reason exactly as the service sent it.</summary>
    public string FailureReasonText { get; }
}

/// <summary>The user may use several databases and none was chosen: pick one of <see cref="Databases"/> and set
/// <see cref="WorkbooksOptions.LogicalDatabaseId"/>.</summary>
public sealed class WorkbooksDatabaseSelectionRequiredException : WorkbooksLoginException
{
    /// <summary>Creates the exception.</summary>
    public WorkbooksDatabaseSelectionRequiredException(string message, HttpStatusCode? status, IReadOnlyList<LoginDatabase> databases, int? defaultDatabaseId)
        : base(message, status, "no_database_selection_made", message)
    {
        Databases = databases;
        DefaultDatabaseId = defaultDatabaseId;
    }

    /// <summary>The databases the credentials give access to.</summary>
    public IReadOnlyList<LoginDatabase> Databases { get; }

    /// <summary>The database most recently used in the Workbooks Desktop (a hint, not a choice).</summary>
    public int? DefaultDatabaseId { get; }
}

/// <summary>The session ended (expired, logged out elsewhere) and could not be re-established.</summary>
public sealed class WorkbooksSessionException : WorkbooksException
{
    /// <summary>Creates the exception.</summary>
    public WorkbooksSessionException(string message, HttpStatusCode? status, string? serviceMessage, string? request)
        : base(message, status, serviceMessage, request) { }
}

/// <summary>The service kept redirecting the request through its delaying URL (rate limiting) beyond the configured bound.</summary>
public sealed class WorkbooksRateLimitException : WorkbooksException
{
    /// <summary>Creates the exception.</summary>
    public WorkbooksRateLimitException(string message, string? request) : base(message, HttpStatusCode.Found, null, request) { }
}

/// <summary>404: the resource does not exist or access was denied.</summary>
public sealed class WorkbooksNotFoundException : WorkbooksException
{
    /// <summary>Creates the exception.</summary>
    public WorkbooksNotFoundException(string message, string? serviceMessage, string? request) : base(message, HttpStatusCode.NotFound, serviceMessage, request) { }
}

/// <summary>The service refused the request's parameters (400, 405, 406, 501), with the parameter-level errors it gave.</summary>
public sealed class WorkbooksRequestException : WorkbooksException
{
    /// <summary>Creates the exception.</summary>
    public WorkbooksRequestException(string message, HttpStatusCode status, string? serviceMessage, string? request, IReadOnlyDictionary<string, IReadOnlyList<string>> errors)
        : base(message, status, serviceMessage, request) => Errors = errors;

    /// <summary>Errors by parameter (e.g. <c>_fm</c>, <c>_ff</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Errors { get; }
}

/// <summary>The service failed (5xx). Quote <see cref="WorkbooksException.ExceptionReference"/> to Workbooks support.</summary>
public sealed class WorkbooksServiceException : WorkbooksException
{
    /// <summary>Creates the exception.</summary>
    public WorkbooksServiceException(string message, HttpStatusCode status, string? serviceMessage, string? request) : base(message, status, serviceMessage, request) { }
}

/// <summary>The documented login failure reasons.</summary>
public enum LoginFailureReason
{
    /// <summary>A reason this client does not know (the list grows over time).</summary>
    Unknown,
    /// <summary>401 password_expired.</summary>
    PasswordExpired,
    /// <summary>403 no_permission_for_api.</summary>
    NoPermissionForApi,
    /// <summary>401 login_disabled.</summary>
    LoginDisabled,
    /// <summary>401 unrecognised_name_or_password.</summary>
    UnrecognisedNameOrPassword,
    /// <summary>403 requested_database_not_available.</summary>
    RequestedDatabaseNotAvailable,
    /// <summary>403 no_available_database.</summary>
    NoAvailableDatabase,
    /// <summary>403 database_being_migrated.</summary>
    DatabaseBeingMigrated,
    /// <summary>403 database_archived.</summary>
    DatabaseArchived,
    /// <summary>403 invalid_application_name.</summary>
    InvalidApplicationName,
    /// <summary>401 session_expired.</summary>
    SessionExpired,
    /// <summary>401 no_session.</summary>
    NoSession,
    /// <summary>403 no_database_selection_made.</summary>
    NoDatabaseSelectionMade,
    /// <summary>403 user_agent_required.</summary>
    UserAgentRequired,
    /// <summary>401 client_not_licensed.</summary>
    ClientNotLicensed,
    /// <summary>401 licence_expired.</summary>
    LicenceExpired,
    /// <summary>401 no_licensed_edition.</summary>
    NoLicensedEdition,
    /// <summary>401 no_session_found.</summary>
    NoSessionFound,
    /// <summary>401 client_not_activated.</summary>
    ClientNotActivated,
}

/// <summary>Maps failure_reason text to <see cref="LoginFailureReason"/>.</summary>
internal static class LoginFailureReasons
{
    private static readonly Dictionary<string, LoginFailureReason> ByText = new(StringComparer.OrdinalIgnoreCase)
    {
        ["password_expired"] = LoginFailureReason.PasswordExpired,
        ["no_permission_for_api"] = LoginFailureReason.NoPermissionForApi,
        ["login_disabled"] = LoginFailureReason.LoginDisabled,
        ["unrecognised_name_or_password"] = LoginFailureReason.UnrecognisedNameOrPassword,
        ["requested_database_not_available"] = LoginFailureReason.RequestedDatabaseNotAvailable,
        ["no_available_database"] = LoginFailureReason.NoAvailableDatabase,
        ["database_being_migrated"] = LoginFailureReason.DatabaseBeingMigrated,
        ["database_archived"] = LoginFailureReason.DatabaseArchived,
        ["invalid_application_name"] = LoginFailureReason.InvalidApplicationName,
        ["session_expired"] = LoginFailureReason.SessionExpired,
        ["no_session"] = LoginFailureReason.NoSession,
        ["no_database_selection_made"] = LoginFailureReason.NoDatabaseSelectionMade,
        ["user_agent_required"] = LoginFailureReason.UserAgentRequired,
        ["client_not_licensed"] = LoginFailureReason.ClientNotLicensed,
        ["licence_expired"] = LoginFailureReason.LicenceExpired,
        ["no_licensed_edition"] = LoginFailureReason.NoLicensedEdition,
        ["no_session_found"] = LoginFailureReason.NoSessionFound,
        ["client_not_activated"] = LoginFailureReason.ClientNotActivated,
    };

    /// <summary>The enum value of a reason text (Unknown for anything undocumented).</summary>
    public static LoginFailureReason Parse(string? text) =>
        text is not null && ByText.TryGetValue(text, out var reason) ? reason : LoginFailureReason.Unknown;
}
