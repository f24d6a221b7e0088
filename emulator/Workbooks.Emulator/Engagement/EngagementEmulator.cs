using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Workbooks.Emulator.Engagement;

/// <summary>
/// The emulated engagement-extraction API (temporary workbooks, tasks, engagers, contacts), served under <c>/api/</c> by the
/// same host as the CRM emulator. Time (task progress, rate limits, the 12-hour expiry) is measured on the host's
/// <see cref="TimeProvider"/>, so tests move it with a fake clock.
/// </summary>
/// <remarks>
/// Where the documentation is silent the emulator decides: a missing or unknown <c>X-API-Key</c> answers 403; missing body
/// fields answer 400, a post URL in neither documented format or an unknown data type 422; an unknown task or workbook 404;
/// an expired workbook <c>410 Gone</c> with a detail naming the expiry; an invalid <c>page</c>/<c>page_size</c> 422. Pages are
/// <c>{"items": [...], "page", "page_size", "total", "total_pages"}</c>. A 429 carries <c>Retry-After</c> (whole seconds). Only
/// admitted requests count towards a rate limit. Only one task may be pending or started per post (activity id) at a time.
/// </remarks>
public sealed partial class EngagementEmulator
{
    private static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, EmulatedTask> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EmulatedTask> _workbooks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<DateTimeOffset>> _rateLogs = new(StringComparer.Ordinal);
    private readonly List<EngagementEmulatorRequest> _requests = [];
    private int _taskCounter;

    /// <summary>Creates the emulated API. Defaults are applied to <paramref name="options"/>.</summary>
    /// <param name="options">The options (kept and exposed as <see cref="Options"/>).</param>
    /// <param name="timeProvider">The clock.</param>
    public EngagementEmulator(EngagementEmulatorOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.ApplyDefaults();
        Options = options;
        _timeProvider = timeProvider;
    }

    /// <summary>The options in force (defaults applied).</summary>
    public EngagementEmulatorOptions Options { get; }

    /// <summary>The first configured API key.</summary>
    public string ApiKey => Options.ApiKeys[0].Key;

    /// <summary>The first workspace of the first configured API key.</summary>
    public string WorkspaceId => Options.ApiKeys[0].WorkspaceIds[0];

    /// <summary>Every request this API received (CRM requests are not included), oldest first.</summary>
    public IReadOnlyList<EngagementEmulatorRequest> Requests
    {
        get
        {
            lock (_lock)
                return [.. _requests];
        }
    }

    /// <summary>
    /// Injects a fault into the next matching request(s) (<see cref="EmulatorFault.PathContains"/>,
    /// <see cref="EmulatorFault.Method"/>, <see cref="EmulatorFault.Skip"/> and <see cref="EmulatorFault.Times"/> as for the
    /// CRM API). Supported here: <see cref="EmulatorFaultKind.TruncateResponse"/>, <see cref="EmulatorFaultKind.StallBody"/>,
    /// <see cref="EmulatorFaultKind.DropConnection"/> and <see cref="EmulatorFaultKind.MalformedJson"/>.
    /// </summary>
    public void Inject(EmulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (fault.Kind is not (EmulatorFaultKind.TruncateResponse or EmulatorFaultKind.StallBody or EmulatorFaultKind.DropConnection or EmulatorFaultKind.MalformedJson))
            throw new ArgumentException($"The engagement API emulator does not inject {fault.Kind}.", nameof(fault));
        lock (_lock)
            _faults.Add(new FaultState(fault));
    }

    private sealed class FaultState(EmulatorFault fault)
    {
        public EmulatorFault Fault { get; } = fault;
        public int Skipped { get; set; }
        public int Used { get; set; }
    }

    private readonly List<FaultState> _faults = [];

    private EmulatorFault? TakeFault(string method, string path)
    {
        lock (_lock)
        {
            foreach (var state in _faults)
            {
                var f = state.Fault;
                if ((f.Method is not null && !string.Equals(f.Method, method, StringComparison.OrdinalIgnoreCase))
                    || (f.PathContains is not null && !path.Contains(f.PathContains, StringComparison.Ordinal)))
                    continue;
                if (state.Skipped < f.Skip)
                {
                    state.Skipped++;
                    continue;
                }
                if (++state.Used >= f.Times)
                    _faults.Remove(state);
                return f;
            }
            return null;
        }
    }

    /// <summary>Forgets the recorded <see cref="Requests"/>.</summary>
    public void ClearRequests()
    {
        lock (_lock)
            _requests.Clear();
    }

    /// <summary>Serves the request when its path belongs to this API (<c>/api/…</c>); returns false otherwise.</summary>
    internal async Task<bool> TryHandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (!path.StartsWith("/api/", StringComparison.Ordinal))
            return false;

