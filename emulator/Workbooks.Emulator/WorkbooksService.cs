using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Workbooks.Emulator.Extras;
using Workbooks.Emulator.Faults;
using Workbooks.Emulator.Http;
using Workbooks.Emulator.Query;
using Workbooks.Emulator.Routing;
using Workbooks.Emulator.Schema;
using Workbooks.Emulator.Sessions;
using Workbooks.Emulator.Storage;

namespace Workbooks.Emulator;

/// <summary>
/// The emulated Workbooks CRM service: the schema it serves and its databases, and the request pipeline composed of
/// the network and injected faults (<see cref="FaultInjector"/>), authentication (<see cref="Authenticator"/>), rate
/// limits (<see cref="RateLimiter"/>) and routing (<see cref="Router"/>), every failure answered by
/// <see cref="FailureWriter"/>.
/// </summary>
internal sealed class WorkbooksService
{
    private readonly ConcurrentDictionary<int, Lazy<EmulatorDatabase>> _databases = new();
    private readonly Lock _schemaChange = new();
    private volatile EmulatorSchema _schema;
    private readonly FaultInjector _faults;
    private readonly Authenticator _authentication;
    private readonly RateLimiter _rateLimiter;
    private readonly Router _router;

    public WorkbooksService(WorkbooksEmulatorOptions options)
    {
        Options = options;
        _schema = EmulatorSchema.Parse(SchemaSource.Load(options));
        Control = new EmulatorControl();
        Sessions = new SessionManager(options, Control);
        var delays = new DelayingRedirects();
        _faults = new FaultInjector(options, Control, delays);
        _authentication = new Authenticator(this);
        _rateLimiter = new RateLimiter(options, delays);
        _router = new Router(this, _authentication, delays, new ChurnSimulator(Control));
    }

    public WorkbooksEmulatorOptions Options { get; }
    /// <summary>
    /// The schema served now. It can change while requests run (<see cref="ChangeSchema"/>): read it once per request
    /// and use that snapshot throughout; <see cref="EmulatorDatabase.Store(RecordTypeDef)"/> tells when the records no
    /// longer follow it.
    /// </summary>
    public EmulatorSchema Schema => _schema;
    public EmulatorControl Control { get; }
    public SessionManager Sessions { get; }
    public DateTime Now => Options.TimeProvider.GetUtcNow().UtcDateTime;

    public EmulatorDatabaseInfo? DatabaseInfo(int id) => Options.Databases.FirstOrDefault(d => d.Id == id);

    public EmulatorDatabase GetDatabase(int id)
    {
        var info = DatabaseInfo(id) ?? throw new ArgumentOutOfRangeException(nameof(id), id, "The emulator has no such database.");
        var database = _databases.GetOrAdd(id, _ => new Lazy<EmulatorDatabase>(() =>
        {
            var database = new EmulatorDatabase(info, Schema, Options.TimeProvider);
            lock (database.Gate)
            {
                new Seeder(database, Options).Seed();
                ReportCatalog.Install(database);
                database.Seeded = true;
            }
            database.GrowSchema = growth => GrowSchema(growth);
            return database;
        })).Value;
        // A database created from the schema a change was replacing is brought up to date here, whichever of the
        // change and the creation finished first.
        if (!ReferenceEquals(database.Schema, Schema))
            Migrate(database);
        return database;
    }

    /// <summary>
    /// Serves another schema from now on, keeping the data: every database's stores follow it (under the database's
    /// gate; see <see cref="EmulatorDatabase.MigrateTo"/>). Changes are serialised; each database always moves to the
    /// newest schema, so two changes in a row end with the second.
    /// </summary>
    public void ChangeSchema(EmulatorSchema schema)
    {
        lock (_schemaChange)
            ServeSchema(schema);
    }

    /// <summary><see cref="ChangeSchema"/>'s work; the caller holds the schema-change lock.</summary>
    private void ServeSchema(EmulatorSchema schema)
    {
        var previous = _schema;
        if (ReferenceEquals(previous, schema))
            return;
        _schema = schema;
        foreach (var lazy in _databases.Values)
            Migrate(lazy.Value);
        // Columns resolved for the old record types are of no further use (a request still holding one of those
        // types is served again with the new schema).
        ColumnResolver.Forget(previous.Types);
    }

    /// <summary>
    /// Serves the schema grown by what records created in a database asked for (a custom record type, a custom field).
    /// The emulator has one schema for all its databases, so the growth shows in every one of them.
    /// </summary>
    private void GrowSchema(IReadOnlyList<SchemaGrowth> growth)
    {
        lock (_schemaChange)
            ServeSchema(SchemaGrowth.Grow(Schema, growth));
    }

    /// <summary>Brings a database up to the schema served now.</summary>
    public void Migrate(EmulatorDatabase database)
    {
        lock (database.Gate)
            database.MigrateTo(Schema);
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = new IncomingRequest(context, Options.BandwidthBytesPerSecond);
        var recorder = RequestRecorder.Start(request, Control);
        try
        {
            // Inside: a client that gives up while the request is on its way is handled (and recorded) like any other.
            await _faults.DelayForLatencyAsync(context).ConfigureAwait(false);
            await request.ReadAsync().ConfigureAwait(false);
            await ServeAsync(context, request).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e)
        {
            // Rejected requests, unreadable ones, and defects of the emulator itself (answered with an exception reference).
            await FailureWriter.WriteUnlessStartedAsync(context, request.Style, Failure.From(e)).ConfigureAwait(false);
        }
        finally
        {
            recorder.Finish();
        }
    }

    /// <summary>The pipeline: open routes, faults before processing, authentication, rate limit, faults after processing, routing.</summary>
    private async Task ServeAsync(HttpContext context, IncomingRequest request)
    {
        if (await _router.TryServeWithoutSessionAsync(context, request).ConfigureAwait(false))
            return;
        if (await _faults.TryAnswerBeforeProcessingAsync(context, request).ConfigureAwait(false))
            return;
        if (await _authentication.AuthenticateAsync(context, request).ConfigureAwait(false) is not { } caller)
            return;
        if (!await _rateLimiter.AdmitAsync(context, caller.RateKey, request.Style).ConfigureAwait(false))
            return;
        var call = _authentication.CallFor(caller, request);
        _faults.SpoilAfterProcessing(request);
        await _router.DispatchAsync(context, request, call).ConfigureAwait(false);
    }

    /// <summary>The answer of an index request (see <see cref="IndexQuery.WriteAnswer"/>; the reports use it too).</summary>
    internal static void WriteIndex(Utf8JsonWriter w, IndexPage page, OutputFormats formats, DateTime now) =>
        IndexQuery.WriteAnswer(w, page, formats, now);
}
