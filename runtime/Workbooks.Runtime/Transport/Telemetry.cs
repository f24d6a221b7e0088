using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Workbooks.Transport;

/// <summary>
/// The runtime's telemetry names, in one place: the <see cref="System.Diagnostics.ActivitySource"/> and the
/// <see cref="System.Diagnostics.Metrics.Meter"/> (<see cref="RuntimeMetrics"/>) are both named <c>Workbooks.Runtime</c> (OpenTelemetry:
/// <c>AddSource("Workbooks.Runtime")</c>, <c>AddMeter("Workbooks.Runtime")</c>). Tags carry request kinds, controller
/// paths, status codes and outcomes: never a parameter value, a credential or a record's data.
/// </summary>
internal static class Telemetry
{
    public const string Name = "Workbooks.Runtime";

    public static readonly ActivitySource ActivitySource = new(Name, "1.0");

    public static string KindTag(WorkbooksRequestKind kind) => kind switch
    {
        WorkbooksRequestKind.Read => "read",
        WorkbooksRequestKind.Change => "change",
        WorkbooksRequestKind.Login => "login",
        _ => "logout",
    };
}

/// <summary>
/// The runtime's instruments, one set per session: on the meter of <see cref="WorkbooksOptions.MeterFactory"/> when one
/// is given (a host's <see cref="IMeterFactory"/>, which <c>AddWorkbooks</c> passes), else on one static meter shared
/// by every session of the process. Either way the meter is named <c>Workbooks.Runtime</c>.
/// </summary>
internal sealed class RuntimeMetrics
{
    public const string Version = "1.0";

    private static readonly Lazy<RuntimeMetrics> Shared = new(() => new RuntimeMetrics(new Meter(Telemetry.Name, Version)));

    private RuntimeMetrics(Meter meter)
    {
        Meter = meter;
        Requests = meter.CreateCounter<long>("workbooks.requests", "{request}", "HTTP requests sent to the service, each attempt counted.");
        RequestDuration = meter.CreateHistogram<double>("workbooks.request.duration", "s", "Time until the answer's headers, per attempt.");
        Retries = meter.CreateCounter<long>("workbooks.retries", "{retry}", "Requests sent again after a transient failure.");
        DelayingRedirects = meter.CreateCounter<long>("workbooks.redirects.delaying", "{redirect}", "Delaying redirects of the service followed.");
        Relogins = meter.CreateCounter<long>("workbooks.relogins", "{login}", "Sessions re-established transparently after they expired.");
        RecordsRead = meter.CreateCounter<long>("workbooks.records.read", "{record}", "Records read from index answers.");
        RecordsWritten = meter.CreateCounter<long>("workbooks.records.written", "{record}", "Objects of submitted change sets, by outcome.");
    }

    /// <summary>The metrics of a session whose options name <paramref name="meterFactory"/> (null: the shared meter).</summary>
    public static RuntimeMetrics Create(IMeterFactory? meterFactory) =>
        meterFactory is null ? Shared.Value : new RuntimeMetrics(meterFactory.Create(new MeterOptions(Telemetry.Name) { Version = Version }));

    /// <summary>The meter the instruments are on.</summary>
    public Meter Meter { get; }

    /// <summary>HTTP requests sent (each attempt), by request kind and answer status.</summary>
    public Counter<long> Requests { get; }

    /// <summary>How long an attempt took until its answer's headers.</summary>
    public Histogram<double> RequestDuration { get; }

    /// <summary>Attempts repeated after a transient failure.</summary>
    public Counter<long> Retries { get; }

    /// <summary>The service's delaying redirects followed.</summary>
    public Counter<long> DelayingRedirects { get; }

    /// <summary>Sessions re-established after they expired.</summary>
    public Counter<long> Relogins { get; }

    /// <summary>Records read from index answers, by controller path.</summary>
    public Counter<long> RecordsRead { get; }

    /// <summary>Objects of change sets, by controller path, kind and outcome.</summary>
    public Counter<long> RecordsWritten { get; }
}
