using Microsoft.Extensions.Logging;

namespace Workbooks.Engagement;

/// <summary>
/// The client's log events, under the category <c>Workbooks.Engagement</c>. Paths are URL paths without the query
/// (page numbers come as values of their own); the API key travels in a header and is never logged, nor is any header.
/// The event ids are documented in the package README and stay stable.
/// </summary>
internal static partial class EngagementLog
{
    [LoggerMessage(EventId = 1, EventName = "RequestSent", Level = LogLevel.Trace,
        Message = "Engagement {HttpMethod} {UrlPath} sent (attempt {Attempt})")]
    public static partial void RequestSent(ILogger logger, string httpMethod, string urlPath, int attempt);

    [LoggerMessage(EventId = 2, EventName = "RequestAnswered", Level = LogLevel.Debug,
        Message = "Engagement {HttpMethod} {UrlPath} answered {StatusCode} in {ElapsedMs} ms")]
    public static partial void RequestAnswered(ILogger logger, string httpMethod, string urlPath, int statusCode, long elapsedMs);

    /// <summary>Warning, or Debug for a cancelled request (the caller's token, or RequestTimeout reported by the exception thrown).</summary>
    [LoggerMessage(EventId = 3, EventName = "RequestFailed",
        Message = "Engagement {HttpMethod} {UrlPath} failed after {ElapsedMs} ms without an answer: {ErrorType}")]
    public static partial void RequestFailed(ILogger logger, LogLevel level, string httpMethod, string urlPath, long elapsedMs, string errorType);

    [LoggerMessage(EventId = 4, EventName = "RateLimitedRetry", Level = LogLevel.Information,
        Message = "Engagement {HttpMethod} {UrlPath} answered 429 Too Many Requests: retry {Retry} of {MaxRetries} in {DelayMs} ms")]
    public static partial void RateLimitedRetry(ILogger logger, string httpMethod, string urlPath, int retry, int maxRetries, long delayMs);

    [LoggerMessage(EventId = 5, EventName = "BlockedCreationRetry", Level = LogLevel.Information,
        Message = "Engagement creation blocked by another task of the post (409 task_blocked_by_another_task): trying again in {DelayMs} ms")]
    public static partial void BlockedCreationRetry(ILogger logger, long delayMs);

    [LoggerMessage(EventId = 6, EventName = "TaskStatusPolled", Level = LogLevel.Debug,
        Message = "Engagement task {TaskId} is {TaskStatus}")]
    public static partial void TaskStatusPolled(ILogger logger, string taskId, string taskStatus);

    [LoggerMessage(EventId = 7, EventName = "WorkbookCreated", Level = LogLevel.Information,
        Message = "Engagement task {TaskId} created in workspace {WorkspaceId} ({DataTypes})")]
    public static partial void WorkbookCreated(ILogger logger, string taskId, string workspaceId, string dataTypes);

    [LoggerMessage(EventId = 8, EventName = "WorkbookReady", Level = LogLevel.Information,
        Message = "Engagement task {TaskId} completed: workbook {WorkbookId} with {ItemsCollected} items, readable until {ExpiresAt}")]
    public static partial void WorkbookReady(ILogger logger, string taskId, string workbookId, long itemsCollected, DateTimeOffset? expiresAt);

    [LoggerMessage(EventId = 9, EventName = "WorkbookFailed", Level = LogLevel.Warning,
        Message = "Engagement task {TaskId} failed: {TaskError}")]
    public static partial void WorkbookFailed(ILogger logger, string taskId, string taskError);

    [LoggerMessage(EventId = 10, EventName = "WaitTimedOut", Level = LogLevel.Warning,
        Message = "Engagement task {TaskId} did not complete within {CompletionTimeout} (last status {TaskStatus})")]
    public static partial void WaitTimedOut(ILogger logger, string taskId, TimeSpan completionTimeout, string taskStatus);

    [LoggerMessage(EventId = 11, EventName = "PageRead", Level = LogLevel.Debug,
        Message = "Engagement read {Count} {RecordKind} records from page {Page} of workbook {WorkbookId}")]
    public static partial void PageRead(ILogger logger, int count, string recordKind, int page, string workbookId);
}
