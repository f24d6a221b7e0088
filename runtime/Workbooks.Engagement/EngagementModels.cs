using System.Text.Json;

namespace Workbooks.Engagement;

/// <summary>The state of an extraction task. The service spells it <c>PENDING</c>/<c>STARTED</c>/<c>SUCCESS</c>/<c>FAILURE</c>
/// and, in some answers, <c>running</c>/<c>success</c>/<c>failure</c>; both are understood, case-insensitively.</summary>
public enum EngagementTaskState
{
    /// <summary>A status this client does not know; <see cref="EngagementTaskStatus.RawStatus"/> holds it. Treated as still running.</summary>
    Unknown = 0,

    /// <summary>Queued (<c>PENDING</c>).</summary>
    Pending,

    /// <summary>Extraction in progress (<c>STARTED</c>, or <c>running</c>).</summary>
    Started,

    /// <summary>Extraction complete (<c>SUCCESS</c>).</summary>
    Success,

    /// <summary>Extraction failed (<c>FAILURE</c>).</summary>
    Failure,
}

/// <summary>A task's status as returned by workbook creation and by <c>GET /api/tasks/{task_id}/status</c>.</summary>
public sealed class EngagementTaskStatus
{
    /// <summary>Creates a status.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="rawStatus">The status text as the service sent it.</param>
    /// <param name="completedAt">When the task completed, if it has.</param>
    /// <param name="workbook">The workbook of a successful task.</param>
    /// <param name="error">The error of a failed task.</param>
    public EngagementTaskStatus(string taskId, string rawStatus, DateTimeOffset? completedAt = null, EngagementWorkbook? workbook = null, string? error = null)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        ArgumentNullException.ThrowIfNull(rawStatus);
        TaskId = taskId;
        RawStatus = rawStatus;
        State = ParseState(rawStatus);
        CompletedAt = completedAt;
        Workbook = workbook;
        Error = error;
    }

    /// <summary>The task id.</summary>
    public string TaskId { get; }

    /// <summary>The parsed state.</summary>
    public EngagementTaskState State { get; }

    /// <summary>The status text exactly as the service sent it.</summary>
    public string RawStatus { get; }

    /// <summary>When the task completed (<c>completed_at</c>), if it has.</summary>
    public DateTimeOffset? CompletedAt { get; }

    /// <summary>The workbook a successful task produced (<c>result</c>).</summary>
    public EngagementWorkbook? Workbook { get; }

    /// <summary>Why the task failed (<c>error</c>).</summary>
    public string? Error { get; }

    /// <summary>Whether the task has finished, successfully or not.</summary>
    public bool IsCompleted => State is EngagementTaskState.Success or EngagementTaskState.Failure;

    /// <summary>When the workbook's data expires (completion + 12 hours), for a successful task.</summary>
    public DateTimeOffset? ExpiresAt => Workbook?.ExpiresAt;

    /// <summary>Parses a status text case-insensitively (<c>running</c> counts as started).</summary>
    /// <param name="status">The status text.</param>
    /// <returns>The state, or <see cref="EngagementTaskState.Unknown"/>.</returns>
    public static EngagementTaskState ParseState(string? status) => status?.Trim().ToUpperInvariant() switch
    {
        "PENDING" or "QUEUED" or "RECEIVED" => EngagementTaskState.Pending,
        "STARTED" or "RUNNING" or "IN_PROGRESS" or "PROGRESS" or "RETRY" => EngagementTaskState.Started,
        "SUCCESS" or "SUCCEEDED" or "COMPLETED" => EngagementTaskState.Success,
        "FAILURE" or "FAILED" or "ERROR" or "REVOKED" => EngagementTaskState.Failure,
        _ => EngagementTaskState.Unknown,
    };

    /// <inheritdoc />
    public override string ToString() => $"{TaskId}: {RawStatus}";
}

/// <summary>A temporary workbook produced by a successful task.</summary>
public sealed class EngagementWorkbook
{
    /// <summary>Creates a workbook description.</summary>
    /// <param name="workbookId">The workbook id.</param>
    /// <param name="itemsCollected">How many items the extraction collected.</param>
    /// <param name="completedAt">When the task completed.</param>
    /// <param name="expiresAt">When the data expires.</param>
    /// <param name="taskId">The task that produced it.</param>
    public EngagementWorkbook(string workbookId, long itemsCollected, DateTimeOffset? completedAt, DateTimeOffset? expiresAt, string? taskId)
    {
        ArgumentNullException.ThrowIfNull(workbookId);
        WorkbookId = workbookId;
        ItemsCollected = itemsCollected;
        CompletedAt = completedAt;
        ExpiresAt = expiresAt;
        TaskId = taskId;
    }

