using System.Net;

namespace Workbooks.Transport;

/// <summary>Turns a non-success response into the matching exception, with the service's own words and no secrets.</summary>
internal static class ErrorMapper
{
    private const int MaxErrorBody = 64 * 1024;

    public static async Task<WorkbooksException> ToExceptionAsync(WorkbooksResponse response, CancellationToken cancellationToken)
    {
        var body = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        var error = ServiceError.TryParse(body);
        var request = response.Request.ToString();
        var status = response.Status;
        var said = error?.FailureMessage ?? error?.Flash;
        var text = $"{request} answered {(int)status} {status}" + (string.IsNullOrEmpty(said) ? "." : $": {said}");

        if (status == HttpStatusCode.Found)
            return new WorkbooksSessionException($"{request}: the session is no longer valid (the service redirected to its login page) and could not be re-established.", status, said, request);
        if (error?.FailureReason is { } reason)
        {
            if (reason is "session_expired" or "no_session" or "invalid_authenticity_token")
                return new WorkbooksSessionException(text, status, said, request);
            return new WorkbooksLoginException(text, status, reason, said);
        }
        return status switch
        {
            HttpStatusCode.NotFound => new WorkbooksNotFoundException(text, said, request),
            HttpStatusCode.BadRequest or HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotAcceptable or HttpStatusCode.NotImplemented
                => new WorkbooksRequestException(text, status, said, request, error?.Errors ?? new Dictionary<string, IReadOnlyList<string>>()),
            >= HttpStatusCode.InternalServerError => new WorkbooksServiceException(
                text + (error?.ExceptionReference is { } r ? $" (exception reference {r})" : ""), status, said, request) { ExceptionReference = error?.ExceptionReference },
            _ => new WorkbooksException(text, status, said, request),
        };
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxErrorBody];
        var total = 0;
        try
        {
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
                total += read;
        }
        catch (Exception e) when (e is IOException or WorkbooksTransportException or WorkbooksProtocolException)
        {
            // A truncated, stalled or corrupt error body still tells its status.
        }
        return buffer.AsSpan(0, total).ToArray();
    }
}
