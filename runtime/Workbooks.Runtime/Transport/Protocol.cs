namespace Workbooks.Transport;

/// <summary>
/// The names the service's protocol uses, each written once: parameters, the session cookie, endpoint paths.
/// The guide's section that defines each is named beside it.
/// </summary>
internal static class Protocol
{
    // -------------------------------------------------------------- endpoints ("Authentication" / "Logging out")
    public const string LoginPath = "login.api";
    public const string LogoutPath = "logout";

    // -------------------------------------------------------------- session ("Authentication", "Sessions")
    /// <summary>The session cookie's name.</summary>
    public const string SessionCookie = "Workbooks-Session";
    public const string AuthenticityToken = "_authenticity_token";
    public const string ApiKey = "api_key";
    public const string ApiVersion = "_api_version";
    public const string Client = "client";
    public const string ClientApi = "api";
    /// <summary>The cache-buster the vendor's bindings send on every request.</summary>
    public const string CacheBuster = "_dc";
    /// <summary>Tunnels a verb through POST (<c>GET</c> for long reads, <c>PUT</c> for proxies that block it).</summary>
    public const string MethodOverride = "_method";

    // -------------------------------------------------------------- index requests ("Filtering", "Sorting", "Paging")
    public const string FilterField = "_ff[]";
    public const string FilterType = "_ft[]";
    public const string FilterCriteria = "_fc[]";
    /// <summary>The boolean expression over the numbered filters (<c>and</c>, <c>or</c>, or <c>(1 AND 2) OR NOT 3</c>).</summary>
    public const string FilterMode = "_fm";
    public const string FilterJson = "_filter_json";
    public const string Start = "_start";
    public const string Limit = "_limit";
    public const string Sort = "_sort";
    public const string SortArray = "_sort[]";
    public const string Direction = "_dir";
    public const string DirectionArray = "_dir[]";
    public const string SelectColumns = "_select_columns[]";
    public const string SkipTotalRows = "__skip_total_rows";

    // -------------------------------------------------------------- responses
    /// <summary>Why a login or session failed (<c>session_expired</c>, <c>no_session</c>, …).</summary>
    public const string FailureReason = "failure_reason";
}
