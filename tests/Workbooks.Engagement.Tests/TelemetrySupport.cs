using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Workbooks.Engagement.Tests;

/// <summary>A log event as written: category, level, event, message and every value of its state.</summary>
internal sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> State, Exception? Exception);

/// <summary>Records every log event of every category, at every level (also usable as a provider of a container's factory).</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory, ILoggerProvider
{
    public ConcurrentQueue<CapturedLog> Logs { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    public IReadOnlyList<CapturedLog> Of(string category) => Logs.Where(l => l.Category == category).ToList();

    private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            owner.Logs.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), values.ToList(), exception));
        }
    }
}

/// <summary>An <see cref="IMeterFactory"/> whose meters name it as their scope, so a listener hears only its own.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public int Created
    {
        get
        {
            lock (_meters)
                return _meters.Count;
        }
    }

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, this);
        lock (_meters)
            _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (var meter in _meters)
                meter.Dispose();
            _meters.Clear();
        }
    }
}

/// <summary>A measurement heard, with the trace that was current where it was recorded.</summary>
internal sealed record Measured(string Meter, object? Scope, string Instrument, double Value, KeyValuePair<string, object?>[] Tags, ActivityTraceId? TraceId);

/// <summary>Hears the instruments of the meters the filter accepts.</summary>
internal sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener _listener = new();

    public MeasurementRecorder(Func<Meter, bool> accept)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (accept(instrument.Meter))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    public ConcurrentQueue<Measured> Measurements { get; } = new();

    public IEnumerable<Measured> Of(string instrument, params (string Key, object? Value)[] tags)
        => Measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.Any(x => x.Key == t.Key && Equals(x.Value, t.Value))));

    public double Sum(string instrument, params (string Key, object? Value)[] tags) => Of(instrument, tags).Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        => Measurements.Enqueue(new Measured(instrument.Meter.Name, instrument.Meter.Scope, instrument.Name, value, tags.ToArray(), Activity.Current?.TraceId));
}

/// <summary>Records the activities of a source stopped within one trace (listeners are process-wide; tests run in parallel).</summary>
internal sealed class ActivityRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly List<Activity> _stopped = [];

    public ActivityRecorder(string source)
    {
        Parent = new Activity("test").Start();
        var trace = Parent.TraceId;
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId != trace)
                    return;
                lock (_stopped)
                    _stopped.Add(activity);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The test's own root: operations started while it is current belong to its trace.</summary>
    public Activity Parent { get; }

    public IReadOnlyList<Activity> Stopped
    {
        get
        {
            lock (_stopped)
                return [.. _stopped];
        }
    }

    public void Dispose()
    {
        Parent.Stop();
        _listener.Dispose();
    }
}

internal static class Secrets
{
    /// <summary>Every text of the logs, activities and measurements in which <paramref name="secret"/> must not appear.</summary>
    public static IEnumerable<(string Where, string Text)> Texts(IEnumerable<CapturedLog> logs, IEnumerable<Activity> activities, IEnumerable<Measured> measurements)
    {
        foreach (var log in logs)
        {
            yield return ($"log {log.EventId} message", log.Message);
            foreach (var (key, value) in log.State)
                yield return ($"log {log.EventId} state {key}", key + "=" + Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
            if (log.Exception is { } e)
                yield return ($"log {log.EventId} exception", e.ToString());
        }
        foreach (var activity in activities)
        {
            yield return ($"activity {activity.DisplayName} name", activity.DisplayName + " " + activity.OperationName + " " + activity.StatusDescription);
            foreach (var (key, value) in activity.TagObjects)
                yield return ($"activity {activity.DisplayName} tag {key}", key + "=" + Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
            foreach (var e in activity.Events)
                yield return ($"activity {activity.DisplayName} event", e.Name + string.Join(",", e.Tags.Select(t => t.Key + "=" + t.Value)));
            foreach (var (key, value) in activity.Baggage)
                yield return ($"activity {activity.DisplayName} baggage", key + "=" + value);
        }
        foreach (var m in measurements)
        {
            yield return ($"instrument {m.Instrument}", m.Instrument);
            foreach (var (key, value) in m.Tags)
                yield return ($"instrument {m.Instrument} tag {key}", key + "=" + Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public static void AssertAbsent(string secret, IEnumerable<CapturedLog> logs, IEnumerable<Activity> activities, IEnumerable<Measured> measurements)
    {
        foreach (var (where, text) in Texts(logs, activities, measurements))
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"The secret appears in {where}: {text}");
    }
}
