using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Workbooks.Engagement;

/// <summary>
/// A client of the engagement-extraction Workbooks API: create a temporary workbook from a post URL, wait for its task,
/// then read its engagers and contacts. Thread-safe; share one instance per API key so the documented per-key rate limits
/// (6 creations and 60 status requests a minute) are respected client-side. Telemetry: the <see cref="ActivitySource"/>
/// and the <see cref="System.Diagnostics.Metrics.Meter"/> named <c>Workbooks.Engagement</c>, logs through
/// <see cref="EngagementClientOptions.LoggerFactory"/> under the same category; the API key is in none of them.
/// </summary>
public sealed class EngagementClient : IDisposable
{
    private const string ApiKeyHeader = "X-API-Key";
    private static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(1);

    private readonly EngagementClientOptions _options;
    private readonly HttpClient? _httpClient;
    private readonly IHttpClientFactory? _httpClientFactory;
    private readonly bool _ownsHttpClient;
    private readonly SlidingLogRateLimiter _createLimiter;
    private readonly SlidingLogRateLimiter _statusLimiter;
    private readonly ILogger _logger;
    private readonly EngagementTelemetry _telemetry;
    private int _disposed;

    /// <summary>Creates a client with its own <see cref="HttpClient"/>, disposed with the client.</summary>
    /// <param name="options">The options; validated and copied.</param>
    /// <exception cref="ArgumentException">The options are not valid (for example http to a non-loopback host, or no API key).</exception>
    public EngagementClient(EngagementClientOptions options)
        : this(options, new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }), null, ownsHttpClient: true)
    {
    }

    /// <summary>Creates a client over an existing <see cref="HttpClient"/> (not disposed by the client). Its
    /// <see cref="HttpClient.BaseAddress"/> and default headers are not used: requests go to <see cref="EngagementClientOptions.BaseAddress"/>.</summary>
    /// <param name="httpClient">The HTTP client.</param>
    /// <param name="options">The options; validated and copied. Null reads the API key from <c>ENGAGEMENT_API_KEY</c>.</param>
    public EngagementClient(HttpClient httpClient, EngagementClientOptions? options = null)
        : this(options ?? new EngagementClientOptions(), httpClient ?? throw new ArgumentNullException(nameof(httpClient)), null, ownsHttpClient: false)
    {
    }

    /// <summary>Creates a client that takes a client named <see cref="EngagementClientOptions.HttpClientName"/> from
    /// <paramref name="httpClientFactory"/> for each request.</summary>
    /// <param name="httpClientFactory">The factory.</param>
    /// <param name="options">The options; validated and copied. Null reads the API key from <c>ENGAGEMENT_API_KEY</c>.</param>
    public EngagementClient(IHttpClientFactory httpClientFactory, EngagementClientOptions? options = null)
        : this(options ?? new EngagementClientOptions(), null, httpClientFactory ?? throw new ArgumentNullException(nameof(httpClientFactory)), ownsHttpClient: false)
    {
    }

    private EngagementClient(EngagementClientOptions options, HttpClient? httpClient, IHttpClientFactory? factory, bool ownsHttpClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            _options = options.ValidatedCopy();
        }
        catch when (ownsHttpClient)
        {
            httpClient?.Dispose();
            throw;
        }
        _httpClient = httpClient;
        _httpClientFactory = factory;
        _ownsHttpClient = ownsHttpClient;
        _createLimiter = new SlidingLogRateLimiter(_options.CreateRequestsPerMinute, RateWindow, _options.TimeProvider);
        _statusLimiter = new SlidingLogRateLimiter(_options.StatusRequestsPerMinute, RateWindow, _options.TimeProvider);
        _logger = _options.LoggerFactory?.CreateLogger(EngagementTelemetry.Name) ?? NullLogger.Instance;
        _telemetry = EngagementTelemetry.Create(_options.MeterFactory);
    }

    /// <summary>The service address requests go to.</summary>
    public Uri BaseAddress => _options.BaseAddress;

    /// <summary>Starts extracting a post's interactions into a temporary workbook (<c>POST /api/workbooks</c>).</summary>
    /// <param name="postUrl">The post URL, in one of the two documented formats (checked before sending).</param>
    /// <param name="dataTypes">What to extract: comments, reactions, or both.</param>
    /// <param name="workspaceId">The workspace the API key has access to.</param>
    /// <param name="cancellationToken">Cancels the request, including any wait for the rate limit.</param>
    /// <returns>The new task (normally <see cref="EngagementTaskState.Pending"/>).</returns>
    /// <exception cref="ArgumentException">The post URL is not in a documented format (the message says why), no data type was given, or the workspace id is empty.</exception>
    /// <exception cref="EngagementException">The service refused the request (see the derived types).</exception>
    public async Task<EngagementTaskStatus> CreateWorkbookAsync(string postUrl, EngagementDataTypes dataTypes, string workspaceId, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (!_options.SkipPostUrlValidation)
        {
            if (!EngagementPostUrl.TryParse(postUrl, out _, out var reason))
                throw new ArgumentException($"Invalid post URL: {reason}", nameof(postUrl));
        }
        else
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(postUrl);
        }
        if ((dataTypes & EngagementDataTypes.All) == EngagementDataTypes.None || (dataTypes & ~EngagementDataTypes.All) != 0)
            throw new ArgumentException("Give at least one of Comment and Reaction, and nothing else.", nameof(dataTypes));
        ArgumentException.ThrowIfNullOrWhiteSpace(workspaceId);

        var body = new CreateWorkbookRequest { WorkspaceId = workspaceId, PostUrl = postUrl.Trim(), DataTypes = dataTypes.ToWire() };
        var blockedSince = _options.TimeProvider.GetTimestamp();
        while (true)
        {
            try
            {
                var created = await ExchangeAsync("POST api/workbooks", async ct =>
                {
                    using var response = await SendAsync(EngagementOperation.CreateWorkbook,
                        () => new HttpRequestMessage(HttpMethod.Post, Endpoint("api/workbooks"))
                        {
                            Content = JsonContent.Create(body, EngagementJsonContext.Default.CreateWorkbookRequest),
                        },
                        _createLimiter, ct).ConfigureAwait(false);
                    return await ReadStatusAsync(response, null, ct).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);
                var types = EngagementTelemetry.DataTypesText(dataTypes);
                _telemetry.WorkbooksCreated.Add(1, new KeyValuePair<string, object?>(EngagementTelemetry.DataTypesTag, types));
                EngagementLog.WorkbookCreated(_logger, created.TaskId, workspaceId, types);
                return created;
            }
            catch (EngagementTaskBlockedException) when (_options.BlockedTaskMaxWait > TimeSpan.Zero
                && _options.TimeProvider.GetElapsedTime(blockedSince) + _options.BlockedTaskRetryInterval <= _options.BlockedTaskMaxWait)
            {
                _telemetry.Retries.Add(1, new KeyValuePair<string, object?>(EngagementTelemetry.OperationTag, EngagementOperation.CreateWorkbook.Name),
                    new KeyValuePair<string, object?>(EngagementTelemetry.RetryReasonTag, "task_blocked"));
                EngagementLog.BlockedCreationRetry(_logger, (long)_options.BlockedTaskRetryInterval.TotalMilliseconds);
                await Task.Delay(_options.BlockedTaskRetryInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads a task's status once (<c>GET /api/tasks/{task_id}/status</c>).</summary>
    /// <param name="taskId">The task id returned by <see cref="CreateWorkbookAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The status; a successful one carries the <see cref="EngagementWorkbook"/>.</returns>
    public async Task<EngagementTaskStatus> GetTaskStatusAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        var status = await ExchangeAsync($"GET api/tasks/{taskId}/status", async ct =>
        {
            using var response = await SendAsync(EngagementOperation.GetTaskStatus,
                () => new HttpRequestMessage(HttpMethod.Get, Endpoint($"api/tasks/{Uri.EscapeDataString(taskId)}/status")),
                _statusLimiter, ct).ConfigureAwait(false);
            return await ReadStatusAsync(response, taskId, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        _telemetry.Polls.Add(1, new KeyValuePair<string, object?>(EngagementTelemetry.TaskStateTag, EngagementTelemetry.StateTag(status.State)));
        EngagementLog.TaskStatusPolled(_logger, status.TaskId, status.RawStatus);
        return status;
    }

    /// <summary>Polls the task's status with a growing interval (within the 60 requests/minute limit) until it completes.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="progress">Receives every status read, in order.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The workbook of the successful task.</returns>
    /// <exception cref="EngagementTaskFailedException">The task failed; <see cref="EngagementException.Detail"/> is its error.</exception>
    /// <exception cref="EngagementTaskTimeoutException">The task did not complete within <see cref="EngagementClientOptions.CompletionTimeout"/>.</exception>
    public async Task<EngagementWorkbook> WaitForCompletionAsync(string taskId, IProgress<EngagementTaskStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        using var activity = EngagementTelemetry.ActivitySource.StartActivity("Workbooks.Engagement WaitForCompletion", ActivityKind.Internal);
        activity?.SetTag(EngagementTelemetry.TaskIdTag, taskId);
        try
        {
            var workbook = await PollUntilCompletedAsync(taskId, progress, cancellationToken).ConfigureAwait(false);
            TagWorkbook(activity, workbook);
            return workbook;
        }
        catch (Exception e)
        {
            Fail(activity, e);
            throw;
        }
    }

    private async Task<EngagementWorkbook> PollUntilCompletedAsync(string taskId, IProgress<EngagementTaskStatus>? progress, CancellationToken cancellationToken)
    {
        var started = _options.TimeProvider.GetTimestamp();
        var interval = _options.PollInterval;
        while (true)
        {
            var status = await GetTaskStatusAsync(taskId, cancellationToken).ConfigureAwait(false);
            progress?.Report(status);
            switch (status.State)
            {
                case EngagementTaskState.Success when status.Workbook is { } workbook:
                    _telemetry.WorkbooksReady.Add(1);
                    EngagementLog.WorkbookReady(_logger, taskId, workbook.WorkbookId, workbook.ItemsCollected, workbook.ExpiresAt);
                    return workbook;
                case EngagementTaskState.Success:
                    throw WorkbookFailed(new EngagementException($"Task {taskId} succeeded without a workbook in its result.", HttpStatusCode.OK, null),
                        taskId, "succeeded without a workbook in its result");
                case EngagementTaskState.Failure:
                    var error = status.Error ?? "(no error given)";
                    throw WorkbookFailed(new EngagementTaskFailedException($"Task {taskId} failed: {error}", status), taskId, error);
            }
            var elapsed = _options.TimeProvider.GetElapsedTime(started);
            if (elapsed + interval > _options.CompletionTimeout)
            {
                _telemetry.WorkbooksFailed.Add(1, new KeyValuePair<string, object?>(EngagementTelemetry.ErrorTypeTag, typeof(EngagementTaskTimeoutException).FullName));
                EngagementLog.WaitTimedOut(_logger, taskId, _options.CompletionTimeout, status.RawStatus);
                throw new EngagementTaskTimeoutException($"Task {taskId} did not complete within {_options.CompletionTimeout} (last status: {status.RawStatus}).");
            }
            await Task.Delay(interval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            interval = TimeSpan.FromTicks(Math.Min(_options.MaxPollInterval.Ticks, (long)(interval.Ticks * _options.PollBackoffFactor)));
        }
    }

    private EngagementException WorkbookFailed(EngagementException exception, string taskId, string error)
    {
        _telemetry.WorkbooksFailed.Add(1, new KeyValuePair<string, object?>(EngagementTelemetry.ErrorTypeTag, EngagementTelemetry.ErrorType(exception)));
        EngagementLog.WorkbookFailed(_logger, taskId, error);
        return exception;
    }

    private static void TagWorkbook(Activity? activity, EngagementWorkbook workbook)
    {
        if (activity is null)
            return;
        activity.SetTag(EngagementTelemetry.WorkbookIdTag, workbook.WorkbookId);
        activity.SetTag(EngagementTelemetry.ItemsCollectedTag, workbook.ItemsCollected);
    }

    private static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
            return;
        var type = EngagementTelemetry.ErrorType(exception);
        activity.SetTag(EngagementTelemetry.ErrorTypeTag, type);
        activity.SetStatus(ActivityStatusCode.Error, type);
    }

    /// <summary>The common path: creates the workbook and waits for its task to complete.</summary>
    /// <param name="postUrl">The post URL.</param>
    /// <param name="dataTypes">What to extract.</param>
    /// <param name="workspaceId">The workspace.</param>
    /// <param name="progress">Receives every status, starting with the creation's.</param>
    /// <param name="cancellationToken">Cancels the whole operation.</param>
    /// <returns>The workbook, ready to read.</returns>
    public async Task<EngagementWorkbook> CreateAndWaitAsync(string postUrl, EngagementDataTypes dataTypes, string workspaceId, IProgress<EngagementTaskStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        using var activity = EngagementTelemetry.ActivitySource.StartActivity("Workbooks.Engagement CreateAndWait", ActivityKind.Internal);
        activity?.SetTag(EngagementTelemetry.DataTypesTag, EngagementTelemetry.DataTypesText(dataTypes));
        try
        {
            var task = await CreateWorkbookAsync(postUrl, dataTypes, workspaceId, cancellationToken).ConfigureAwait(false);
            activity?.SetTag(EngagementTelemetry.TaskIdTag, task.TaskId);
            progress?.Report(task);
            var workbook = await WaitForCompletionAsync(task.TaskId, progress, cancellationToken).ConfigureAwait(false);
            TagWorkbook(activity, workbook);
            return workbook;
        }
        catch (Exception e)
        {
            Fail(activity, e);
            throw;
        }
    }

    /// <summary>Reads every engager (comments and reactions) of a workbook, page by page (<c>page</c>, <c>page_size</c>).</summary>
    /// <param name="workbookId">The workbook id.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The engagers, lazily.</returns>
    /// <exception cref="EngagementWorkbookExpiredException">The workbook's data has expired.</exception>
    public IAsyncEnumerable<Engager> GetEngagersAsync(string workbookId, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrWhiteSpace(workbookId);
        return ReadPagesAsync(EngagementOperation.GetEngagers, "engager", workbookId, $"api/engagers/workbook/{Uri.EscapeDataString(workbookId)}", _options.EngagersPageSize, static e => new Engager(e), cancellationToken);
    }

    /// <summary>Reads every engager of a workbook, failing at once without a request when its <see cref="EngagementWorkbook.ExpiresAt"/> has passed.</summary>
    /// <param name="workbook">The workbook.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The engagers, lazily.</returns>
    public IAsyncEnumerable<Engager> GetEngagersAsync(EngagementWorkbook workbook, CancellationToken cancellationToken = default)
    {
        ThrowIfExpired(workbook);
        return GetEngagersAsync(workbook.WorkbookId, cancellationToken);
    }

    /// <summary>Reads every deduplicated contact (with enrichment) of a workbook, page by page (<c>page</c>, <c>page_size</c>).</summary>
    /// <param name="workbookId">The workbook id.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The contacts, lazily.</returns>
    /// <exception cref="EngagementWorkbookExpiredException">The workbook's data has expired.</exception>
    public IAsyncEnumerable<EngagementContact> GetContactsAsync(string workbookId, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrWhiteSpace(workbookId);
        return ReadPagesAsync(EngagementOperation.GetContacts, "contact", workbookId, $"api/engagers/workbook/{Uri.EscapeDataString(workbookId)}/contacts", _options.ContactsPageSize, static e => new EngagementContact(e), cancellationToken);
    }

    /// <summary>Reads every contact of a workbook, failing at once without a request when its <see cref="EngagementWorkbook.ExpiresAt"/> has passed.</summary>
    /// <param name="workbook">The workbook.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The contacts, lazily.</returns>
    public IAsyncEnumerable<EngagementContact> GetContactsAsync(EngagementWorkbook workbook, CancellationToken cancellationToken = default)
    {
        ThrowIfExpired(workbook);
        return GetContactsAsync(workbook.WorkbookId, cancellationToken);
    }

    /// <summary>Disposes the owned <see cref="HttpClient"/> (if any) and the rate limiters.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _createLimiter.Dispose();
        _statusLimiter.Dispose();
        if (_ownsHttpClient)
            _httpClient?.Dispose();
    }

    private void ThrowIfExpired(EngagementWorkbook workbook)
    {
        ArgumentNullException.ThrowIfNull(workbook);
        var now = _options.TimeProvider.GetUtcNow();
        if (workbook.IsExpired(now))
        {
            throw new EngagementWorkbookExpiredException(
                $"Workbook {workbook.WorkbookId} expired at {workbook.ExpiresAt:O}: workbook data is kept for 12 hours after completion.",
                null, null, workbook.WorkbookId, workbook.ExpiresAt);
        }
    }

    private async IAsyncEnumerable<T> ReadPagesAsync<T>(EngagementOperation operation, string recordKind, string workbookId, string path, int pageSize, Func<JsonElement, T> create, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long yielded = 0;
        for (var page = 1; ; page++)
        {
            var uri = Endpoint(string.Create(CultureInfo.InvariantCulture, $"{path}?page={page}&page_size={pageSize}"));
            var (items, total, totalPages) = await ExchangeAsync("GET " + uri.PathAndQuery, async ct =>
            {
                using var response = await SendAsync(operation, () => new HttpRequestMessage(HttpMethod.Get, uri), null, ct, workbookId).ConfigureAwait(false);
                var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    using var document = await JsonDocument.ParseAsync(stream, default, ct).ConfigureAwait(false);
                    return ParsePage(document.RootElement, create, uri);
                }
            }, cancellationToken).ConfigureAwait(false);
            _telemetry.RecordsRead.Add(items.Count, new KeyValuePair<string, object?>(EngagementTelemetry.RecordKindTag, recordKind));
            EngagementLog.PageRead(_logger, items.Count, recordKind, page, workbookId);
            foreach (var item in items)
            {
                yield return item;
                yielded++;
            }
            if (items.Count == 0
                || (totalPages is { } pages && page >= pages)
                || (total is { } count && yielded >= count)
                || (totalPages is null && total is null && items.Count < pageSize))
                yield break;
        }
    }

    private static readonly string[] ItemArrayNames = ["items", "data", "results", "engagers", "contacts"];

    private static (List<T> Items, long? Total, int? TotalPages) ParsePage<T>(JsonElement root, Func<JsonElement, T> create, Uri uri)
    {
        JsonElement array = default;
        long? total = null;
        int? totalPages = null;
        if (root.ValueKind == JsonValueKind.Array)
        {
            array = root;
        }
        else if (root.ValueKind == JsonValueKind.Object)
        {
            foreach (var name in ItemArrayNames)
            {
                if (root.TryGetProperty(name, out var candidate) && candidate.ValueKind == JsonValueKind.Array)
                {
                    array = candidate;
                    break;
                }
            }
            if (root.TryGetProperty("total", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var tv))
                total = tv;
            if (root.TryGetProperty("total_pages", out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var pv))
                totalPages = pv;
        }
        if (array.ValueKind != JsonValueKind.Array)
            throw new EngagementException($"The page at {uri} holds no array of items (looked for an array, or one of: {string.Join(", ", ItemArrayNames)}).", HttpStatusCode.OK, null);
        var items = new List<T>(array.GetArrayLength());
        foreach (var element in array.EnumerateArray())
            items.Add(create(element));
        return (items, total, totalPages);
    }

    private async Task<EngagementTaskStatus> ReadStatusAsync(HttpResponseMessage response, string? expectedTaskId, CancellationToken cancellationToken)
    {
        TaskStatusResponse? dto;
        try
        {
            dto = await response.Content.ReadFromJsonAsync(EngagementJsonContext.Default.TaskStatusResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new EngagementException($"The task status answer is not valid JSON: {ex.Message}", ex);
        }
        var taskId = dto?.TaskId ?? expectedTaskId;
        if (dto is null || taskId is null || dto.Status is null)
            throw new EngagementException("The task answer lacks task_id or status.", response.StatusCode, null);

        var completedAt = ParseTime(dto.CompletedAt);
        EngagementWorkbook? workbook = null;
        var error = dto.Error is { } e ? DetailText(e) : null;
        var rawStatus = dto.Status;
        if (dto.Result is { } result && result.WorkbookId is { } id && id.ValueKind is JsonValueKind.String or JsonValueKind.Number)
        {
            var workbookId = id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText();
            workbook = new EngagementWorkbook(workbookId, result.ItemsCollected ?? 0, completedAt, completedAt + _options.WorkbookLifetime, taskId);
            if (result.Success == false && EngagementTaskStatus.ParseState(rawStatus) == EngagementTaskState.Success)
            {
                rawStatus = "FAILURE";
                error ??= "The task completed but its result reports success = false.";
            }
        }
        return new EngagementTaskStatus(taskId, rawStatus, completedAt, workbook, error);
    }

    private static DateTimeOffset? ParseTime(string? text)
        => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : null;

    private Uri Endpoint(string relative) => new(_options.BaseAddress, relative);

    /// <summary>
    /// One exchange (request and whole answer) under <see cref="EngagementClientOptions.RequestTimeout"/>; what goes
    /// wrong on the way becomes an <see cref="EngagementException"/> with the cause inside: a connection that cannot be
    /// opened or breaks, a body cut short or stalled, an answer that is not the JSON it should be.
    /// </summary>
    private async Task<TResult> ExchangeAsync<TResult>(string what, Func<CancellationToken, Task<TResult>> exchange, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.RequestTimeout);
        try
        {
            return await exchange(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EngagementException($"{what} did not finish within {_options.RequestTimeout.TotalSeconds:0.###} s (RequestTimeout covers the whole answer).", e);
        }
        catch (HttpRequestException e)
        {
            throw new EngagementException($"{what} failed: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new EngagementException($"{what}: the answer was cut short ({e.Message}).", e);
        }
        catch (JsonException e)
        {
            throw new EngagementException($"{what}: the answer is not valid JSON ({e.Message}).", e);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(EngagementOperation operation, Func<HttpRequestMessage> createRequest, RateLimiter? limiter, CancellationToken cancellationToken, string? workbookId = null)
    {
        var backoff = _options.RateLimitBackoff;
        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            // The lease is held until the answer arrives: the request then counts from its latest possible arrival.
            using (var lease = limiter is null ? null : await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false))
            using (var request = createRequest())
            {
                if (lease is { IsAcquired: false })
                    throw new EngagementRateLimitException("The client-side rate limiter refused the request.", null, null);
                request.Headers.TryAddWithoutValidation(ApiKeyHeader, _options.ApiKey);
                request.Headers.Accept.ParseAdd("application/json");
                var http = _httpClient ?? _httpClientFactory!.CreateClient(_options.HttpClientName);
                response = await SendTracedAsync(http, request, operation, attempt, cancellationToken).ConfigureAwait(false);
            }
            if (response.IsSuccessStatusCode)
                return response;
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < _options.MaxRateLimitRetries)
                {
                    var wait = RetryAfter(response) ?? backoff;
                    backoff += backoff;
                    _telemetry.Retries.Add(1, new KeyValuePair<string, object?>(EngagementTelemetry.OperationTag, operation.Name),
                        new KeyValuePair<string, object?>(EngagementTelemetry.RetryReasonTag, "rate_limited"));
                    if (_logger.IsEnabled(LogLevel.Information))
                        EngagementLog.RateLimitedRetry(_logger, response.RequestMessage?.Method.Method ?? "", response.RequestMessage?.RequestUri?.AbsolutePath ?? operation.Template,
                            attempt + 1, _options.MaxRateLimitRetries, (long)wait.TotalMilliseconds);
                    await Task.Delay(wait, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                throw await CreateExceptionAsync(response, workbookId, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// One HTTP attempt, traced: a client span named <c>{method} {url.template}</c> with the OpenTelemetry HTTP client
    /// tags, the request count and duration, the sent/answered/failed log events. Only the method, the URL's path
    /// (never its query nor a header) and the status or error type are recorded.
    /// </summary>
    private async Task<HttpResponseMessage> SendTracedAsync(HttpClient http, HttpRequestMessage request, EngagementOperation operation, int attempt, CancellationToken cancellationToken)
    {
        var method = request.Method.Method;
        var uri = request.RequestUri!;
        var path = uri.AbsolutePath;
        using var activity = EngagementTelemetry.ActivitySource.StartActivity(method + " " + operation.Template, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(EngagementTelemetry.MethodTag, method);
            activity.SetTag(EngagementTelemetry.UrlPathTag, path);
            activity.SetTag(EngagementTelemetry.UrlTemplateTag, operation.Template);
            activity.SetTag(EngagementTelemetry.UrlSchemeTag, uri.Scheme);
            activity.SetTag(EngagementTelemetry.ServerAddressTag, uri.Host);
            activity.SetTag(EngagementTelemetry.ServerPortTag, uri.Port);
            activity.SetTag(EngagementTelemetry.OperationTag, operation.Name);
            if (attempt > 0)
                activity.SetTag(EngagementTelemetry.ResendCountTag, attempt);
        }
        var tags = new TagList
        {
            { EngagementTelemetry.OperationTag, operation.Name },
            { EngagementTelemetry.MethodTag, method },
        };
        EngagementLog.RequestSent(_logger, method, path, attempt + 1);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var status = (int)response.StatusCode;
            tags.Add(EngagementTelemetry.StatusCodeTag, status);
            activity?.SetTag(EngagementTelemetry.StatusCodeTag, status);
            if (status >= 400)
            {
                var errorType = status.ToString(CultureInfo.InvariantCulture);
                tags.Add(EngagementTelemetry.ErrorTypeTag, errorType);
                activity?.SetTag(EngagementTelemetry.ErrorTypeTag, errorType);
                activity?.SetStatus(ActivityStatusCode.Error);
            }
            _telemetry.Requests.Add(1, tags);
            _telemetry.RequestDuration.Record(elapsed.TotalSeconds, tags);
            EngagementLog.RequestAnswered(_logger, method, path, status, (long)elapsed.TotalMilliseconds);
            return response;
        }
        catch (Exception e)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var errorType = EngagementTelemetry.ErrorType(e);
            tags.Add(EngagementTelemetry.ErrorTypeTag, errorType);
            Fail(activity, e);
            _telemetry.Requests.Add(1, tags);
            _telemetry.RequestDuration.Record(elapsed.TotalSeconds, tags);
            // A cancelled request (the caller's token or RequestTimeout, which ExchangeAsync reports) is no warning of its own.
            EngagementLog.RequestFailed(_logger, e is OperationCanceledException ? LogLevel.Debug : LogLevel.Warning, method, path, (long)elapsed.TotalMilliseconds, errorType);
            throw;
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var wait = date - _options.TimeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    private async Task<EngagementException> CreateExceptionAsync(HttpResponseMessage response, string? workbookId, CancellationToken cancellationToken)
    {
        string? detail = null;
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(text))
            {
                try
                {
                    var error = JsonSerializer.Deserialize(text, EngagementJsonContext.Default.ErrorResponse);
                    detail = error?.Detail is { } d ? DetailText(d) : text;
                }
                catch (JsonException)
                {
                    detail = text.Length > 500 ? text[..500] : text;
                }
            }
        }
        catch (HttpRequestException)
        {
        }

        var status = response.StatusCode;
        var message = $"{(int)status} {response.ReasonPhrase}: {detail ?? "(no detail)"}";
        return status switch
        {
            HttpStatusCode.BadRequest => new EngagementBadRequestException(message, status, detail),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new EngagementAccessDeniedException(message, status, detail),
            HttpStatusCode.NotFound => new EngagementNotFoundException(message, status, detail),
            HttpStatusCode.Conflict => new EngagementTaskBlockedException(message, status, detail),
            HttpStatusCode.Gone => new EngagementWorkbookExpiredException(message, status, detail, workbookId ?? "", null),
            HttpStatusCode.UnprocessableEntity => new EngagementValidationException(message, status, detail),
            HttpStatusCode.TooManyRequests => new EngagementRateLimitException(message, detail, RetryAfter(response)),
            _ => new EngagementException(message, status, detail),
        };
    }

    // "detail" is a string in the documented errors; validation frameworks also send [{ "msg": ... }, ...].
    private static string DetailText(JsonElement detail)
    {
        switch (detail.ValueKind)
        {
            case JsonValueKind.String:
                return detail.GetString()!;
            case JsonValueKind.Array:
                var parts = new List<string>();
                foreach (var item in detail.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("msg", out var msg) && msg.ValueKind == JsonValueKind.String)
                        parts.Add(msg.GetString()!);
                    else
                        parts.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText());
                }
                return string.Join("; ", parts);
            default:
                return detail.GetRawText();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
