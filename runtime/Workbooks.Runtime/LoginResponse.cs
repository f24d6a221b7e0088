using System.Text.Json;
using Workbooks.Transport;

namespace Workbooks;

/// <summary>A successful <c>login.api</c> response.</summary>
internal sealed class LoginResponse
{
    private static readonly IReadOnlyDictionary<string, long> NoQueues = new Dictionary<string, long>(StringComparer.Ordinal);

    /// <summary><c>session_id</c>: the session to send as the <c>Workbooks-Session</c> cookie or to reconnect with.</summary>
    public string? SessionId { get; init; }

    /// <summary><c>authenticity_token</c>: required with every change request of the session.</summary>
    public string? AuthenticityToken { get; init; }

    /// <summary><c>logical_database_id</c>: the database the session uses.</summary>
    public int? LogicalDatabaseId { get; init; }

    /// <summary><c>database_name</c>.</summary>
    public string? DatabaseName { get; init; }

    /// <summary><c>default_database_id</c>: the database last chosen in the Workbooks Desktop.</summary>
    public int? DefaultDatabaseId { get; init; }

    /// <summary><c>user_id</c>.</summary>
    public long? UserId { get; init; }

    /// <summary><c>person_name</c>.</summary>
    public string? PersonName { get; init; }

    /// <summary><c>login_name</c>.</summary>
    public string? LoginName { get; init; }

    /// <summary><c>api_version</c>: the API compatibility level of the service.</summary>
    public int? ApiVersion { get; init; }

    /// <summary><c>version</c>: the service's build description.</summary>
    public string? Version { get; init; }

    /// <summary><c>timezone</c>.</summary>
    public string? TimeZone { get; init; }

    /// <summary><c>databases</c>: every database the login may use.</summary>
    public IReadOnlyList<LoginDatabase> Databases { get; init; } = [];

    /// <summary><c>database_instance_id</c>.</summary>
    public long? DatabaseInstanceId { get; init; }

    /// <summary><c>my_queues</c>: queue ids by queue class name.</summary>
    public IReadOnlyDictionary<string, long> MyQueues { get; init; } = NoQueues;

    /// <summary>Reads a login response body.</summary>
    /// <exception cref="WorkbooksProtocolException">The body is not a JSON object.</exception>
    /// <exception cref="WorkbooksLoginException">The body is a failure (<c>success: false</c> or a <c>failure_reason</c>).</exception>
    public static async Task<LoginResponse> ParseAsync(Stream body, CancellationToken cancellationToken = default)
        => FromElement(await ResponseJson.ParseBodyAsync(body, "login response", cancellationToken).ConfigureAwait(false));

    /// <summary>Reads a login response body held in memory.</summary>
    /// <exception cref="WorkbooksProtocolException">The body is not a JSON object.</exception>
    /// <exception cref="WorkbooksLoginException">The body is a failure (<c>success: false</c> or a <c>failure_reason</c>).</exception>
    public static LoginResponse Parse(ReadOnlyMemory<byte> body) => FromElement(ResponseJson.ParseBody(body, "login response"));

    /// <summary>Reads a login response from a parsed body.</summary>
    /// <exception cref="WorkbooksProtocolException">The body is not a JSON object.</exception>
    /// <exception cref="WorkbooksLoginException">The body is a failure (<c>success: false</c> or a <c>failure_reason</c>).</exception>
    public static LoginResponse FromElement(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new WorkbooksProtocolException($"The login response is a JSON {root.ValueKind}, not an object.");
        if (ResponseJson.GetBoolean(root, "success") == false || ResponseJson.TryGet(root, "failure_reason", out _))
        {
            var failure = LoginFailure.FromElement(root);
            throw new WorkbooksLoginException($"Login failed: {failure.Reason} ({failure.Message})", null,
                failure.Reason, failure.Message);
        }

        var queues = new Dictionary<string, long>(StringComparer.Ordinal);
        if (ResponseJson.TryGet(root, "my_queues", out var q) && q.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in q.EnumerateObject())
                if (ResponseJson.AsInt64(property.Value) is { } id)
                    queues[property.Name] = id;
        }

