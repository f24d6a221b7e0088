using System.Net;
using Workbooks.Transport;
using Workbooks.Transport.Policies;

namespace Workbooks;

/// <summary>
/// A connection to a Workbooks database: it logs in (or uses the API key per request), keeps the session alive
/// across expiry, and sends requests through the transport pipeline. Thread-safe. <see cref="DisposeAsync"/> logs out.
/// </summary>
public sealed partial class WorkbooksSession : IAsyncDisposable
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
        Metrics = RuntimeMetrics.Create(options.MeterFactory);
        var session = new SessionPolicy(options, Metrics);
        Pipeline = new WorkbooksPipeline(httpClient, options, session, Metrics);
    }

    internal WorkbooksPipeline Pipeline { get; }

    /// <summary>This session's instruments (see <see cref="WorkbooksOptions.MeterFactory"/>).</summary>
    internal RuntimeMetrics Metrics { get; }

    /// <summary>The largest page each controller has filled in this session (when a short page ends a stream).</summary>
    internal Query.HonouredPageSizes PageSizes { get; } = new();

    /// <summary>The options the session runs with: a frozen copy taken at connect, so neither later changes to the caller's object nor changes through this property (they throw) reach a live session.</summary>
    public WorkbooksOptions Options => _options;

    /// <summary>The current session id (null in API-key-per-request mode). Save it to reconnect later.</summary>
    public string? SessionId => Pipeline.Session.SessionId;

    /// <summary>The latest login response (null in API-key-per-request mode).</summary>
    internal LoginResponse? Login { get; private set; }

    /// <summary>The database this session works in, as the login reported it.</summary>
    public int? LogicalDatabaseId => Login?.LogicalDatabaseId;

    /// <summary>The database's name, as the login reported it.</summary>
    public string? DatabaseName => Login?.DatabaseName;

    /// <summary>The databases the credentials give access to, as the login reported them.</summary>
    public IReadOnlyList<LoginDatabase> Databases => Login?.Databases ?? [];

    /// <summary>How many times the session expired and was re-established transparently.</summary>
    public int ReloginCount => Pipeline.Session.ReloginCount;

    /// <summary>Connects with a client the session creates and owns (no automatic redirects; gzip asked for as <see cref="WorkbooksOptions.Compression"/> says, and decoded).</summary>
    public static Task<WorkbooksSession> ConnectAsync(WorkbooksOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            // The pipeline asks for gzip only when it pays (WorkbooksOptions.Compression) and decodes it itself: an
            // automatic decompression would add Accept-Encoding to every request.
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        return ConnectCoreAsync(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }, ownsClient: true, options, cancellationToken);
    }

    /// <summary>
    /// Connects over the caller's client. Its handler must not follow redirects automatically
    /// (<c>AllowAutoRedirect = false</c>): a handler that follows them would carry the session cookie to wherever a
    /// redirect points, and .NET turns a redirected PUT into a GET, which would lose a change. Before anything secret is
    /// sent, a probe asks the service for the redirect it gives an unknown session (the guide's 302 to the login page);
    /// a client that followed it is refused.
    /// </summary>
    /// <exception cref="ArgumentException">The client follows redirects on its own.</exception>
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
        var session = new WorkbooksSession(httpClient, ownsClient, options.CloneFrozen());
        try
        {
            if (!ownsClient)
                await RefuseClientsThatFollowRedirectsAsync(httpClient, session._options, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Asks the service, with a made-up session cookie and no credential, for a record list: the service redirects an
    /// unknown session to its login page. If the answer comes from anywhere but the URL asked, the client followed the
    /// redirect by itself, and would follow one to another origin with the real cookie: refuse it. A service that does
    /// not redirect tells nothing, and the transport checks every answer as well.
    /// </summary>
    private static async Task RefuseClientsThatFollowRedirectsAsync(HttpClient httpClient, WorkbooksOptions options, CancellationToken cancellationToken)
    {
        var probe = new Uri(options.Service!, "crm/people.api?_start=0&_limit=1");
        using var request = new HttpRequestMessage(HttpMethod.Get, probe);
        request.Headers.TryAddWithoutValidation("User-Agent", options.EffectiveUserAgent);
        request.Headers.TryAddWithoutValidation("Cookie", Protocol.SessionCookie + "=not-a-session");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new WorkbooksTransportException($"The service at {options.Service} could not be reached: {e.Message}", "GET crm/people.api", outcomeUnknown: false, e);
        }
        using (response)
        {
            if (response.RequestMessage?.RequestUri is { } answered && answered != probe)
                throw new ArgumentException(
                    $"This HttpClient follows redirects by itself (asked {probe.AbsolutePath}, answered from {answered.AbsolutePath}): it would carry the session cookie to wherever a redirect points. "
                    + "Create its handler with AllowAutoRedirect = false (SocketsHttpHandler or HttpClientHandler); the session follows the service's redirects itself, to its own origin only.",
                    nameof(httpClient));
        }
    }

    private async Task LoginAsync(string? reconnectId, CancellationToken cancellationToken)
    {
        var o = _options;
        var request = new WorkbooksRequest(WorkbooksRequestKind.Login, Protocol.LoginPath);
        if (reconnectId is not null && o.Username is not null && LogicalDatabaseId is null)
        {
            request.Add("username", o.Username).Add("session_id", reconnectId).Add("logical_database_id", o.LogicalDatabaseId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else if (!string.IsNullOrWhiteSpace(o.ApiKey))
        {
            request.Add(Protocol.ApiKey, o.ApiKey);
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
        if (response.Status != HttpStatusCode.OK)
        {
            var failure = await LoginFailure.TryParseAsync(response.Content, cancellationToken).ConfigureAwait(false);
            if (failure?.Kind == LoginFailureReason.NoDatabaseSelectionMade)
                throw new WorkbooksDatabaseSelectionRequiredException(
                    $"The user can use {failure.Databases.Count} databases ({string.Join(", ", failure.Databases.Select(x => $"{x.Id} {x.Name}"))}): set WorkbooksOptions.LogicalDatabaseId to choose one.",
                    response.Status, failure.Databases, failure.DefaultDatabaseId);
            throw new WorkbooksLoginException($"Login failed ({(int)response.Status}): {failure?.Reason ?? "no failure_reason given"}{(failure?.Message is { } m ? " - " + m : "")}",
                response.Status, failure?.Reason ?? "", failure?.Message);
        }
        LoginResponse login;
        try
        {
            login = await LoginResponse.ParseAsync(response.Content, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new WorkbooksProtocolException("The login response was cut short.", e);
        }
        // The JSON carries the session id for clients without cookies; the cookie (adopted by the session policy) is the same.
        var sessionId = login.SessionId ?? Pipeline.Session.SessionId
            ?? throw new WorkbooksProtocolException("The login response carried no session id.");
        if (login.AuthenticityToken is null)
            throw new WorkbooksProtocolException("The login response is not in the documented shape (no authenticity_token).");
        Pipeline.Session.Establish(sessionId, login.AuthenticityToken);
        Login = login;
    }

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
                using var response = await Pipeline.SendRawAsync(new WorkbooksRequest(WorkbooksRequestKind.Logout, Protocol.LogoutPath), timeout.Token).ConfigureAwait(false);
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
