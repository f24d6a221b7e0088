using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Workbooks.Emulator.Http;

/// <summary>How a response must be rendered for this request and session.</summary>
internal sealed class ResponseStyle
{
    public bool Pretty { get; set; }
    public bool AsciiOnly { get; set; }
    public bool Gzip { get; set; }
    public string? JsonpCallback { get; set; }
    public string? SessionCookie { get; set; }
    public bool Truncate { get; set; }
    public bool DropAfterProcessing { get; set; }
    public TimeSpan SlowBy { get; set; }
    public int? ErrorAfterProcessing { get; set; }
    public TimeSpan StallFor { get; set; }
    public bool CorruptGzip { get; set; }
    public bool MalformedJson { get; set; }
    public EmulatorFault? Replacement { get; set; }
    public int? BandwidthBytesPerSecond { get; set; }

    /// <summary>The body of a <c>MalformedJson</c> fault: arrays nested deeper than readers allow, never closed.</summary>
    internal static byte[] MalformedJsonBody { get; } = Encoding.UTF8.GetBytes("{\"data\":" + new string('[', 300));
}

/// <summary>Writes JSON (and other) bodies with the service's headers, compression, JSONP and injected faults.</summary>
internal static class ResponseWriter
{
    private static readonly JavaScriptEncoder RawUtf8 = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>
    /// Ends an index answer whose <c>data</c> array is open: the array, then <c>flash</c>, <c>success</c>, <c>total</c>
    /// and an empty <c>updates</c>, in the order the service writes them, and the answer's object.
    /// </summary>
    public static void EndIndexAnswer(Utf8JsonWriter w, long total)
    {
        w.WriteEndArray();
        w.WriteString("flash", "");
        w.WriteBoolean("success", true);
        w.WriteNumber("total", total);
        w.WriteStartObject("updates");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static async Task WriteJsonAsync(HttpContext context, int status, ResponseStyle style, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        if (style.JsonpCallback is { } callback)
            buffer.Write(Encoding.UTF8.GetBytes(callback + "("));
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = style.Pretty,
            Encoder = style.AsciiOnly ? JavaScriptEncoder.Default : RawUtf8,
            SkipValidation = false,
        }))
        {
            body(writer);
        }
        if (style.JsonpCallback is not null)
            buffer.Write(")"u8);
        var contentType = style.JsonpCallback is null ? "application/json; charset=utf-8" : "text/javascript; charset=utf-8";
        await WriteBytesAsync(context, status, contentType, buffer.WrittenMemory, style).ConfigureAwait(false);
    }

    public static async Task WriteBytesAsync(HttpContext context, int status, string contentType, ReadOnlyMemory<byte> bytes, ResponseStyle style, string? fileName = null)
    {
        var response = context.Response;
        if (style.DropAfterProcessing)
        {
            context.Abort();
            return;
        }
        if (style.MalformedJson)
            bytes = ResponseStyle.MalformedJsonBody;
        if (style.Replacement is { } replacement)
        {
            status = 200;
            contentType = replacement.ContentType;
            fileName = null;
            bytes = Encoding.UTF8.GetBytes(replacement.Body ?? "");
        }
        if (style.ErrorAfterProcessing is { } errorStatus)
        {
            // The work is done (and committed); the answer says otherwise, as a proxy or a crash after the commit would.
            status = errorStatus;
            contentType = "application/json; charset=utf-8";
            fileName = null;
            bytes = FailureWriter.Render(Failure.InjectedAfterProcessing(errorStatus));
        }
        response.StatusCode = status;
        response.ContentType = contentType;
        response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
        response.Headers.Expires = "Fri, 30 Oct 1998 14:19:41 GMT";
        if (fileName is not null)
            response.Headers.ContentDisposition = ContentDisposition(fileName);
        SetSessionCookie(response, style);

        var payload = bytes;
        if (style.Gzip)
        {
            response.Headers.ContentEncoding = "gzip";
            response.Headers.Vary = "Accept-Encoding";
            using var compressed = new MemoryStream();
            using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
                gzip.Write(bytes.Span);
            payload = compressed.ToArray();
            if (style.CorruptGzip && payload.Length > 24)
            {
                // Keep the gzip header, spoil the deflate stream in the middle: decompression starts, then fails.
                var spoiled = payload.ToArray();
                for (var i = spoiled.Length / 2; i < spoiled.Length / 2 + 8; i++)
                    spoiled[i] ^= 0x5A;
                payload = spoiled;
            }
        }

        if (style.StallFor > TimeSpan.Zero && payload.Length > 1)
        {
            // Headers and half of the body, then nothing for a while: a read that a headers-only timeout never ends.
            response.ContentLength = payload.Length;
            await response.Body.WriteAsync(payload[..(payload.Length / 2)], context.RequestAborted).ConfigureAwait(false);
            await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            await Task.Delay(style.StallFor, context.RequestAborted).ConfigureAwait(false);
            await response.Body.WriteAsync(payload[(payload.Length / 2)..], context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (style.SlowBy > TimeSpan.Zero)
            await Task.Delay(style.SlowBy, context.RequestAborted).ConfigureAwait(false);

        if (style.Truncate && payload.Length > 1)
        {
            // Promise the whole body, send half, then cut the connection: a truncated response.
            response.ContentLength = payload.Length;
            await response.Body.WriteAsync(payload[..(payload.Length / 2)], context.RequestAborted).ConfigureAwait(false);
            await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            context.Abort();
            return;
        }
        response.ContentLength = payload.Length;
        if (style.BandwidthBytesPerSecond is { } rate and > 0)
        {
            // A narrow link: the body in tenth-of-a-second slices.
            var slice = Math.Max(1, rate / 10);
            for (var at = 0; at < payload.Length; at += slice)
            {
                await response.Body.WriteAsync(payload[at..Math.Min(payload.Length, at + slice)], context.RequestAborted).ConfigureAwait(false);
                await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                if (at + slice < payload.Length)
                    await Task.Delay(TimeSpan.FromMilliseconds(100), context.RequestAborted).ConfigureAwait(false);
            }
            return;
        }
        await response.Body.WriteAsync(payload, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>An attachment header Kestrel accepts for any name: an ASCII fallback plus RFC 5987 <c>filename*</c>.</summary>
    internal static string ContentDisposition(string fileName)
    {
        static bool Plain(char c) => c is >= ' ' and <= '~' and not ('"' or '\\');
        if (fileName.All(Plain))
            return $"attachment; filename=\"{fileName}\"";
        var ascii = new string(fileName.Select(c => Plain(c) ? c : '_').ToArray());
        return $"attachment; filename=\"{ascii}\"; filename*=UTF-8''{Uri.EscapeDataString(fileName)}";
    }

    public static void SetSessionCookie(HttpResponse response, ResponseStyle style)
    {
        if (style.SessionCookie is { } id && !response.HasStarted)
            response.Headers.SetCookie = $"Workbooks-Session={id}; path=/; HttpOnly";
    }

    public static async Task RedirectAsync(HttpContext context, string location, ResponseStyle style)
    {
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = location;
        SetSessionCookie(context.Response, style);
        context.Response.ContentType = "text/html; charset=utf-8";
        var html = Encoding.UTF8.GetBytes($"<html><body>You are being <a href=\"{location}\">redirected</a>.</body></html>");
        context.Response.ContentLength = html.Length;
        await context.Response.Body.WriteAsync(html, context.RequestAborted).ConfigureAwait(false);
    }
}
