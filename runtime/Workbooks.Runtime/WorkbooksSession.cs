using System.Net;
using System.Text.Json;
using Workbooks.Transport;

namespace Workbooks;

/// <summary>
/// A connection to a Workbooks database: it logs in (or uses the API key per request), keeps the session alive
/// across expiry, and sends requests through the transport pipeline. Thread-safe. <see cref="DisposeAsync"/> logs out.
/// </summary>
public sealed class WorkbooksSession : IAsyncDisposable
{
    private readonly HttpClient _httpClient;
    private readonly bool _ownsClient;
    private readonly WorkbooksOptions _options;
    private int _disposed;

    private WorkbooksSession(HttpClient httpClient, bool ownsClient, WorkbooksOptions options)
    {
        _httpClient = httpClient;
        _ownsClient = ownsClient;
        _options = options;
        var session = new SessionPolicy(options);
        Pipeline = new WorkbooksPipeline(httpClient, options, session);
    }

    internal WorkbooksPipeline Pipeline { get; }

    /// <summary>The options the session runs with (a copy: later changes to the caller's object have no effect).</summary>
    public WorkbooksOptions Options => _options;

    /// <summary>The current session id (null in API-key-per-request mode). Save it to reconnect later.</summary>
    public string? SessionId => Pipeline.Session.SessionId;

    /// <summary>The database this session works in, as the login reported it.</summary>
    public int? LogicalDatabaseId { get; private set; }

    /// <summary>The database's name, as the login reported it.</summary>
    public string? DatabaseName { get; private set; }

    /// <summary>The databases the credentials give access to, as the login reported them.</summary>
    public IReadOnlyList<WorkbooksDatabase> Databases { get; private set; } = [];

    /// <summary>How many times the session expired and was re-established transparently.</summary>
    public int ReloginCount => Pipeline.Session.ReloginCount;