    /// <summary>The workbook id (<c>result.workbook_id</c>), used with the engagers and contacts endpoints.</summary>
    public string WorkbookId { get; }

    /// <summary>How many items were collected (<c>result.items_collected</c>).</summary>
    public long ItemsCollected { get; }

    /// <summary>When the task completed (<c>completed_at</c>).</summary>
    public DateTimeOffset? CompletedAt { get; }

    /// <summary>When the data expires: <see cref="CompletedAt"/> + 12 hours (the documented data window). Null when the service
    /// did not say when the task completed.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The task that produced the workbook.</summary>
    public string? TaskId { get; }

    /// <summary>Whether the data has expired at <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <returns>True once <see cref="ExpiresAt"/> has passed.</returns>
    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expires && now >= expires;

    /// <inheritdoc />
    public override string ToString() => WorkbookId;
}

/// <summary>Whether an engager commented or reacted.</summary>
public enum EngagerKind
{
    /// <summary>The <c>type</c> is missing or not one this client knows; see <see cref="Engager.Type"/>.</summary>
    Unknown = 0,

    /// <summary>A comment.</summary>
    Comment,

    /// <summary>A reaction.</summary>
    Reaction,
}

/// <summary>An item read from the paginated JSON endpoints, kept whole: typed members for the documented fields,
/// and every property (typed or not) available without loss.</summary>
public abstract class EngagementItem
{
    private protected EngagementItem(JsonElement json, IReadOnlySet<string> typedProperties)
    {
        Json = json.Clone();
        var extra = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (Json.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in Json.EnumerateObject())
            {
                if (!typedProperties.Contains(property.Name))
                    extra[property.Name] = property.Value;
            }
        }
        AdditionalProperties = extra;
    }

    /// <summary>The whole item exactly as the service sent it.</summary>
    public JsonElement Json { get; }

    /// <summary>Every property that has no typed member, by its JSON name.</summary>
    public IReadOnlyDictionary<string, JsonElement> AdditionalProperties { get; }

    /// <summary>A property's text when it is a JSON string (any property, typed or not).</summary>
    /// <param name="name">The JSON property name.</param>
    /// <returns>The string, or null when absent or not a string.</returns>
    public string? GetString(string name)
        => Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <inheritdoc />
    public override string ToString() => Json.GetRawText();
}

/// <summary>One engager of the post: a comment or a reaction (<c>GET /api/engagers/workbook/{id}</c>).</summary>
public sealed class Engager : EngagementItem
{
    private static readonly HashSet<string> Typed = new(StringComparer.Ordinal) { "type" };

    /// <summary>Wraps an engager's JSON.</summary>
    /// <param name="json">The item as the service sent it.</param>
    public Engager(JsonElement json) : base(json, Typed)
    {
        Type = GetString("type");
        Kind = Type?.Trim().ToUpperInvariant() switch
        {
            "COMMENT" or "COMMENTS" => EngagerKind.Comment,
            "REACTION" or "REACTIONS" or "LIKE" => EngagerKind.Reaction,
            _ => EngagerKind.Unknown,
        };
    }

    /// <summary>The <c>type</c> text (<c>comment</c> or <c>reaction</c>).</summary>
    public string? Type { get; }

    /// <summary>Whether this is a comment or a reaction.</summary>
    public EngagerKind Kind { get; }
}

/// <summary>One deduplicated contact with its enrichment data (<c>GET /api/engagers/workbook/{id}/contacts</c>).</summary>
public sealed class EngagementContact : EngagementItem
{
    private static readonly HashSet<string> Typed = new(StringComparer.Ordinal) { "enrichment" };

    /// <summary>Wraps a contact's JSON.</summary>
    /// <param name="json">The item as the service sent it.</param>
    public EngagementContact(JsonElement json) : base(json, Typed)
    {
        Enrichment = Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty("enrichment", out var enrichment)
                     && enrichment.ValueKind == JsonValueKind.Object
            ? enrichment
            : null;
    }

    /// <summary>The contact's enrichment data (the <c>enrichment</c> object), when present.</summary>
    public JsonElement? Enrichment { get; }
}
