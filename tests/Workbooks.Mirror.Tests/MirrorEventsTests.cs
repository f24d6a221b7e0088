using Microsoft.Extensions.Logging;
using Workbooks.Emulator;

namespace Workbooks.Mirror.Tests;

/// <summary>What a service that hosts the mirror sees: ILogger events and progress reports, with no secret in them.</summary>
public sealed class MirrorEventsTests
{
    [Fact]
    public async Task APassLogsItsEventsAndReportsProgressAfterEachBatch()
    {
        await using var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 250, OrganisationCount = 5, OtherRecordCount = 1 });
        await using var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = emulator.BaseAddress, ApiKey = emulator.ApiKey, AllowInsecureLoopback = true });
        var directory = Directory.CreateTempSubdirectory("mirror-events-").FullName;
        try
        {
            var logger = new ListLogger();
            var progress = new List<MirrorProgress>();
            var options = new MirrorOptions { BatchSize = 100, Progress = new SynchronousProgress(progress.Add) };
            options.Types.Add("people");
            var mirror = new WorkbooksMirror(session, MirrorTarget.Sqlite(Path.Combine(directory, "crm.db")), options, logger);

            await mirror.SyncAsync();
            emulator.DefaultDatabase.Delete("crm/people", emulator.DefaultDatabase.Ids("crm/people")[0]);
            await mirror.SyncAsync();

            Assert.Equal([1, 3, 4, 6, 5], logger.Events.Select(e => e.Id).Distinct());
            Assert.Contains(logger.Events, e => e.Id == 4 && e.Message.StartsWith("Loaded crm_people: 250 records", StringComparison.Ordinal));
            Assert.Contains(logger.Events, e => e.Id == 5 && e.Message == "Synced crm_people: 0 upserted, 1 deleted");
            Assert.DoesNotContain(logger.Events, e => e.Message.Contains(emulator.ApiKey, StringComparison.Ordinal));
            var loading = progress.Where(p => p.Phase == MirrorPhase.Loading).ToList();
            Assert.Equal([100L, 200, 250], loading.Select(p => p.Records)); // one report per committed batch
            Assert.All(loading, p => Assert.Equal(250, p.Expected));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private sealed class SynchronousProgress(Action<MirrorProgress> report) : IProgress<MirrorProgress>
    {
        public void Report(MirrorProgress value) => report(value);
    }

    private sealed class ListLogger : ILogger<WorkbooksMirror>
    {
        public List<(int Id, LogLevel Level, string Message)> Events { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Events)
                Events.Add((eventId.Id, logLevel, formatter(state, exception)));
        }
    }
}
