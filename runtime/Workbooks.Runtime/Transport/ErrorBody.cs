using System.Buffers;
using System.Text.Json;

namespace Workbooks.Transport;

/// <summary>
/// The JSON body of an error answer: <c>success: false</c>, <c>flash</c>, <c>failure_reason</c>,
/// <c>failure_message</c>, <c>exception_reference</c> (500), parameter <c>errors</c> (406) and the PDF
/// <c>templates</c> choice (406).
/// </summary>
internal sealed class ServiceError
{
    /// <summary>The most of a body <see cref="TryParseAsync"/> reads; longer bodies are not error bodies.</summary>
    public const int MaxBodySize = 1024 * 1024;

    private ServiceError() { }

    /// <summary><c>success</c> (null when not sent).</summary>
    public bool? Success { get; private init; }

    /// <summary><c>flash</c>.</summary>
    public string? Flash { get; private init; }

    /// <summary><c>failure_reason</c> (login and session failures).</summary>
    public string? FailureReason { get; private init; }

    /// <summary><c>failure_message</c>.</summary>
    public string? FailureMessage { get; private init; }

    /// <summary><c>exception_reference</c>: quote it to Workbooks support (500 answers).</summary>
    public string? ExceptionReference { get; private init; }

    /// <summary><c>errors</c> by parameter (or field), each value a string or an array of strings in the body.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Errors { get; private init; } = ResponseJson.EmptyMessages;

    /// <summary><c>templates</c>: the PDF templates to choose from (406 when several can render a document).</summary>
    public IReadOnlyList<PdfTemplate> Templates { get; private init; } = [];

    /// <summary>The best human-readable text: <c>failure_message</c>, else <c>flash</c>, else <c>failure_reason</c>.</summary>
    public string? Message => !string.IsNullOrEmpty(FailureMessage) ? FailureMessage
        : !string.IsNullOrEmpty(Flash) ? Flash
        : FailureReason;

    /// <summary>Reads an error body; null when it is not a JSON object (an HTML page, empty, truncated).</summary>
    public static ServiceError? TryParse(ReadOnlySpan<byte> body)
        => TryParseElement(body) is { } root ? FromElement(root) : null;

    /// <summary>Reads an error body (at most <see cref="MaxBodySize"/> bytes); null when it is not a JSON object.
    /// The stream is not disposed.</summary>
    public static async Task<ServiceError?> TryParseAsync(Stream body, CancellationToken cancellationToken = default)
        => await TryParseElementAsync(body, cancellationToken).ConfigureAwait(false) is { } root ? FromElement(root) : null;

    internal static JsonElement? TryParseElement(ReadOnlySpan<byte> body)
    {
        var trimmed = body.TrimStart(" \t\r\n"u8);
        if (trimmed.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            trimmed = trimmed[3..].TrimStart(" \t\r\n"u8);
        if (trimmed.IsEmpty || trimmed[0] != (byte)'{')
            return null;
        try
        {
            var reader = new Utf8JsonReader(trimmed);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static async Task<JsonElement?> TryParseElementAsync(Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= MaxBodySize)
                        return null;
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxBodySize));
                    Buffer.BlockCopy(buffer, 0, larger, 0, length);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                    break;
                length += read;
            }
            return TryParseElement(buffer.AsSpan(0, length));
        }
        catch (Exception e) when (e is IOException or WorkbooksTransportException)
        {
            return TryParseElement(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads an error body from a parsed JSON object.</summary>
    public static ServiceError FromElement(JsonElement root)
    {
        var templates = new List<PdfTemplate>();
        if (ResponseJson.TryGet(root, "templates", out var t) && t.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in t.EnumerateArray())
                if (ResponseJson.GetInt64(item, "id") is { } id)
                    templates.Add(new PdfTemplate(id, ResponseJson.GetString(item, "name")));
        }
        var errors = ResponseJson.EmptyMessages;
        if (ResponseJson.TryGet(root, "errors", out var e))
        {
            if (e.ValueKind == JsonValueKind.Object)
            {
                errors = ResponseJson.ReadMessages(e);
            }
            else if (e.ValueKind is JsonValueKind.Array or JsonValueKind.String)
            {
                var list = new List<string>();
                ResponseJson.AddMessages(list, e);
                if (list.Count > 0)
                    errors = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [""] = list.ToArray() };
            }
        }
        return new ServiceError
        {
            Success = ResponseJson.GetBoolean(root, "success"),
            Flash = ResponseJson.GetString(root, "flash"),
            FailureReason = ResponseJson.GetString(root, "failure_reason"),
            FailureMessage = ResponseJson.GetString(root, "failure_message"),
            ExceptionReference = ResponseJson.GetString(root, "exception_reference"),
            Errors = errors,
            Templates = templates.ToArray(),
        };
    }
}