        var apiKey = context.Request.Headers["X-API-Key"].ToString();
        Reply reply;
        try
        {
            reply = await RouteAsync(context, path, string.IsNullOrEmpty(apiKey) ? null : apiKey).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            reply = Reply.Error(500, "Internal emulator error: " + ex.Message);
        }

        lock (_lock)
        {
            _requests.Add(new EngagementEmulatorRequest(_timeProvider.GetUtcNow(), context.Request.Method, path,
                context.Request.QueryString.Value ?? "", string.IsNullOrEmpty(apiKey) ? null : apiKey, reply.Status));
        }

        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = "application/json";
        if (reply.RetryAfterSeconds is { } retryAfter)
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        var body = reply.Body;
        switch (TakeFault(context.Request.Method, path))
        {
            case { Kind: EmulatorFaultKind.DropConnection }:
                context.Abort();
                return true;
            case { Kind: EmulatorFaultKind.MalformedJson }:
                body = Http.ResponseStyle.MalformedJsonBody;
                break;
            case { Kind: EmulatorFaultKind.TruncateResponse } when body.Length > 1:
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body[..(body.Length / 2)]).ConfigureAwait(false);
                await context.Response.Body.FlushAsync().ConfigureAwait(false);
                context.Abort();
                return true;
            case { Kind: EmulatorFaultKind.StallBody } stall when body.Length > 1:
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body[..(body.Length / 2)]).ConfigureAwait(false);
                await context.Response.Body.FlushAsync().ConfigureAwait(false);
                await Task.Delay(stall.Delay, context.RequestAborted).ConfigureAwait(false);
                await context.Response.Body.WriteAsync(body[(body.Length / 2)..]).ConfigureAwait(false);
                return true;
        }
        await context.Response.Body.WriteAsync(body).ConfigureAwait(false);
        return true;
    }

    private async Task<Reply> RouteAsync(HttpContext context, string path, string? apiKey)
    {
        var segments = path.TrimEnd('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = context.Request.Method;

        // /api/workbooks
        if (segments is ["api", "workbooks"])
        {
            if (!HttpMethods.IsPost(method))
                return Reply.Error(405, "Method Not Allowed");
            if (Authenticate(apiKey) is { } denied)
                return denied;
            if (Admit(apiKey!, "create", Options.CreateRequestsPerMinute) is { } limited)
                return limited;
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
            return CreateWorkbook(apiKey!, body.ToArray());
        }

        // /api/tasks/{task_id}/status
        if (segments is ["api", "tasks", var taskId, "status"])
        {
            if (!HttpMethods.IsGet(method))
                return Reply.Error(405, "Method Not Allowed");
            if (Authenticate(apiKey) is { } denied)
                return denied;
            if (Admit(apiKey!, "status", Options.StatusRequestsPerMinute) is { } limited)
                return limited;
            return TaskStatus(apiKey!, Uri.UnescapeDataString(taskId));
        }

        // /api/engagers/workbook/{id}[/contacts]
        if (segments is ["api", "engagers", "workbook", _] or ["api", "engagers", "workbook", _, "contacts"])
        {
            if (!HttpMethods.IsGet(method))
                return Reply.Error(405, "Method Not Allowed");
            if (Authenticate(apiKey) is { } denied)
                return denied;
            var contacts = segments.Length == 5;
            return ReadWorkbook(apiKey!, Uri.UnescapeDataString(segments[3]), contacts, context.Request.Query);
        }

        return Reply.Error(404, "Not Found");
    }

    private Reply? Authenticate(string? apiKey)
    {
        if (apiKey is null)
            return Reply.Error(403, "Not authenticated");
        return FindKey(apiKey) is null ? Reply.Error(403, "Invalid API key") : null;
    }

    private EngagementEmulatorApiKey? FindKey(string apiKey)
        => Options.ApiKeys.FirstOrDefault(k => string.Equals(k.Key, apiKey, StringComparison.Ordinal));

    private bool HasWorkspace(string apiKey, string workspaceId)
        => FindKey(apiKey)?.WorkspaceIds.Contains(workspaceId, StringComparer.Ordinal) == true;

    // A sliding log per key and endpoint: at most `limit` admitted requests in any minute.
    private Reply? Admit(string apiKey, string bucket, int limit)
    {
        lock (_lock)
        {
            var now = _timeProvider.GetUtcNow();
            var key = bucket + "|" + apiKey;
            if (!_rateLogs.TryGetValue(key, out var log))
                _rateLogs[key] = log = new Queue<DateTimeOffset>();
            while (log.Count > 0 && now - log.Peek() >= RateWindow)
                log.Dequeue();
            if (log.Count >= limit)
            {
                var wait = log.Peek() + RateWindow - now;
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                return Reply.Error(429, "Rate limit exceeded", seconds);
            }
            log.Enqueue(now);
            return null;
        }
    }

    private Reply CreateWorkbook(string apiKey, byte[] body)
    {
        string? workspaceId, postUrl;
        List<string>? dataTypes = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Reply.Error(422, "The request body must be a JSON object");
            workspaceId = StringProperty(root, "workspace_id");
            postUrl = StringProperty(root, "post_url");
            if (root.TryGetProperty("data_types", out var types) && types.ValueKind == JsonValueKind.Array)
            {
                dataTypes = [];
                foreach (var type in types.EnumerateArray())
                {
                    if (type.ValueKind != JsonValueKind.String)
                        return Reply.Error(422, "data_types must be an array of strings");
                    dataTypes.Add(type.GetString()!);
                }
            }
        }
        catch (JsonException)
        {
            return Reply.Error(422, "The request body is not valid JSON");
        }

        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(workspaceId)) missing.Add("workspace_id");
        if (string.IsNullOrWhiteSpace(postUrl)) missing.Add("post_url");
        if (dataTypes is null || dataTypes.Count == 0) missing.Add("data_types");
        if (missing.Count > 0)
            return Reply.Error(400, "Missing required fields: " + string.Join(", ", missing));

        var unknown = dataTypes!.Where(t => t is not ("comment" or "reaction")).ToList();
        if (unknown.Count > 0)
            return Reply.Error(422, $"Invalid data_types: {string.Join(", ", unknown)} (allowed: comment, reaction)");
        var activityId = ActivityId(postUrl!);
        if (activityId is null)
            return Reply.Error(422, "Invalid post URL format");
        if (!HasWorkspace(apiKey, workspaceId!))
            return Reply.Error(403, "No access to workspace");

        lock (_lock)
        {
            var now = _timeProvider.GetUtcNow();
            if (_tasks.Values.Any(t => t.ActivityId == activityId && !t.IsCompleted(now, Options)))
                return Reply.Error(409, "task_blocked_by_another_task");
            var number = ++_taskCounter;
            var task = new EmulatedTask(
                TaskId(number), WorkbookId(number), activityId, postUrl!, workspaceId!, apiKey, now,
                dataTypes!.Contains("comment"), dataTypes.Contains("reaction"), Options.FailingPostIds.Contains(activityId));
            _tasks[task.TaskId] = task;
            if (!task.Fails)
                _workbooks[task.WorkbookId] = task;
            return Reply.Json(200, w =>
            {
                w.WriteString("task_id", task.TaskId);
                w.WriteString("status", "PENDING"); // the create answer's documented spelling, whatever the status endpoint uses
            });
        }
    }

    private Reply TaskStatus(string apiKey, string taskId)
    {
        EmulatedTask? task;
        lock (_lock)
            _tasks.TryGetValue(taskId, out task);
        if (task is null)
            return Reply.Error(404, "Task not found");
        if (!HasWorkspace(apiKey, task.WorkspaceId))
            return Reply.Error(403, "No access to workspace");

        var now = _timeProvider.GetUtcNow();
        var phase = task.Phase(now, Options);
        return Reply.Json(200, w =>
        {
            w.WriteString("task_id", task.TaskId);
            w.WriteString("status", StatusText(phase));
            if (phase is TaskPhase.Success or TaskPhase.Failure)
                w.WriteString("completed_at", Iso(task.CompletedAt(Options)));
            if (phase == TaskPhase.Success)
            {
                w.WriteStartObject("result");
                w.WriteString("workbook_id", task.WorkbookId);
                w.WriteNumber("items_collected", Engagers(task).Count);
                w.WriteBoolean("success", true);
                w.WriteEndObject();
            }
            else if (phase == TaskPhase.Failure)
            {
                w.WriteString("error", Options.FailureError);
            }
        });
    }

    private Reply ReadWorkbook(string apiKey, string workbookId, bool contacts, IQueryCollection query)
    {
        if (Options.PermanentWorkbookIds.Contains(workbookId))
            return Reply.Error(400, "This operation is only supported for temporary workbooks.");
        EmulatedTask? task;
        lock (_lock)
            _workbooks.TryGetValue(workbookId, out task);
        var now = _timeProvider.GetUtcNow();
        if (task is null || task.Phase(now, Options) != TaskPhase.Success)
            return Reply.Error(404, "Workbook not found");
        if (!HasWorkspace(apiKey, task.WorkspaceId))
            return Reply.Error(403, "No access to workspace");
        var expiresAt = task.CompletedAt(Options) + Options.WorkbookLifetime;
        if (now >= expiresAt)
        {
            return Reply.Error(410, string.Create(CultureInfo.InvariantCulture,
                $"Workbook {workbookId} expired at {Iso(expiresAt)}: workbook data is kept for {Options.WorkbookLifetime.TotalHours:0.##} hours after completion."));
        }

        if (!TryPositive(query, "page", 1, int.MaxValue, out var page, out var error)
            || !TryPositive(query, "page_size", 100, Options.MaxPageSize, out var pageSize, out error))
            return Reply.Error(422, error!);

        var engagers = Engagers(task);
        if (contacts)
        {
            var all = Contacts(engagers);
            return Page(all, page, pageSize, (w, c) => WriteContact(w, c));
        }
        return Page(engagers, page, pageSize, WriteEngager);
    }

    private static Reply Page<T>(IReadOnlyList<T> all, int page, int pageSize, Action<Utf8JsonWriter, T> write)
    {
        var skip = (long)(page - 1) * pageSize;
        return Reply.Json(200, w =>
        {
            w.WriteStartArray("items");
            for (var i = skip; i < all.Count && i < skip + pageSize; i++)
            {
                w.WriteStartObject();
                write(w, all[(int)i]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("page", page);
            w.WriteNumber("page_size", pageSize);
            w.WriteNumber("total", all.Count);
            w.WriteNumber("total_pages", (all.Count + pageSize - 1) / pageSize);
        });
    }

    private static bool TryPositive(IQueryCollection query, string name, int fallback, int max, out int value, out string? error)
    {
        error = null;
        value = fallback;
        if (!query.TryGetValue(name, out var text) || string.IsNullOrEmpty(text.ToString()))
            return true;
        if (!int.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out value) || value < 1 || value > max)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"{name} must be an integer between 1 and {max}");
            return false;
        }
        return true;
    }

    private string StatusText(TaskPhase phase) => (phase, Options.LowercaseStatuses) switch
    {
        (TaskPhase.Pending, false) => "PENDING",
        (TaskPhase.Started, false) => "STARTED",
        (TaskPhase.Success, false) => "SUCCESS",
        (TaskPhase.Failure, false) => "FAILURE",
        (TaskPhase.Pending, true) => "pending",
        (TaskPhase.Started, true) => "running",
        (TaskPhase.Success, true) => "success",
        _ => "failure",
    };

    private static string? StringProperty(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string TaskId(int number)
    {
        var h = Fnv($"task-{number}");
        return string.Create(CultureInfo.InvariantCulture, $"{h & 0xFFFFFF:x6}-{(h >> 24) & 0xFFFFFF:x6}-{number:x6}");
    }

    private static string WorkbookId(int number) => string.Create(CultureInfo.InvariantCulture, $"65a1f0c2{Fnv($"wb-{number}") & 0xFFFFFFFF:x8}{number:x8}");

    /// <summary>The activity id of a post URL in one of the two documented formats, or null.</summary>
    internal static string? ActivityId(string postUrl)
    {
        if (!Uri.TryCreate(postUrl.Trim(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps
            || !string.Equals(uri.Host, "www.social.com", StringComparison.OrdinalIgnoreCase))
            return null;
        var match = PostsPath().Match(uri.AbsolutePath);
        if (!match.Success)
            match = FeedPath().Match(uri.AbsolutePath);
        return match.Success ? match.Groups["id"].Value : null;
    }

    [GeneratedRegex(@"^/posts/[^/_]+_(?:[^/]*-)?activity-(?<id>[0-9]+)(?:-[A-Za-z0-9]+)?/?$", RegexOptions.CultureInvariant)]
    private static partial Regex PostsPath();

    [GeneratedRegex(@"^/feed/update/urn:li:activity:(?<id>[0-9]+)/?$", RegexOptions.CultureInvariant)]
    private static partial Regex FeedPath();

    internal static uint Fnv(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 16777619u;
        }
        return hash;
    }

    private sealed record Reply(int Status, ReadOnlyMemory<byte> Body, int? RetryAfterSeconds = null)
    {
        public static Reply Error(int status, string detail, int? retryAfterSeconds = null)
            => Json(status, w => w.WriteString("detail", detail)) with { RetryAfterSeconds = retryAfterSeconds };

        public static Reply Json(int status, Action<Utf8JsonWriter> writeProperties)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writeProperties(writer);
                writer.WriteEndObject();
            }
            return new Reply(status, buffer.WrittenMemory);
        }
    }
}
