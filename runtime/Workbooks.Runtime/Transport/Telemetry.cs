using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Workbooks.Transport;

/// <summary>
/// The runtime's telemetry names, in one place: the <see cref="System.Diagnostics.ActivitySource"/> and the
/// <see cref="System.Diagnostics.Metrics.Meter"/> are both named <c>Workbooks.Runtime</c> (OpenTelemetry:
/// <c>AddSource("Workbooks.Runtime")</c>, <c>AddMeter("Workbooks.Runtime")</c>). Tags carry request kinds, controller
/// paths, status codes and outcomes: never a parameter value, a credential or a record's data.
/// </summary>
internal static class Telemetry
{
    public const string Name = "Workbooks.Runtime";

    public static readonly ActivitySource ActivitySource = new(Name, "1.0");

    public static readonly Meter Meter = new(Name, "1.0");

    /// <summary>HTTP requests sent (each attempt), by request kind and answer status.</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("workbooks.requests", "{request}", "HTTP requests sent to the service, each attempt counted.");

    /// <summary>How long an attempt took until its answer's headers.</summary>
    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>("workbooks.request.duration", "s", "Time until the answer's headers, per attempt.");

    /// <summary>Attempts repeated after a transient failure.</summary>
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("workbooks.retries", "{retry}", "Requests sent again after a transient failure.");

    /// <summary>The service's delaying redirects followed.</summary>
    public static readonly Counter<long> DelayingRedirects = Meter.CreateCounter<long>("workbooks.redirects.delaying", "{redirect}", "Delaying redirects of the service followed.");

    /// <summary>Sessions re-established after they expired.</summary>
    public static readonly Counter<long> Relogins = Meter.CreateCounter<long>("workbooks.relogins", "{login}", "Sessions re-established transparently after they expired.");

    /// <summary>Records read from index answers, by controller path.</summary>
    public static readonly Counter<long> RecordsRead = Meter.CreateCounter<long>("workbooks.records.read", "{record}", "Records read from index answers.");

    /// <summary>Objects of change sets, by controller path, kind and outcome.</summary>
    public static readonly Counter<long> RecordsWritten = Meter.CreateCounter<long>("workbooks.records.written", "{record}", "Objects of submitted change sets, by outcome.");

    public static string KindTag(WorkbooksRequestKind kind) => kind switch
    {
        WorkbooksRequestKind.Read => "read",
        WorkbooksRequestKind.Change => "change",
        WorkbooksRequestKind.Login => "login",
        _ => "logout",
    };
}
