using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Workbooks;

/// <summary>How a session authenticates.</summary>
public enum WorkbooksAuthentication
{
    /// <summary>Log in once (by API key, by username and password, or by reconnecting) and use the session cookie.
    /// The guide's preferred mode.</summary>
    Session,
    /// <summary>Send the API key with every request, without a session (more overhead on the service, no login).</summary>
    ApiKeyPerRequest,
}

/// <summary>Options of a <see cref="WorkbooksSession"/>. Validated when the session connects, which takes a frozen copy.</summary>
public sealed class WorkbooksOptions
{
    private WorkbooksAuthentication _authentication = WorkbooksAuthentication.Session;
    private string _userAgent = "Workbooks.Generated/1.0";
    private bool? _compression;
    private TimeSpan _timeout = TimeSpan.FromSeconds(120);
    private int _maxRetries = 3;
    private TimeSpan _retryDelay = TimeSpan.FromMilliseconds(200);
    private TimeSpan _maxRetryDelay = TimeSpan.FromSeconds(10);
    private int _maxRedirects = 10;
    private int _maxUrlLength = 2000;
    private int _maxPageSize = 1000;
    private TimeProvider _timeProvider = TimeProvider.System;
    private Uri? _service;
    private string? _apiKey;
    private string? _username;
    private string? _password;
    private int? _logicalDatabaseId;
    private string? _sessionId;
    private string? _applicationName;
    private bool _allowInsecureLoopback;
    private bool _useMethodOverride;
    private bool _requestUnambiguousFormats;
    private bool _perObjectTransactions;
    private ILoggerFactory? _loggerFactory;
    private IMeterFactory? _meterFactory;
    private bool _frozen;

    /// <summary>The service root, e.g. <c>https://secure.workbooks.com/</c>.</summary>
    public Uri? Service { get => _service; set => Set(ref _service, value); }

    /// <summary>An API key (it identifies the user and the database).</summary>
    public string? ApiKey { get => _apiKey; set => Set(ref _apiKey, value); }

    /// <summary>The login name (an e-mail address), with <see cref="Password"/> or <see cref="SessionId"/>.</summary>
    public string? Username { get => _username; set => Set(ref _username, value); }

    /// <summary>The password for a username login.</summary>
    public string? Password { get => _password; set => Set(ref _password, value); }

    /// <summary>The database to log into when the user has several (remember it from an earlier login).</summary>
    public int? LogicalDatabaseId { get => _logicalDatabaseId; set => Set(ref _logicalDatabaseId, value); }

    /// <summary>A saved session id to reconnect to (with <see cref="Username"/> and <see cref="LogicalDatabaseId"/>).</summary>
    public string? SessionId { get => _sessionId; set => Set(ref _sessionId, value); }

    /// <summary>How requests are authenticated.</summary>
    public WorkbooksAuthentication Authentication { get => _authentication; set => Set(ref _authentication, value); }

    /// <summary>The name stamped into <c>created_through</c> of created records.</summary>
    public string? ApplicationName { get => _applicationName; set => Set(ref _applicationName, value); }

    /// <summary>The User-Agent (the service requires one). The gzip marker is added when <see cref="Compression"/> is on.</summary>
    public string UserAgent { get => _userAgent; set => Set(ref _userAgent, value); }

    /// <summary>
    /// Whether to ask the service for gzip: the guide's <c>gzip</c> marker in the User-Agent (added when it lacks one)
    /// and <c>Accept-Encoding: gzip</c>. Null (the default) decides by the service's address: yes for a remote service,
    /// no for a loopback or private-network one, where compressing and decompressing on the same cores costs more than
    /// the bytes it saves (about 25–30 % of a page on loopback); yes, too, when <see cref="UserAgent"/> names gzip itself
    /// (the guide's way to ask for it, sent as given).
    /// </summary>
    public bool? Compression { get => _compression; set => Set(ref _compression, value); }

    /// <summary>Whether this session asks for gzip (<see cref="Compression"/>, decided by the address when null).</summary>
    internal bool UsesCompression => Compression ?? (UserAgent.Contains("gzip", StringComparison.OrdinalIgnoreCase) || !IsLocal(Service));

