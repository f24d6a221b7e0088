using System.IO.Compression;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Workbooks.Transport;

namespace Workbooks.Transport.Policies;

/// <summary>
/// The transport pipeline: client parameters → retry → redirects → session → logging → HTTP. Thread-safe; one per session.
/// </summary>
internal sealed class WorkbooksPipeline
{
    private readonly PipelinePolicy _head;
    private readonly WorkbooksOptions _options;

    public WorkbooksPipeline(HttpClient httpClient, WorkbooksOptions options, SessionPolicy session, RuntimeMetrics metrics)
    {
        _options = options;
        Session = session;
        var logger = options.LoggerFactory?.CreateLogger(Telemetry.Name) ?? NullLogger.Instance;
        PipelinePolicy[] policies =
        [
            new ClientParametersPolicy(options),
            new RetryPolicy(options, metrics),
            new RedirectPolicy(options, metrics),
            session,
            new LoggingPolicy(logger),
            new TransportPolicy(httpClient, options, metrics),
        ];
        for (var i = 0; i < policies.Length - 1; i++)
            policies[i].Next = policies[i + 1];
        _head = policies[0];
    }

    public SessionPolicy Session { get; }

    /// <summary>Sends a request and returns the response, whatever its status (callers map errors).</summary>
    public async Task<WorkbooksResponse> SendRawAsync(WorkbooksRequest request, CancellationToken cancellationToken)
    {
        var message = new PipelineMessage(request, new Uri(_options.Service!, request.Path));
        HttpResponseMessage response;
        try
        {
            response = await _head.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            message.Deadline = null;
            throw;
        }
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            if (response.Content.Headers.ContentEncoding.Contains("gzip", StringComparer.OrdinalIgnoreCase))
                stream = new GZipStream(stream, CompressionMode.Decompress);
            // The body owns the attempt's deadline from here (disposing the response disposes it).
            return new WorkbooksResponse(response, new ResponseBody(stream, request, message.Deadline, _options.Timeout), request);
        }
        catch
        {
            message.Deadline = null;
            response.Dispose();
            throw;
        }
    }

    /// <summary>Sends a request; a non-success status becomes the matching <see cref="WorkbooksException"/>.</summary>
    public async Task<WorkbooksResponse> SendAsync(WorkbooksRequest request, CancellationToken cancellationToken)
    {
        var response = await SendRawAsync(request, cancellationToken).ConfigureAwait(false);
        if ((int)response.Status is >= 200 and < 300)
            return response;
        using (response)
            throw await ErrorMapper.ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
    }
}
