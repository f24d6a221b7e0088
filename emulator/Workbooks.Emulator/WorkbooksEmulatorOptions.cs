using Workbooks.Emulator.Engagement;

namespace Workbooks.Emulator;

/// <summary>Configures a <see cref="WorkbooksEmulator"/>: schema, seed data, credentials, limits and clock.</summary>
public sealed class WorkbooksEmulatorOptions
{
    /// <summary>Path of a captured <c>/metadata/types.api</c> snapshot. Ignored when <see cref="SchemaJson"/> is set.
    /// When neither is set the emulator looks for <c>schema/sample.types.json</c> above the working directory.</summary>
    public string? SchemaPath { get; set; }

    /// <summary>The snapshot text itself, for tests that build a schema in memory.</summary>
    public string? SchemaJson { get; set; }

    /// <summary>Seed of the deterministic data generator. The same seed and schema give the same records.</summary>
    public int Seed { get; set; } = 20091201;

    /// <summary>How many people to seed in each database (1,000 by default, up to 1,000,000).</summary>
    public int PeopleCount { get; set; } = 1000;

    /// <summary>How many organisations to seed in each database (1,000 by default, up to 1,000,000).</summary>
    public int OrganisationCount { get; set; } = 1000;

    /// <summary>
    /// How many records to seed for every other record type. Configuration is seeded as a fixed set whatever this says:
    /// picklists and their entries, queues (each with its "Unassigned" queue), reports and data views, and the users
    /// (those of <see cref="Users"/> at their ids).
    /// </summary>
    public int OtherRecordCount { get; set; } = 25;

    /// <summary>The logical databases the service hosts. Defaults to two: 3 "Sample Database" and 6 "Sample Sandbox".</summary>
    public IList<EmulatorDatabaseInfo> Databases { get; } = new List<EmulatorDatabaseInfo>();

    /// <summary>The users that can log in. Defaults to an administrator with one database and a consultant with two.</summary>
    public IList<EmulatorUser> Users { get; } = new List<EmulatorUser>();

    /// <summary>API keys accepted by the service. Defaults to one key for each default user.</summary>
    public IList<EmulatorApiKey> ApiKeys { get; } = new List<EmulatorApiKey>();

    /// <summary>A session expires after this long without a request (the service uses about eight hours).</summary>
    public TimeSpan SessionInactivityTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>The documented limit of objects in one change request.</summary>
    public int MaxObjectsPerRequest { get; set; } = 100;

    /// <summary>Rows returned when a request gives no <c>_start</c>/<c>_limit</c>.</summary>
    public int DefaultPageSize { get; set; } = 100;

    /// <summary>The largest <c>_limit</c> honoured; larger values are clamped to it.</summary>
    public int MaxPageSize { get; set; } = 10_000;

    /// <summary>Application names the service reserves (login answers <c>invalid_application_name</c>).</summary>
    public IList<string> ReservedApplicationNames { get; } = new List<string> { "Workbooks", "Workbooks Desktop" };

    /// <summary>When set, requests beyond this rate per credential get a delaying 302 redirect.</summary>
    public EmulatorRateLimit? RateLimit { get; set; }

    /// <summary>The clock. Tests pass a controllable <see cref="TimeProvider"/> to move time forward.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// WAN conditions: added to every request before it is handled (a round trip to a distant service), so that
    /// benchmarks show what a user far from the service gets. Zero (the default) adds nothing.
    /// </summary>
    public TimeSpan Latency { get; set; }

    /// <summary>
    /// WAN conditions: the most bytes per second one response body is sent at (null: as fast as loopback goes).
    /// </summary>
    public int? BandwidthBytesPerSecond { get; set; }

    /// <summary>Port to listen on (127.0.0.1 only). 0 picks a free port.</summary>
    public int Port { get; set; }

    /// <summary>Options of the engagement-extraction API that the emulator also serves.</summary>
    public EngagementEmulatorOptions Engagement { get; set; } = new();