    /// <summary>The User-Agent sent: <see cref="UserAgent"/>, with the gzip marker when compression is on and it has none.</summary>
    internal string EffectiveUserAgent => UsesCompression && !UserAgent.Contains("gzip", StringComparison.OrdinalIgnoreCase) ? UserAgent + " (gzip)" : UserAgent;

    /// <summary>A loopback or private-network address (literal IPs and <c>localhost</c>; names are not resolved).</summary>
    internal static bool IsLocal(Uri? service)
    {
        if (service is null)
            return false;
        if (service.IsLoopback || service.Host.EndsWith(".local", StringComparison.OrdinalIgnoreCase))
            return true;
        if (!IPAddress.TryParse(service.Host.Trim('[', ']'), out var ip))
            return false;
        if (IPAddress.IsLoopback(ip) || ip.IsIPv6LinkLocal || ip.IsIPv6UniqueLocal || ip.IsIPv6SiteLocal)
            return true;
        if (ip.IsIPv4MappedToIPv6)
            ip = ip.MapToIPv4();
        var b = ip.GetAddressBytes();
        return b.Length == 4 && (b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254));
    }

    /// <summary>Allow plain HTTP to a loopback address (the emulator). Any other host must use HTTPS.</summary>
    public bool AllowInsecureLoopback { get => _allowInsecureLoopback; set => Set(ref _allowInsecureLoopback, value); }

    /// <summary>The timeout of one HTTP attempt.</summary>
    public TimeSpan Timeout { get => _timeout; set => Set(ref _timeout, value); }

    /// <summary>How many times an idempotent request is retried after a transient failure (5xx, connection failure, timeout).</summary>
    public int MaxRetries { get => _maxRetries; set => Set(ref _maxRetries, value); }

    /// <summary>The first retry delay; later ones grow exponentially with jitter.</summary>
    public TimeSpan RetryDelay { get => _retryDelay; set => Set(ref _retryDelay, value); }

    /// <summary>The longest retry delay.</summary>
    public TimeSpan MaxRetryDelay { get => _maxRetryDelay; set => Set(ref _maxRetryDelay, value); }

    /// <summary>How many redirects (the service's delaying redirects) one request may follow.</summary>
    public int MaxRedirects { get => _maxRedirects; set => Set(ref _maxRedirects, value); }

    /// <summary>
    /// The largest page a query without <c>PageSize(n)</c> grows to (1 to 10,000; default 1,000). Such a query asks for
    /// 100 records first, then for as many as make about 1 MB of response, up to this. Set 100 to keep pages at most
    /// the guide's default size (pages of wide records still shrink toward 10); <c>PageSize(100)</c> on a query fixes
    /// every page at 100.
    /// </summary>
    public int MaxPageSize { get => _maxPageSize; set => Set(ref _maxPageSize, value); }

    /// <summary>Send changes as POST with <c>_method=PUT</c> (for proxies that block PUT).</summary>
    public bool UseMethodOverride { get => _useMethodOverride; set => Set(ref _useMethodOverride, value); }

    /// <summary>GETs whose URL would be longer than this go as POST with <c>_method=GET</c>.</summary>
    public int MaxUrlLength { get => _maxUrlLength; set => Set(ref _maxUrlLength, value); }

    /// <summary>Ask the service for epoch-second datetimes and ISO dates, which parse without ambiguity.
    /// Parsing accepts the default formats either way.</summary>
    public bool RequestUnambiguousFormats { get => _requestUnambiguousFormats; set => Set(ref _requestUnambiguousFormats, value); }

    /// <summary>Whether each object of a change set is its own transaction (failures do not roll back the others).</summary>
    public bool PerObjectTransactions { get => _perObjectTransactions; set => Set(ref _perObjectTransactions, value); }

    /// <summary>Logging (secrets are always redacted).</summary>
    public ILoggerFactory? LoggerFactory { get => _loggerFactory; set => Set(ref _loggerFactory, value); }

    /// <summary>
    /// Where the session's meter comes from (a host's <see cref="IMeterFactory"/>; <c>AddWorkbooks</c> passes the
    /// container's). Null: one static meter shared by the process. Either way it is named <c>Workbooks.Runtime</c>.
    /// </summary>
    public IMeterFactory? MeterFactory { get => _meterFactory; set => Set(ref _meterFactory, value); }

    /// <summary>The clock used for backoff and cache-busters.</summary>
    public TimeProvider TimeProvider { get => _timeProvider; set => Set(ref _timeProvider, value); }

    /// <summary>Checks the options and explains the first problem found.</summary>
    /// <exception cref="ArgumentException">The options cannot work.</exception>
    public void Validate()
    {
        if (Service is null)
            throw new ArgumentException("WorkbooksOptions.Service is required, e.g. https://secure.workbooks.com/.", nameof(Service));
        if (!Service.IsAbsoluteUri)
            throw new ArgumentException($"WorkbooksOptions.Service must be an absolute URI, not '{Service}'.", nameof(Service));
        if (Service.Scheme != Uri.UriSchemeHttps)
        {
            var loopback = Service.IsLoopback || (IPAddress.TryParse(Service.Host, out var ip) && IPAddress.IsLoopback(ip));
            if (Service.Scheme != Uri.UriSchemeHttp || !loopback || !AllowInsecureLoopback)
                throw new ArgumentException(loopback
                    ? $"WorkbooksOptions.Service '{Service}' is plain HTTP: set AllowInsecureLoopback to talk to a local emulator."
                    : $"WorkbooksOptions.Service '{Service}' must use HTTPS.", nameof(Service));
        }
        if (string.IsNullOrWhiteSpace(UserAgent))
            throw new ArgumentException("WorkbooksOptions.UserAgent is required: the service refuses logins without one.", nameof(UserAgent));
        var hasKey = !string.IsNullOrWhiteSpace(ApiKey);
        var hasUser = !string.IsNullOrWhiteSpace(Username);
        if (Authentication == WorkbooksAuthentication.ApiKeyPerRequest && !hasKey)
            throw new ArgumentException("ApiKeyPerRequest authentication needs WorkbooksOptions.ApiKey.", nameof(ApiKey));
        if (!hasKey && !hasUser)
            throw new ArgumentException("Give WorkbooksOptions.ApiKey, or Username with Password (or with SessionId and LogicalDatabaseId to reconnect).", nameof(ApiKey));
        if (!hasKey && hasUser && string.IsNullOrEmpty(Password) && string.IsNullOrEmpty(SessionId))
            throw new ArgumentException($"Username '{Username}' needs a Password, or a SessionId to reconnect.", nameof(Password));
        if (!hasKey && hasUser && string.IsNullOrEmpty(Password) && LogicalDatabaseId is null)
            throw new ArgumentException("Reconnecting with a SessionId needs LogicalDatabaseId.", nameof(LogicalDatabaseId));
        if (Timeout <= TimeSpan.Zero)
            throw new ArgumentException("WorkbooksOptions.Timeout must be positive.", nameof(Timeout));
        if (MaxRetries < 0 || MaxRedirects < 0)
            throw new ArgumentException("MaxRetries and MaxRedirects cannot be negative.", nameof(MaxRetries));
        if (MaxPageSize is < 1 or > 10_000)
            throw new ArgumentException($"WorkbooksOptions.MaxPageSize must be 1 to 10,000, not {MaxPageSize}.", nameof(MaxPageSize));
        if (RetryDelay < TimeSpan.Zero || MaxRetryDelay < RetryDelay)
            throw new ArgumentException("RetryDelay must be non-negative and at most MaxRetryDelay.", nameof(RetryDelay));
    }

    /// <summary>Whether these are the options of a connected session, which cannot change (see <see cref="WorkbooksSession.Options"/>).</summary>
    public bool IsFrozen => _frozen;

    /// <summary>A copy for a session, frozen: later changes to the caller's object do not reach the session, and the
    /// session's own copy refuses changes.</summary>
    internal WorkbooksOptions CloneFrozen()
    {
        var copy = (WorkbooksOptions)MemberwiseClone();
        copy._frozen = true;
        return copy;
    }

    private void Set<T>(ref T field, T value)
    {
        if (_frozen)
            throw new InvalidOperationException("These are the options of a connected WorkbooksSession and cannot change: set them before ConnectAsync, or connect a new session.");
        field = value;
    }
}
