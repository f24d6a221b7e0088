using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Workbooks.Emulator;

namespace Workbooks.Runtime.Tests.Transport;

[CollectionDefinition(nameof(MetricsCollection), DisableParallelization = true)]
public sealed class MetricsCollection;

/// <summary>
/// The Meter named <c>Workbooks.Runtime</c> counts requests, retries, delaying redirects, re-logins, records read and
/// written, and carries no secret in any tag. Runs alone: a MeterListener hears every session of the process.
/// </summary>
[Collection(nameof(MetricsCollection))]
public sealed class MetricsTests
{
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();

        public ConcurrentBag<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> Measurements { get; } = [];

        public Recorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Workbooks.Runtime")
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Measurements.Add((i.Name, v, tags.ToArray())));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Measurements.Add((i.Name, v, tags.ToArray())));
            _listener.Start();
        }

        public double Sum(string instrument, string? tag = null, object? value = null) =>
            Measurements.Where(m => m.Instrument == instrument && (tag is null || m.Tags.Any(t => t.Key == tag && Equals(t.Value, value)))).Sum(m => m.Value);

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task RequestsRetriesRedirectsReloginsAndRecordsAreCountedWithoutSecrets()
    {
        await using var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 250, OrganisationCount = 10, OtherRecordCount = 1 });
        using var recorder = new Recorder();
        await using var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions
        {
            Service = emulator.BaseAddress, ApiKey = emulator.ApiKey, AllowInsecureLoopback = true, RetryDelay = TimeSpan.FromMilliseconds(5), MaxRetryDelay = TimeSpan.FromMilliseconds(10),
        });
        emulator.Control.Inject(new EmulatorFault(EmulatorFaultKind.ServerError) { PathContains = "crm/people", Method = "GET" });
        emulator.Control.Inject(new EmulatorFault(EmulatorFaultKind.DelayingRedirect) { PathContains = "crm/people", Method = "GET", Skip = 1, Delay = TimeSpan.FromMilliseconds(10) });
        emulator.Control.Inject(new EmulatorFault(EmulatorFaultKind.ExpireSession) { PathContains = "crm/people", Method = "GET", Skip = 2 });

        var people = await session.Records("crm/people").PageSize(100).ToListAsync();
        var changes = session.Changes("crm/organisations");
        for (var i = 0; i < 3; i++)
        {
            var record = new WorkbooksRecord();
            record.Set("name", $"Metered {i}");
            changes.Create(record);
        }
        await changes.SubmitAsync();

        Assert.Equal(250, people.Count);
        Assert.Equal(250, recorder.Sum("workbooks.records.read", "workbooks.controller_path", "crm/people"));
        Assert.Equal(3, recorder.Sum("workbooks.records.written", "workbooks.change.outcome", "applied"));
        Assert.Equal(1, recorder.Sum("workbooks.retries"));
        Assert.Equal(2, recorder.Sum("workbooks.redirects.delaying")); // one delaying redirect is two hops: to the delay URL, and back
        Assert.Equal(1, recorder.Sum("workbooks.relogins"));
        Assert.True(recorder.Sum("workbooks.requests", "workbooks.request.kind", "read") >= 6, "3 pages, a retry, a redirect and a replay");
        Assert.Equal(1, recorder.Sum("workbooks.requests", "workbooks.request.kind", "change"));
        Assert.Contains(recorder.Measurements, m => m.Instrument == "workbooks.request.duration" && m.Value > 0);

        var secrets = new[] { emulator.ApiKey, session.SessionId! };
        Assert.All(recorder.Measurements.SelectMany(m => m.Tags), tag => Assert.DoesNotContain(secrets, s => (tag.Value?.ToString() ?? "").Contains(s, StringComparison.Ordinal)));
    }

    private sealed class ScopedMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }

    [Fact]
    public async Task ASessionWithAMeterFactoryCountsOnItsOwnMeterAndNotOnTheSharedOne()
    {
        await using var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 30, OrganisationCount = 5, OtherRecordCount = 1 });
        using var factory = new ScopedMeterFactory();
        var own = new ConcurrentBag<(string Instrument, long Value)>();
        var shared = new ConcurrentBag<(string Instrument, long Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Workbooks.Runtime")
                l.EnableMeasurementEvents(instrument, instrument.Meter.Scope);
        };
        listener.SetMeasurementEventCallback<long>((i, v, _, scope) => (ReferenceEquals(scope, factory) ? own : shared).Add((i.Name, v)));
        listener.Start();

        await using (var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = emulator.BaseAddress, ApiKey = emulator.ApiKey, AllowInsecureLoopback = true, MeterFactory = factory }))
        {
            Assert.Same(factory, session.Options.MeterFactory);
            Assert.Equal(30, (await session.Records("crm/people").ToListAsync()).Count);
        }

        Assert.Equal(30, own.Where(m => m.Instrument == "workbooks.records.read").Sum(m => m.Value));
        Assert.True(own.Count(m => m.Instrument == "workbooks.requests") >= 2); // the login and the page
        Assert.DoesNotContain(shared, m => m.Instrument == "workbooks.records.read" && m.Value == 30);
    }
}
