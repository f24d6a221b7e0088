using System.Net;

namespace Workbooks.Engagement;

/// <summary>The base of every error the engagement API client raises for the service's answers and for failed tasks.</summary>
public class EngagementException : Exception
{
    /// <summary>Creates an exception.</summary>
    public EngagementException() { }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EngagementException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EngagementException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates an exception for an answer of the service.</summary>
    /// <param name="message">The message.</param>
    /// <param name="statusCode">The HTTP status, when the error is an HTTP answer.</param>
    /// <param name="detail">The service's <c>detail</c> (or the task's <c>error</c>).</param>
    public EngagementException(string message, HttpStatusCode? statusCode, string? detail) : base(message)
    {
        StatusCode = statusCode;
        Detail = detail;
    }

    /// <summary>The HTTP status of the answer, or null when the error is not an HTTP answer (a failed task, a timeout).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The service's <c>detail</c> text (for a failed task: its <c>error</c>).</summary>
    public string? Detail { get; }
}


/// <summary>400 Bad Request: the request was not acceptable (for example a missing field, or an operation only supported for temporary workbooks).</summary>
public class EngagementBadRequestException : EngagementException
{
    /// <summary>Creates an exception.</summary>
    public EngagementBadRequestException() { }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EngagementBadRequestException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EngagementBadRequestException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates an exception for an answer of the service.</summary>
    /// <param name="message">The message.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="detail">The service's <c>detail</c>.</param>
    public EngagementBadRequestException(string message, HttpStatusCode? statusCode, string? detail) : base(message, statusCode, detail) { }
}


/// <summary>401/403: the API key is missing or invalid, or has no access to the workspace (<c>No access to workspace</c>).</summary>
public class EngagementAccessDeniedException : EngagementException
{
    /// <summary>Creates an exception.</summary>
    public EngagementAccessDeniedException() { }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EngagementAccessDeniedException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EngagementAccessDeniedException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates an exception for an answer of the service.</summary>
    /// <param name="message">The message.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="detail">The service's <c>detail</c>.</param>
    public EngagementAccessDeniedException(string message, HttpStatusCode? statusCode, string? detail) : base(message, statusCode, detail) { }
}


/// <summary>409 Conflict <c>task_blocked_by_another_task</c>: a collection task is already running for this post. Wait for it and retry, or set <see cref="EngagementClientOptions.BlockedTaskMaxWait"/>.</summary>
public class EngagementTaskBlockedException : EngagementException
{
    /// <summary>Creates an exception.</summary>
    public EngagementTaskBlockedException() { }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EngagementTaskBlockedException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EngagementTaskBlockedException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates an exception for an answer of the service.</summary>
    /// <param name="message">The message.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="detail">The service's <c>detail</c>.</param>
    public EngagementTaskBlockedException(string message, HttpStatusCode? statusCode, string? detail) : base(message, statusCode, detail) { }
}


/// <summary>422 Validation Error: the service rejected the request's values (for example <c>Invalid post URL format</c>).</summary>
public class EngagementValidationException : EngagementException
{
    /// <summary>Creates an exception.</summary>
    public EngagementValidationException() { }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EngagementValidationException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EngagementValidationException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates an exception for an answer of the service.</summary>
    /// <param name="message">The message.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="detail">The service's <c>detail</c>.</param>
    public EngagementValidationException(string message, HttpStatusCode? statusCode, string? detail) : base(message, statusCode, detail) { }
}


/// <summary>404 Not Found: no such task or workbook.</summary>
public class EngagementNotFoundException : EngagementException
{
    /// <summary>Creates an exception.</summary>
    public EngagementNotFoundException() { }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EngagementNotFoundException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EngagementNotFoundException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates an exception for an answer of the service.</summary>
    /// <param name="message">The message.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="detail">The service's <c>detail</c>.</param>
    public EngagementNotFoundException(string message, HttpStatusCode? statusCode, string? detail) : base(message, statusCode, detail) { }
}


/// <summary>429 Too Many Requests: the rate limit was exceeded and the configured retries were used up.</summary>
public class EngagementRateLimitException : EngagementException
{
    /// <summary>Creates an exception.</summary>
    public EngagementRateLimitException() { }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EngagementRateLimitException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EngagementRateLimitException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates an exception for a 429 answer.</summary>
    /// <param name="message">The message.</param>
    /// <param name="detail">The service's <c>detail</c>.</param>
    /// <param name="retryAfter">The wait the service asked for (Retry-After), if any.</param>
    public EngagementRateLimitException(string message, string? detail, TimeSpan? retryAfter) : base(message, HttpStatusCode.TooManyRequests, detail)
        => RetryAfter = retryAfter;

    /// <summary>The wait the service asked for in its Retry-After header, if it gave one.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>The workbook's data has expired (12 hours after completion): the service answered 410 Gone, or the client knew
/// the workbook's <see cref="EngagementWorkbook.ExpiresAt"/> had passed.</summary>
public class EngagementWorkbookExpiredException : EngagementException
{
    /// <summary>Creates an exception.</summary>
    public EngagementWorkbookExpiredException() { }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EngagementWorkbookExpiredException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EngagementWorkbookExpiredException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates an exception for an expired workbook.</summary>
    /// <param name="message">The message.</param>
    /// <param name="statusCode">The HTTP status (410), or null when the client detected the expiry itself.</param>
    /// <param name="detail">The service's <c>detail</c>.</param>
    /// <param name="workbookId">The workbook.</param>
    /// <param name="expiresAt">When it expired, when known.</param>
    public EngagementWorkbookExpiredException(string message, HttpStatusCode? statusCode, string? detail, string workbookId, DateTimeOffset? expiresAt)
        : base(message, statusCode, detail)
    {
        WorkbookId = workbookId;
        ExpiresAt = expiresAt;
    }

    /// <summary>The expired workbook.</summary>
    public string? WorkbookId { get; }

    /// <summary>When the workbook expired, when known.</summary>
    public DateTimeOffset? ExpiresAt { get; }
}

/// <summary>The extraction task ended in failure; <see cref="EngagementException.Detail"/> holds the task's <c>error</c>.</summary>
public class EngagementTaskFailedException : EngagementException
{
    /// <summary>Creates an exception.</summary>
    public EngagementTaskFailedException() { }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EngagementTaskFailedException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EngagementTaskFailedException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates an exception for a failed task.</summary>
    /// <param name="message">The message.</param>
    /// <param name="status">The final status of the task.</param>
    public EngagementTaskFailedException(string message, EngagementTaskStatus status) : base(message, null, status?.Error)
        => Status = status;

    /// <summary>The final status of the failed task.</summary>
    public EngagementTaskStatus? Status { get; }
}

/// <summary>The task did not complete within <see cref="EngagementClientOptions.CompletionTimeout"/>.</summary>
public class EngagementTaskTimeoutException : EngagementException
{
    /// <summary>Creates an exception.</summary>
    public EngagementTaskTimeoutException() { }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EngagementTaskTimeoutException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EngagementTaskTimeoutException(string message, Exception? innerException) : base(message, innerException) { }
}