        return new LoginResponse
        {
            SessionId = ResponseJson.GetString(root, "session_id"),
            AuthenticityToken = ResponseJson.GetString(root, "authenticity_token"),
            LogicalDatabaseId = ResponseJson.GetInt32(root, "logical_database_id"),
            DatabaseName = ResponseJson.GetString(root, "database_name"),
            DefaultDatabaseId = ResponseJson.GetInt32(root, "default_database_id"),
            UserId = ResponseJson.GetInt64(root, "user_id"),
            PersonName = ResponseJson.GetString(root, "person_name"),
            LoginName = ResponseJson.GetString(root, "login_name"),
            ApiVersion = ResponseJson.GetInt32(root, "api_version"),
            Version = ResponseJson.GetString(root, "version"),
            TimeZone = ResponseJson.GetString(root, "timezone"),
            Databases = LoginDatabase.ReadList(root),
            DatabaseInstanceId = ResponseJson.GetInt64(root, "database_instance_id"),
            MyQueues = queues.Count == 0 ? NoQueues : queues,
        };
    }
}

/// <summary>A database a login may use (an element of <c>databases</c>).</summary>
/// <param name="Id">Its <c>id</c>, the <c>logical_database_id</c> to log in with.</param>
/// <param name="Name">Its <c>name</c>.</param>
/// <param name="CreatedAt">Its <c>created_at</c>, as the service rendered it.</param>
public sealed record LoginDatabase(int Id, string Name, string? CreatedAt)
{
    internal static LoginDatabase[] ReadList(JsonElement root)
    {
        if (!ResponseJson.TryGet(root, "databases", out var value))
            return [];
        var list = new List<LoginDatabase>();
        // An array of {id, name, created_at}; tolerate an object keyed by id as well.
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
                if (ResponseJson.GetInt32(item, "id") is { } id)
                    list.Add(new LoginDatabase(id, ResponseJson.GetString(item, "name") ?? "", ResponseJson.GetString(item, "created_at")));
        }
        else if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
            {
                var item = property.Value;
                var id = ResponseJson.GetInt32(item, "id")
                    ?? (int.TryParse(property.Name, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var k) ? k : null);
                if (id is { } valid)
                    list.Add(new LoginDatabase(valid, ResponseJson.GetString(item, "name") ?? "", ResponseJson.GetString(item, "created_at")));
            }
        }
        return list.ToArray();
    }
}

/// <summary>A failed login: the body of a 401/403 answer to <c>login.api</c>.</summary>
internal sealed class LoginFailure
{
    private LoginFailure(string reason, string? message, IReadOnlyList<LoginDatabase> databases, int? defaultDatabaseId)
    {
        Reason = reason;
        Kind = LoginFailureReasons.Parse(reason);
        Message = message;
        Databases = databases;
        DefaultDatabaseId = defaultDatabaseId;
    }

    /// <summary>The reason exactly as sent: <c>failure_reason</c>, falling back to <c>failure_message</c> (what the
    /// official bindings read); empty when the body had neither.</summary>
    public string Reason { get; }

    /// <summary>The documented reason, or <see cref="LoginFailureReason.Unknown"/> for one this client does not know.</summary>
    public LoginFailureReason Kind { get; }

    /// <summary>A human-readable message: <c>failure_message</c>, else <c>flash</c>.</summary>
    public string? Message { get; }

    /// <summary>The databases the credentials give access to (sent with <c>no_database_selection_made</c>).</summary>
    public IReadOnlyList<LoginDatabase> Databases { get; }

    /// <summary><c>default_database_id</c> (sent with <c>no_database_selection_made</c>): a hint, not a choice.</summary>
    public int? DefaultDatabaseId { get; }

    /// <summary>Reads a login failure body; null when the body is not a JSON object (e.g. an HTML page).</summary>
    public static LoginFailure? TryParse(ReadOnlySpan<byte> body)
        => ServiceError.TryParseElement(body) is { } root ? FromElement(root) : null;

    /// <summary>Reads a login failure body; null when the body is not a JSON object (e.g. an HTML page).</summary>
    public static async Task<LoginFailure?> TryParseAsync(Stream body, CancellationToken cancellationToken = default)
        => await ServiceError.TryParseElementAsync(body, cancellationToken).ConfigureAwait(false) is { } root ? FromElement(root) : null;

    /// <summary>Reads a login failure from a parsed body object.</summary>
    public static LoginFailure FromElement(JsonElement root)
    {
        var failureMessage = ResponseJson.GetString(root, "failure_message");
        var reason = ResponseJson.GetString(root, "failure_reason");
        if (string.IsNullOrEmpty(reason))
            reason = failureMessage;
        var message = !string.IsNullOrEmpty(failureMessage) ? failureMessage : ResponseJson.GetString(root, "flash");
        return new LoginFailure(reason ?? "", message, LoginDatabase.ReadList(root), ResponseJson.GetInt32(root, "default_database_id"));
    }
}