    internal void ApplyDefaults()
    {
        if (Databases.Count == 0)
        {
            Databases.Add(new EmulatorDatabaseInfo(3, "Sample Database"));
            Databases.Add(new EmulatorDatabaseInfo(6, "Sample Sandbox"));
        }
        if (Users.Count == 0)
        {
            Users.Add(new EmulatorUser("admin@sample.example", "Adm1n-passw0rd!", "Ada Admin", [3]) { UserId = 2 });
            Users.Add(new EmulatorUser("consultant@sample.example", "C0nsult&nt=pass", "Colin Consultant", [3, 6]) { UserId = 3, DefaultDatabaseId = 3 });
        }
        if (ApiKeys.Count == 0)
        {
            ApiKeys.Add(new EmulatorApiKey(DeterministicApiKey(Seed, 0), Users[0].Username, Users[0].DatabaseIds[0]));
            if (Users.Count > 1)
                ApiKeys.Add(new EmulatorApiKey(DeterministicApiKey(Seed, 1), Users[1].Username, Users[1].DatabaseIds[^1]));
        }
        if (PeopleCount is < 0 or > 1_000_000) throw new ArgumentOutOfRangeException(nameof(PeopleCount), PeopleCount, "Between 0 and 1,000,000 people can be seeded.");
        if (OrganisationCount is < 0 or > 1_000_000) throw new ArgumentOutOfRangeException(nameof(OrganisationCount), OrganisationCount, "Between 0 and 1,000,000 organisations can be seeded.");
        if (MaxObjectsPerRequest < 1) throw new ArgumentOutOfRangeException(nameof(MaxObjectsPerRequest));
    }

    /// <summary>An API key in the documented shape (eight groups of five digits) derived from a seed.</summary>
    public static string DeterministicApiKey(int seed, int index)
    {
        var random = new Random(unchecked(seed * 31 + index));
        return string.Join('-', Enumerable.Range(0, 8).Select(_ => random.Next(0, 100_000).ToString("D5", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>A random API key in the documented shape, for the standalone emulator.</summary>
    public static string RandomApiKey() =>
        string.Join('-', Enumerable.Range(0, 8).Select(_ => System.Security.Cryptography.RandomNumberGenerator.GetInt32(0, 100_000).ToString("D5", System.Globalization.CultureInfo.InvariantCulture)));
}

/// <summary>A logical database hosted by the emulator.</summary>
/// <param name="Id">The <c>logical_database_id</c>.</param>
/// <param name="Name">The <c>database_name</c>.</param>
public sealed record EmulatorDatabaseInfo(int Id, string Name)
{
    /// <summary>Whether logins to this database succeed, or which documented failure they get.</summary>
    public DatabaseAvailability Availability { get; set; } = DatabaseAvailability.Available;
}

/// <summary>The availability states a database can be in, each with its documented login failure.</summary>
public enum DatabaseAvailability
{
    /// <summary>Logins succeed.</summary>
    Available,
    /// <summary><c>403 requested_database_not_available</c> when requested explicitly; skipped otherwise.</summary>
    Unavailable,
    /// <summary><c>403 database_being_migrated</c>.</summary>
    BeingMigrated,
    /// <summary><c>403 database_archived</c>.</summary>
    Archived,
}

/// <summary>A user of the emulated service.</summary>
/// <param name="Username">The login name (an e-mail address).</param>
/// <param name="Password">The password.</param>
/// <param name="PersonName">The display name returned at login.</param>
/// <param name="DatabaseIds">The databases this user may log into.</param>
public sealed record EmulatorUser(string Username, string Password, string PersonName, IReadOnlyList<int> DatabaseIds)
{
    /// <summary>The user id stamped into <c>created_by</c>/<c>updated_by</c>.</summary>
    public int UserId { get; init; } = 2;

    /// <summary>The <c>default_database_id</c> reported at login.</summary>
    public int? DefaultDatabaseId { get; init; }

    /// <summary>When set, every login of this user fails with this documented (or undocumented) reason,
    /// e.g. <c>password_expired</c>, <c>login_disabled</c>, <c>no_permission_for_api</c>, <c>client_not_licensed</c>,
    /// <c>licence_expired</c>, <c>no_licensed_edition</c> or <c>client_not_activated</c>.</summary>
    public string? LoginFailureReason { get; set; }
}

/// <summary>An API key: it identifies a user and a database.</summary>
/// <param name="Key">The key text, e.g. <c>12345-12345-12345-12345-12345-12345-12345-12345</c>.</param>
/// <param name="Username">The user it acts as.</param>
/// <param name="DatabaseId">The database it grants access to.</param>
public sealed record EmulatorApiKey(string Key, string Username, int DatabaseId);

/// <summary>Request-rate limiting by credential, answered with delaying redirects as the service does.</summary>
/// <param name="PermitsPerSecond">Requests per second allowed per API key or session.</param>
/// <param name="Delay">How long the delaying URL holds the client before sending it back.</param>
public sealed record EmulatorRateLimit(int PermitsPerSecond, TimeSpan Delay);
