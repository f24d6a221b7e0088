using System.Net;
using Workbooks.Transport;

namespace Workbooks.Transport.Policies;

/// <summary>Retries idempotent requests after transient failures, with exponential backoff and full jitter.</summary>
internal sealed class RetryPolicy(WorkbooksOptions options, RuntimeMetrics metrics) : PipelinePolicy
{
    public override async Task<HttpResponseMessage> SendAsync(PipelineMessage message, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var more = attempt < options.MaxRetries;
            HttpResponseMessage response;
            try
            {
                response = await NextAsync(message, cancellationToken).ConfigureAwait(false);
            }
            // A change is re-sent only when it provably never left: the connection could not even be opened.
            catch (Exception e) when (more && IsTransient(e, cancellationToken) && (message.Request.IsIdempotent || NeverSent(e)))
            {
                await DelayAsync(attempt, null, cancellationToken).ConfigureAwait(false);
                metrics.Retries.Add(1, new KeyValuePair<string, object?>("workbooks.request.kind", Telemetry.KindTag(message.Request.Kind)));
                continue;
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                var unknown = !message.Request.IsIdempotent && !NeverSent(e);
                throw new WorkbooksTransportException(
                    !unknown
                        ? $"{message.Request} failed after {attempt + 1} attempts: {e.Message}"
                        : $"{message.Request} failed after it was sent, so it was not retried (a change is never retried blindly): {e.Message}",
                    message.Request.ToString(), outcomeUnknown: unknown, e);
            }
            if (more && message.Request.IsIdempotent && IsTransient(response.StatusCode))
            {
                var retryAfter = response.Headers.RetryAfter?.Delta;
                response.Dispose();
                await DelayAsync(attempt, retryAfter, cancellationToken).ConfigureAwait(false);
                metrics.Retries.Add(1, new KeyValuePair<string, object?>("workbooks.request.kind", Telemetry.KindTag(message.Request.Kind)));
                continue;
            }
            return response;
        }
    }

    /// <summary>The request failed before a connection existed (refused, unresolvable, TLS handshake): nothing was sent.</summary>
    internal static bool NeverSent(Exception e) =>
        e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError };

    internal static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable
            or HttpStatusCode.GatewayTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        HttpRequestException or IOException => true,
        // A timeout of one attempt (not the caller's cancellation).
        OperationCanceledException when !cancellationToken.IsCancellationRequested => true,
        _ => false,
    };

    private Task DelayAsync(int attempt, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var ceiling = Math.Min(options.MaxRetryDelay.TotalMilliseconds, options.RetryDelay.TotalMilliseconds * Math.Pow(2, attempt));
        var delay = TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
        if (retryAfter is { } after && after > delay)
            delay = after < options.MaxRetryDelay ? after : options.MaxRetryDelay;
        return Task.Delay(delay, options.TimeProvider, cancellationToken);
    }
}
