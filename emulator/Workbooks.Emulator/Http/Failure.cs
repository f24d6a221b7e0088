using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Workbooks.Emulator.Query;

namespace Workbooks.Emulator.Http;

/// <summary>
/// A failure answer, whatever its cause: <see cref="FailureWriter"/> renders every one of them with the documented
/// shape, in this order: <c>success: false</c>, then <c>failure_reason</c> and <c>failure_message</c> (when there is a
/// reason), <c>flash</c>, <c>exception_reference</c> and <c>exception_detail</c> (a server error),
/// <c>errors</c> (the request-level errors, each an array of messages) and finally anything <see cref="Extra"/> adds.
/// </summary>
internal sealed record Failure(int Status, string Flash)
{
    /// <summary>The documented <c>failure_reason</c> (login and authentication failures).</summary>
    public string? Reason { get; init; }

    /// <summary><c>failure_message</c>, written with <see cref="Reason"/>; <see cref="Flash"/> when not set.</summary>
    public string? Message { get; init; }

    public string? ExceptionReference { get; init; }
    public string? ExceptionDetail { get; init; }
    public IReadOnlyDictionary<string, string>? Errors { get; init; }

    /// <summary>Properties written after the documented ones (the databases to choose from, the templates…).</summary>
    public Action<Utf8JsonWriter>? Extra { get; init; }

    /// <summary>A request the service will not serve (406 for unsuitable parameters, 404, 405…).</summary>
    public static Failure Rejected(int status, string message, string? parameter = null) =>
        new(status, message) { Errors = parameter is null ? null : new Dictionary<string, string> { [parameter] = message } };

    /// <summary>A login or authentication failure: the reason and its message (both in failure_message and flash).</summary>
    public static Failure Refused(int status, string reason, string message) =>
        new(status, message) { Reason = reason, Message = message };

    /// <summary>The answer of a server error: the service's flash and an exception reference to quote.</summary>
    public static Failure ServerError(int status, string reference, string? detail) =>
        new(status, "An error has occurred. Please quote the exception reference to Workbooks Support.") { ExceptionReference = reference, ExceptionDetail = detail };

    /// <summary>What an exception thrown while serving a request is answered with.</summary>
    public static Failure From(Exception exception) => exception switch
    {
        RequestRejectedException e => Rejected(e.Status, e.Message, e.Parameter),
        BadHttpRequestException e => Rejected(400, "The request could not be read: " + e.Message),
        InvalidDataException e => Rejected(400, "The request body could not be read: " + e.Message),
        // A defect in the emulator itself: answer like the service does, with an exception reference.
        _ => ServerError(500, "EMU-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)), exception.GetType().Name + ": " + exception.Message),
    };

    /// <summary>An injected server error, answered without processing the request.</summary>
    public static Failure InjectedServerError(int status) =>
        ServerError(status, "EMU-FAULT-" + status.ToString(CultureInfo.InvariantCulture), "Injected fault");

    /// <summary>The body that replaces the real answer of a processed request (an error after the commit).</summary>
    public static Failure InjectedAfterProcessing(int status) =>
        new(status, "Injected fault after processing") { ExceptionReference = "EMU-LATE-" + status.ToString(CultureInfo.InvariantCulture) };
}

/// <summary>The one writer of failure bodies (see <see cref="Failure"/> for the shape).</summary>
internal static class FailureWriter
{
    /// <summary>Answers with the failure, rendered like every other JSON answer of the request (JSONP, pretty, gzip…).</summary>
    public static Task WriteAsync(HttpContext context, ResponseStyle style, Failure failure) =>
        ResponseWriter.WriteJsonAsync(context, failure.Status, style, w => Write(w, failure));

    /// <summary>As <see cref="WriteAsync"/>, unless the response has already started (then nothing more can be said).</summary>
    public static Task WriteUnlessStartedAsync(HttpContext context, ResponseStyle style, Failure failure) =>
        context.Response.HasStarted ? Task.CompletedTask : WriteAsync(context, style, failure);

    /// <summary>The body as plain compact JSON, for an answer that bypasses the request's style.</summary>
    public static byte[] Render(Failure failure)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer, failure);
        return buffer.ToArray();
    }

    public static void Write(Utf8JsonWriter w, Failure failure)
    {
        w.WriteStartObject();
        w.WriteBoolean("success", false);
        if (failure.Reason is { } reason)
        {
            w.WriteString("failure_reason", reason);
            // The bindings read failure_message; the guide documents failure_reason. Send both.
            w.WriteString("failure_message", failure.Message ?? failure.Flash);
        }
        w.WriteString("flash", failure.Flash);
        if (failure.ExceptionReference is { } reference)
            w.WriteString("exception_reference", reference);
        if (failure.ExceptionDetail is { } detail)
            w.WriteString("exception_detail", detail);
        if (failure.Errors is { } errors)
        {
            w.WriteStartObject("errors");
            foreach (var (k, v) in errors)
            {
                w.WriteStartArray(k);
                w.WriteStringValue(v);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        failure.Extra?.Invoke(w);
        w.WriteEndObject();
    }
}