    /// <summary>Connects with a client the session creates and owns (no automatic redirects, gzip decoded).</summary>
    public static Task<WorkbooksSession> ConnectAsync(WorkbooksOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        return ConnectCoreAsync(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }, ownsClient: true, options, cancellationToken);
    }

    /// <summary>Connects over the caller's client. Its handler must not follow redirects automatically
    /// (<c>AllowAutoRedirect = false</c>): .NET turns a redirected PUT into a GET, which would lose a change.</summary>
    public static Task<WorkbooksSession> ConnectAsync(WorkbooksOptions options, HttpClient httpClient, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClient);
        options.Validate();
        return ConnectCoreAsync(httpClient, ownsClient: false, options, cancellationToken);
    }

    /// <summary>Connects over a client from the factory (configure its primary handler with <c>AllowAutoRedirect = false</c>).</summary>
    public static Task<WorkbooksSession> ConnectAsync(WorkbooksOptions options, IHttpClientFactory httpClientFactory, string? clientName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        return ConnectAsync(options, httpClientFactory.CreateClient(clientName ?? "Workbooks"), cancellationToken);
    }

    private static async Task<WorkbooksSession> ConnectCoreAsync(HttpClient httpClient, bool ownsClient, WorkbooksOptions options, CancellationToken cancellationToken)
    {
        var session = new WorkbooksSession(httpClient, ownsClient, options.Clone());
        try
        {
            if (session._options.Authentication == WorkbooksAuthentication.Session)
            {
                await session.LoginAsync(reconnectId: session._options.SessionId, cancellationToken).ConfigureAwait(false);
                session.Pipeline.Session.Relogin = ct => session.LoginAsync(reconnectId: null, ct);
            }
            return session;
        }
        catch
        {
            if (ownsClient) httpClient.Dispose();
            throw;
        }
    }

    private async Task LoginAsync(string? reconnectId, CancellationToken cancellationToken)
    {
        var o = _options;
        var request = new WorkbooksRequest(WorkbooksRequestKind.Login, "login.api");
        if (reconnectId is not null && o.Username is not null && LogicalDatabaseId is null)
        {
            request.Add("username", o.Username).Add("session_id", reconnectId).Add("logical_database_id", o.LogicalDatabaseId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else if (!string.IsNullOrWhiteSpace(o.ApiKey))
        {
            request.Add("api_key", o.ApiKey);
        }
        else if (o.Username is not null && o.Password is not null)
        {
            request.Add("username", o.Username).Add("password", o.Password);
            var database = LogicalDatabaseId ?? o.LogicalDatabaseId;
            if (database is { } id)
                request.Add("logical_database_id", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            throw new WorkbooksSessionException("The session expired and it was opened by reconnecting a saved session id: there is no API key or password to log in again with.", HttpStatusCode.Unauthorized, null, "POST login.api");
        }
        request.Add("api_version", "1");
        if (o.ApplicationName is { } app)
            request.Add("_application_name", app);
        if (o.RequestUnambiguousFormats)
            request.Add("_json_output_datetime_format", "%s").Add("_json_output_date_format", "%Y-%m-%d");

        using var response = await Pipeline.SendRawAsync(request, cancellationToken).ConfigureAwait(false);
        using var doc = await ParseAsync(response, cancellationToken).ConfigureAwait(false);
        var root = doc?.RootElement;
        if (response.Status != HttpStatusCode.OK)
        {
            var reason = root is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("failure_reason", out var fr) ? fr.GetString() : null;
            var message = root is { ValueKind: JsonValueKind.Object } r2 && r2.TryGetProperty("failure_message", out var fm) ? fm.GetString() : null;
            if (reason == "no_database_selection_made")
            {
                var databases = ReadDatabases(root!.Value);
                int? defaultId = root.Value.TryGetProperty("default_database_id", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : null;
                throw new WorkbooksDatabaseSelectionRequiredException(
                    $"The user can use {databases.Count} databases ({string.Join(", ", databases.Select(x => $"{x.Id} {x.Name}"))}): set WorkbooksOptions.LogicalDatabaseId to choose one.",
                    response.Status, databases, defaultId);
            }
            throw new WorkbooksLoginException($"Login failed ({(int)response.Status}): {reason ?? "no failure_reason given"}{(message is null ? "" : " - " + message)}",
                response.Status, reason ?? "", message);
        }
        if (root is not { ValueKind: JsonValueKind.Object } ok || !ok.TryGetProperty("authenticity_token", out var token))
            throw new WorkbooksProtocolException("The login response is not in the documented shape (no authenticity_token).");
        // The cookie was adopted by the session policy; the JSON carries the same id (the guide: for clients without cookies).
        var sessionId = Pipeline.Session.SessionId ?? (ok.TryGetProperty("session_id", out var sid) ? sid.GetString() : null)
            ?? throw new WorkbooksProtocolException("The login response carried no session id.");
        if (ok.TryGetProperty("session_id", out var jsonId) && jsonId.GetString() is { } fromJson)
            sessionId = fromJson;
        Pipeline.Session.Establish(sessionId, token.GetString());
        LogicalDatabaseId = ok.TryGetProperty("logical_database_id", out var db) && db.ValueKind == JsonValueKind.Number ? db.GetInt32() : LogicalDatabaseId;
        DatabaseName = ok.TryGetProperty("database_name", out var dn) ? dn.GetString() : DatabaseName;
        Databases = ReadDatabases(ok);
    }

    private static async Task<JsonDocument?> ParseAsync(WorkbooksResponse response, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            if (response.Status == HttpStatusCode.OK)
                throw new WorkbooksProtocolException("The login response is not JSON.", e);
            return null;
        }
    }

    private static List<WorkbooksDatabase> ReadDatabases(JsonElement root) =>
        root.TryGetProperty("databases", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("id", out _))
                .Select(e => new WorkbooksDatabase(e.GetProperty("id").GetInt32(), e.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "")).ToList()
            : [];

    /// <summary>Sends a request and returns the response; a non-success status throws the matching <see cref="WorkbooksException"/>.
    /// The low-level door for anything the typed API does not cover.</summary>
    public Task<WorkbooksResponse> SendAsync(WorkbooksRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return Pipeline.SendAsync(request, cancellationToken);
    }

    /// <summary>Logs out (when a session was opened) and releases the client the session owns.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            if (_options.Authentication == WorkbooksAuthentication.Session && Pipeline.Session.SessionId is not null)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                using var response = await Pipeline.SendRawAsync(new WorkbooksRequest(WorkbooksRequestKind.Login, "logout"), timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or WorkbooksException)
        {
            // Logging out is a courtesy: the service expires sessions anyway.
        }
        finally
        {
            Pipeline.Session.Clear();
            Pipeline.Session.Dispose();
            if (_ownsClient)
                _httpClient.Dispose();
        }
    }
}
