using System.Net;
using System.Text.Json;

namespace Workbooks.Transport;

/// <summary>Turns a non-success response into the matching exception, with the service's own words and no secrets.</summary>
internal static class ErrorMapper
{
    private const int MaxErrorBody = 64 * 1024;

    public static async Task<WorkbooksException> ToExceptionAsync(WorkbooksResponse response, CancellationToken cancellationToken)
    {
        var body = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        var error = ServiceErrorBody.TryParse(body);
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
        catch (IOException)
        {
            // A truncated error body still tells its status.
        }
        return buffer.AsSpan(0, total).ToArray();
    }
}

/// <summary>The fields of an error body the client uses. Tolerant: a non-JSON body (an HTML page) gives null.</summary>
internal sealed record ServiceErrorBody(string? Flash, string? FailureReason, string? FailureMessage, string? ExceptionReference, IReadOnlyDictionary<string, IReadOnlyList<string>> Errors)
{
    public static ServiceErrorBody? TryParse(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return null;
            var errors = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in e.EnumerateObject())
                {
                    errors[p.Name] = p.Value.ValueKind switch
                    {
                        JsonValueKind.Array => p.Value.EnumerateArray().Select(v => v.ToString()).ToArray(),
                        _ => [p.Value.ToString()],
                    };
                }
            }
            return new ServiceErrorBody(Text(root, "flash"), Text(root, "failure_reason"), Text(root, "failure_message"), Text(root, "exception_reference"), errors);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
