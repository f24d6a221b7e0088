namespace Workbooks.Emulator.Engagement;

/// <summary>Options of the emulated engagement-extraction API. Defaults are filled in when the emulator starts, so tests
/// can read <see cref="ApiKeys"/> (and the constants) to talk to it.</summary>
public sealed class EngagementEmulatorOptions
{
    /// <summary>The first default API key; it may use <see cref="DefaultWorkspaceId"/> and <see cref="SecondWorkspaceId"/>.</summary>
    public const string DefaultApiKey = "eng_test_key_0001";

    /// <summary>The second default API key; it may only use <see cref="OtherWorkspaceId"/>.</summary>
    public const string SecondApiKey = "eng_test_key_0002";

    /// <summary>A workspace of the first default key (the id in the documentation's quick start).</summary>
    public const string DefaultWorkspaceId = "507f1f77bcf86cd799439011";

    /// <summary>Another workspace of the first default key (the id in the documentation's request body).</summary>
    public const string SecondWorkspaceId = "507f1f77bcf86cd799439013";

    /// <summary>The workspace of the second default key only: the first key gets <c>403 No access to workspace</c> there.</summary>
    public const string OtherWorkspaceId = "507f1f77bcf86cd799439014";

    /// <summary>The API keys accepted and the workspaces each may use. Defaults to <see cref="DefaultApiKey"/> and <see cref="SecondApiKey"/>.</summary>
    public IList<EngagementEmulatorApiKey> ApiKeys { get; } = new List<EngagementEmulatorApiKey>();

    /// <summary>How long a new task stays <c>PENDING</c> (measured on the emulator's <see cref="TimeProvider"/>).</summary>
    public TimeSpan QueueDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long from creation until the task completes (<c>SUCCESS</c> or <c>FAILURE</c>); it is <c>STARTED</c> between
    /// <see cref="QueueDelay"/> and this. The service typically takes 1-3 minutes.</summary>
    public TimeSpan ExtractionDuration { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>How many engagers a post has unless <see cref="EngagersByPostId"/> says otherwise. The engagers themselves are
    /// generated deterministically from the post's activity id.</summary>
    public int EngagersPerPost { get; set; } = 150;

    /// <summary>Engager counts for particular posts, by activity id (the digits in the post URL).</summary>
    public IDictionary<string, int> EngagersByPostId { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Activity ids whose extraction ends in <c>FAILURE</c> with <see cref="FailureError"/>.</summary>
    public ISet<string> FailingPostIds { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The <c>error</c> of a failing task.</summary>
    public string FailureError { get; set; } = "Post not found or access denied";

    /// <summary>Workbook ids that exist but are not temporary: reading them answers <c>400 This operation is only supported for temporary workbooks.</c></summary>
    public ISet<string> PermanentWorkbookIds { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>How long workbook data is kept after completion (documented: 12 hours). Afterwards reads answer <c>410 Gone</c>.</summary>
    public TimeSpan WorkbookLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary><c>POST /api/workbooks</c> requests admitted per API key in any minute (documented: 6).</summary>
    public int CreateRequestsPerMinute { get; set; } = 6;

    /// <summary>Task-status requests admitted per API key in any minute (documented: 60).</summary>
    public int StatusRequestsPerMinute { get; set; } = 60;

    /// <summary>The largest <c>page_size</c> accepted by the engagers and contacts endpoints (larger answers 422).</summary>
    public int MaxPageSize { get; set; } = 500;

    /// <summary>
    /// The task-status endpoint spells statuses as the documentation's status examples do (<c>pending</c>,
    /// <c>running</c>, <c>success</c>, <c>failure</c>: its own Python and JavaScript polling loops compare with these);
    /// false: <c>PENDING</c>, <c>STARTED</c>, <c>SUCCESS</c>, <c>FAILURE</c> as in its list of states. The create answer
    /// keeps its documented <c>PENDING</c> either way.
    /// </summary>
    public bool LowercaseStatuses { get; set; } = true;

    internal void ApplyDefaults()
    {
        if (ApiKeys.Count == 0)
        {
            ApiKeys.Add(new EngagementEmulatorApiKey(DefaultApiKey, [DefaultWorkspaceId, SecondWorkspaceId]));
            ApiKeys.Add(new EngagementEmulatorApiKey(SecondApiKey, [OtherWorkspaceId]));
        }
        if (QueueDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(QueueDelay));
        if (ExtractionDuration < QueueDelay) throw new ArgumentOutOfRangeException(nameof(ExtractionDuration), "ExtractionDuration includes the QueueDelay and cannot be shorter.");
        if (EngagersPerPost < 0) throw new ArgumentOutOfRangeException(nameof(EngagersPerPost));
        if (CreateRequestsPerMinute < 1) throw new ArgumentOutOfRangeException(nameof(CreateRequestsPerMinute));
        if (StatusRequestsPerMinute < 1) throw new ArgumentOutOfRangeException(nameof(StatusRequestsPerMinute));
        if (MaxPageSize < 1) throw new ArgumentOutOfRangeException(nameof(MaxPageSize));
    }
}

/// <summary>An API key of the engagement API and the workspaces it may use.</summary>
/// <param name="Key">The <c>X-API-Key</c> value.</param>
/// <param name="WorkspaceIds">The workspaces it has access to.</param>
public sealed record EngagementEmulatorApiKey(string Key, IReadOnlyList<string> WorkspaceIds);

/// <summary>A request the engagement emulator received, in arrival order.</summary>
/// <param name="Timestamp">When it arrived, on the emulator's clock.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path, e.g. <c>/api/workbooks</c>.</param>
/// <param name="QueryString">The query string including <c>?</c>, or empty.</param>
/// <param name="ApiKey">The <c>X-API-Key</c> sent, if any.</param>
/// <param name="StatusCode">The status answered.</param>
public sealed record EngagementEmulatorRequest(DateTimeOffset Timestamp, string Method, string Path, string QueryString, string? ApiKey, int StatusCode);
