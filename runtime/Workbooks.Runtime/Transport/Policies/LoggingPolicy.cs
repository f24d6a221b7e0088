using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Workbooks.Transport;

namespace Workbooks.Transport.Policies;

/// <summary>Logs every exchange through <see cref="ILogger"/> with secrets redacted (never the API key, password, session id or token).</summary>
internal sealed class LoggingPolicy(ILogger logger) : PipelinePolicy
{
    internal static readonly HashSet<string> Secrets = new(StringComparer.OrdinalIgnoreCase) { Protocol.ApiKey, "password", "session_id", Protocol.AuthenticityToken };

    public override async Task<HttpResponseMessage> SendAsync(PipelineMessage message, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await NextAsync(message, cancellationToken).ConfigureAwait(false);
            if (logger.IsEnabled(LogLevel.Debug))
                logger.LogDebug("Workbooks {Request} answered {Status} in {Elapsed} ms; parameters: {Parameters}",
                    message.Request.ToString(), (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture), Redact(message.AllParameters));
            return response;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Workbooks {Request} failed after {Elapsed} ms: {Error}", message.Request.ToString(),
                Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture), e.GetType().Name);
            throw;
        }
    }

    internal static string Redact(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in parameters)
        {
            if (sb.Length > 0) sb.Append('&');
            sb.Append(key).Append('=');
            if (Secrets.Contains(key)) sb.Append("***");
            else sb.Append(value.Length > 200 ? string.Concat(value.AsSpan(0, 200), "…") : value);
            if (sb.Length > 4096) { sb.Append('…'); break; }
        }
        return sb.ToString();
    }
}
