using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Workbooks.Emulator.Engagement;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator;

/// <summary>
/// A faithful emulator of the Workbooks CRM API (and of the engagement-extraction API) served by Kestrel on
/// 127.0.0.1. Start one per test class: <c>await using var emu = await WorkbooksEmulator.StartAsync();</c>.
/// </summary>
public sealed class WorkbooksEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WorkbooksService _service;

    private WorkbooksEmulator(WebApplication app, WorkbooksService service, EngagementEmulator engagement, Uri baseAddress)
    {
        _app = app;
        _service = service;
        Engagement = engagement;
        BaseAddress = baseAddress;
    }

    /// <summary>The base address, e.g. <c>http://127.0.0.1:41234/</c>. Endpoints such as <c>crm/people.api</c> are relative to it.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The first configured API key (it belongs to the first user and database).</summary>
    public string ApiKey => _service.Options.ApiKeys[0].Key;

    /// <summary>Every API key the emulator accepts.</summary>
    public IReadOnlyList<EmulatorApiKey> ApiKeys => (IReadOnlyList<EmulatorApiKey>)_service.Options.ApiKeys;

    /// <summary>The users that can log in with a username and password.</summary>
    public IReadOnlyList<EmulatorUser> Users => (IReadOnlyList<EmulatorUser>)_service.Options.Users;

    /// <summary>The options the emulator runs with (defaults applied).</summary>
    public WorkbooksEmulatorOptions Options => _service.Options;

    /// <summary>Control knobs: fault injection, forced session expiry, concurrent changes, counters.</summary>
    public EmulatorControl Control => _service.Control;

    /// <summary>The emulated engagement-extraction API served by the same host.</summary>
    public EngagementEmulator Engagement { get; }

    /// <summary>Direct access to a database's records, for arranging and asserting in tests.</summary>
    public EmulatorDatabase Database(int logicalDatabaseId) => _service.GetDatabase(logicalDatabaseId);

    /// <summary>The first configured database (the one <see cref="ApiKey"/> opens).</summary>
    public EmulatorDatabase DefaultDatabase => _service.GetDatabase(_service.Options.ApiKeys[0].DatabaseId);

    /// <summary>
    /// Changes the schema while the emulator runs, keeping the data, as when an administrator adds, removes or retypes
    /// custom fields (or record types) in the real service. <paramref name="schemaJson"/> is a <c>/metadata/types.api</c>
    /// snapshot, in the same form as <see cref="WorkbooksEmulatorOptions.SchemaJson"/>.
    /// </summary>
    /// <remarks>
    /// <para>From the moment this returns, <c>metadata/types.api</c>, <c>&lt;controller&gt;/metadata.api</c> and every
    /// index and change request use the new schema, in every database. Requests running meanwhile see either the old
    /// schema or the new one, never a mixture (a request that chose its record type before the change and reaches
    /// the records after it is served again with the new schema).</para>
    /// <para>Record types are matched by <c>controller_path</c> and fields by name. A record type in both schemas keeps
    /// its records as they were: same ids, <c>lock_version</c>, <c>updated_at</c> and <c>is_deleted</c> (the change
    /// does not touch records, as adding a custom field does not in the real service), and new records continue the
    /// ids after the highest one. A new record type starts empty (it is not seeded); a record type the new schema lacks
    /// is dropped with its records. A field in both keeps its value; a new field starts as null in existing records,
    /// whatever its <c>default_value</c> (which applies to records created afterwards); a removed field's values are
    /// dropped; a field whose datatype changed keeps its value converted by rendering it as the old field and parsing
    /// that text as the new field (integer 42 becomes decimal 42), or null when the text is not a valid value of the
    /// new datatype. New picklists get no entries.</para>
    /// </remarks>
    /// <param name="schemaJson">The new snapshot: the whole response body of <c>metadata/types.api</c> or a bare array of record types.</param>
    /// <exception cref="System.Text.Json.JsonException">The text is not JSON; nothing changed.</exception>
    /// <exception cref="InvalidDataException">The JSON is not a types snapshot; nothing changed.</exception>
    public void ChangeSchema(string schemaJson)
    {
        ArgumentNullException.ThrowIfNull(schemaJson);
        _service.ChangeSchema(Schema.EmulatorSchema.Parse(schemaJson));
    }

    /// <summary>
    /// <see cref="ChangeSchema"/> with a snapshot file. A relative path is looked up from the working directory and
    /// then from each of its parents, as <see cref="WorkbooksEmulatorOptions.SchemaPath"/> is.
    /// </summary>
    /// <param name="schemaPath">The snapshot file, e.g. <c>schema/sample-v2.types.json</c>.</param>
    /// <exception cref="FileNotFoundException">The file was not found; nothing changed.</exception>
    public void ChangeSchemaFromFile(string schemaPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(schemaPath);
        ChangeSchema(File.ReadAllText(SchemaSource.Locate(schemaPath)));
    }

    /// <summary>Starts an emulator on 127.0.0.1 (port 0 unless <see cref="WorkbooksEmulatorOptions.Port"/> is set).</summary>
    public static Task<WorkbooksEmulator> StartAsync(WorkbooksEmulatorOptions? options = null, CancellationToken cancellationToken = default)
        => StartAsync(options, urls: null, cancellationToken);

    internal static async Task<WorkbooksEmulator> StartAsync(WorkbooksEmulatorOptions? options, string? urls, CancellationToken cancellationToken)
    {
        options ??= new WorkbooksEmulatorOptions();
        options.ApplyDefaults();
        var service = new WorkbooksService(options);
        var engagement = new EngagementEmulator(options.Engagement, options.TimeProvider);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            if (urls is null)
                kestrel.Listen(IPAddress.Loopback, options.Port);
        });
        if (urls is not null)
            builder.WebHost.UseUrls(urls);
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(form =>
        {
            form.ValueCountLimit = 1_000_000;
            form.KeyLengthLimit = 8192;
            form.ValueLengthLimit = 64 * 1024 * 1024;
            form.MultipartBodyLengthLimit = 64 * 1024 * 1024;
        });

        var app = builder.Build();
        app.Run(async context =>
        {
            if (await engagement.TryHandleAsync(context).ConfigureAwait(false))
                return;
            await service.HandleAsync(context).ConfigureAwait(false);
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return new WorkbooksEmulator(app, service, engagement, baseAddress);
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
