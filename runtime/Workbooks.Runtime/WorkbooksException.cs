using System.Net;

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
