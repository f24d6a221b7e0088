using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Workbooks.Engagement;

/// <summary>
/// The engagement client's telemetry names, in one place: the <see cref="System.Diagnostics.ActivitySource"/> and the
/// <see cref="System.Diagnostics.Metrics.Meter"/> are both named <c>Workbooks.Engagement</c> (OpenTelemetry:
/// <c>AddSource("Workbooks.Engagement")</c>, <c>AddMeter("Workbooks.Engagement")</c>), logs use the category of the same
/// name. Tags carry operations, methods, URL paths and templates, status codes, task states and outcomes: never the API
/// key, a header or a record's data.
/// </summary>
internal sealed class EngagementTelemetry
{
    public const string Name = "Workbooks.Engagement";

    private const string Version = "1.0";

    /// <summary>Spans: one per HTTP request (client), one around <see cref="EngagementClient.CreateAndWaitAsync"/> and
    /// one around <see cref="EngagementClient.WaitForCompletionAsync"/> (internal).</summary>
    public static readonly ActivitySource ActivitySource = new(Name, Version);

    // Tag names (OpenTelemetry HTTP client conventions where one fits, else workbooks.engagement.*).
    public const string MethodTag = "http.request.method";
    public const string StatusCodeTag = "http.response.status_code";
    public const string ResendCountTag = "http.request.resend_count";
    public const string ErrorTypeTag = "error.type";
    public const string UrlPathTag = "url.path";
    public const string UrlTemplateTag = "url.template";
    public const string UrlSchemeTag = "url.scheme";
    public const string ServerAddressTag = "server.address";
    public const string ServerPortTag = "server.port";
    public const string OperationTag = "workbooks.engagement.operation";
    public const string RetryReasonTag = "workbooks.engagement.retry.reason";
    public const string TaskStateTag = "workbooks.engagement.task.state";
    public const string TaskIdTag = "workbooks.engagement.task.id";
    public const string WorkbookIdTag = "workbooks.engagement.workbook.id";
    public const string ItemsCollectedTag = "workbooks.engagement.workbook.items_collected";
    public const string DataTypesTag = "workbooks.engagement.data_types";
    public const string RecordKindTag = "workbooks.engagement.record.kind";

    private static readonly Lazy<EngagementTelemetry> Shared = new(() => new EngagementTelemetry(new Meter(Name, Version)));

    private EngagementTelemetry(Meter meter)
    {
        Meter = meter;
        Requests = meter.CreateCounter<long>("workbooks.engagement.requests", "{request}", "HTTP requests sent to the engagement API, each attempt counted.");
        RequestDuration = meter.CreateHistogram<double>("workbooks.engagement.request.duration", "s", "Time until the answer's headers, per attempt.");
        Retries = meter.CreateCounter<long>("workbooks.engagement.retries", "{retry}", "Requests sent again: after a 429 answer, or a creation blocked by another task of the post.");
        Polls = meter.CreateCounter<long>("workbooks.engagement.polls", "{poll}", "Task statuses read, by the state read.");
        WorkbooksCreated = meter.CreateCounter<long>("workbooks.engagement.workbooks.created", "{workbook}", "Extraction tasks the service accepted.");
        WorkbooksReady = meter.CreateCounter<long>("workbooks.engagement.workbooks.ready", "{workbook}", "Extraction tasks waited for until their workbook was ready.");
        WorkbooksFailed = meter.CreateCounter<long>("workbooks.engagement.workbooks.failed", "{workbook}", "Extraction tasks waited for that failed, or did not complete in time.");
        RecordsRead = meter.CreateCounter<long>("workbooks.engagement.records.read", "{record}", "Engagers and contacts read from workbook pages.");
    }

    /// <summary>The meter: from the options' <see cref="IMeterFactory"/> when given, else one static meter.</summary>
    public Meter Meter { get; }

    public Counter<long> Requests { get; }

    public Histogram<double> RequestDuration { get; }

    public Counter<long> Retries { get; }

    public Counter<long> Polls { get; }

    public Counter<long> WorkbooksCreated { get; }

    public Counter<long> WorkbooksReady { get; }

    public Counter<long> WorkbooksFailed { get; }

    public Counter<long> RecordsRead { get; }

    /// <summary>The instruments on a meter of <paramref name="meterFactory"/> (which owns and disposes it), or the shared static ones.</summary>
    public static EngagementTelemetry Create(IMeterFactory? meterFactory)
        => meterFactory is null ? Shared.Value : new EngagementTelemetry(meterFactory.Create(new MeterOptions(Name) { Version = Version }));

    public static string StateTag(EngagementTaskState state) => state switch
    {
        EngagementTaskState.Pending => "pending",
        EngagementTaskState.Started => "started",
        EngagementTaskState.Success => "success",
        EngagementTaskState.Failure => "failure",
        _ => "unknown",
    };

    public static string DataTypesText(EngagementDataTypes dataTypes) => dataTypes switch
    {
        EngagementDataTypes.Comment => "comment",
        EngagementDataTypes.Reaction => "reaction",
        _ => "comment,reaction",
    };

    /// <summary>The <c>error.type</c> of an exception: its full type name (OpenTelemetry's convention).</summary>
    public static string ErrorType(Exception exception) => exception.GetType().FullName ?? exception.GetType().Name;
}

/// <summary>One kind of request of the API: a low-cardinality name for metrics and the URL template for span names.</summary>
internal sealed record EngagementOperation(string Name, string Template)
{
    public static readonly EngagementOperation CreateWorkbook = new("create_workbook", "/api/workbooks");
    public static readonly EngagementOperation GetTaskStatus = new("get_task_status", "/api/tasks/{task_id}/status");
    public static readonly EngagementOperation GetEngagers = new("get_engagers", "/api/engagers/workbook/{workbook_id}");
    public static readonly EngagementOperation GetContacts = new("get_contacts", "/api/engagers/workbook/{workbook_id}/contacts");
}
