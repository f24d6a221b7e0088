using System.Net;
using Workbooks.Transport;

namespace Workbooks.Transport.Policies;

/// <summary>Retries idempotent requests after transient failures, with exponential backoff and full jitter.</summary>
internal sealed class RetryPolicy(WorkbooksOptions options) : PipelinePolicy
{
    public override async Task<HttpResponseMessage> SendAsync(PipelineMessage message, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var canRetry = message.Request.IsIdempotent && attempt < options.MaxRetries;
            HttpResponseMessage response;
            try
            {
                response = await NextAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (canRetry && IsTransient(e, cancellationToken))
            {
                await DelayAsync(attempt, null, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                throw new WorkbooksTransportException(
                    message.Request.IsIdempotent
                        ? $"{message.Request} failed after {attempt + 1} attempts: {e.Message}"
                        : $"{message.Request} failed and was not retried (a change is never retried blindly): {e.Message}",
                    message.Request.ToString(), outcomeUnknown: !message.Request.IsIdempotent, e);
            }
            if (canRetry && IsTransient(response.StatusCode))
            {
                var retryAfter = response.Headers.RetryAfter?.Delta;
                response.Dispose();
                await DelayAsync(attempt, retryAfter, cancellationToken).ConfigureAwait(false);
                continue;
            }
            return response;
        }
    }

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
