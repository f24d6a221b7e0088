using Microsoft.AspNetCore.Http;
using Workbooks.Emulator.Http;
using Workbooks.Emulator.Query;

namespace Workbooks.Emulator.Sessions;

/// <summary>
/// <c>login.api</c>: by api_key, by username + password (with <c>logical_database_id</c> when the user has several
/// databases), or reconnecting with username + session_id + logical_database_id. Every documented failure_reason
/// is reachable through the options (user, database and control settings).
/// </summary>
internal sealed class LoginHandler(WorkbooksService service)
{
    private static readonly Dictionary<string, (int Status, string Message)> Reasons = new(StringComparer.Ordinal)
    {
        ["password_expired"] = (401, "The password must be changed before login will be permitted."),
        ["no_permission_for_api"] = (403, "The user does not have api_access capability."),
        ["login_disabled"] = (401, "The user, or the user's employer's account, has been disabled."),
        ["unrecognised_name_or_password"] = (401, "Either the name or the password was not correct."),
        ["requested_database_not_available"] = (403, "The requested database is not available."),
        ["no_available_database"] = (403, "No database is available for the user."),
        ["database_being_migrated"] = (403, "The selected database has not yet been upgraded. Try again soon."),
        ["database_archived"] = (403, "The database has been archived and is being retrieved. It will be available shortly."),
        ["invalid_application_name"] = (403, "The application name is reserved for internal use by Workbooks."),
        ["session_expired"] = (401, "The session has expired."),
        ["no_session"] = (401, "You do not have a session."),
        ["no_database_selection_made"] = (403, "The user has access to multiple databases; specify logical_database_id."),
        ["user_agent_required"] = (403, "You must provide a User-Agent: HTTP header value."),
        ["client_not_licensed"] = (401, "This client is not licensed."),
        ["licence_expired"] = (401, "Your licence has expired."),
        ["no_licensed_edition"] = (401, "The User has not been allocated a Licensed Edition by the Administrator."),
        ["no_session_found"] = (401, "No suitable session was found to reconnect to."),
        ["client_not_activated"] = (401, "Further security checks are required; an activation email has been sent."),
    };

    public static (int Status, string Message) Describe(string reason) =>
        Reasons.TryGetValue(reason, out var known) ? known : (401, reason.Replace('_', ' '));

    /// <summary>The failure of a documented failure_reason, with the status and message the service gives it.</summary>
    public static Failure Refusal(string reason)
    {
        var (status, message) = Describe(reason);
        return Failure.Refused(status, reason, message);
    }

    public async Task HandleAsync(HttpContext context, RequestParameters p, ResponseStyle style)
    {
        var options = service.Options;
        var userAgent = context.Request.Headers.UserAgent.ToString();
        var now = service.Now;

        Task Fail(string reason, Action<System.Text.Json.Utf8JsonWriter>? extra = null) =>
            FailureWriter.WriteAsync(context, style, Refusal(reason) with { Extra = extra });

        if (service.Control.ForcedLoginFailure is { } forced)
        {
            service.Control.ForcedLoginFailure = null;
            await Fail(forced).ConfigureAwait(false);
            return;
        }
        if (string.IsNullOrWhiteSpace(userAgent) && string.IsNullOrWhiteSpace(p.GetOptional("user_agent")))
        {
            await Fail("user_agent_required").ConfigureAwait(false);
            return;
        }
        var applicationName = p.GetOptional("_application_name") ?? p.GetOptional("application_name");
        if (applicationName is not null && options.ReservedApplicationNames.Contains(applicationName, StringComparer.OrdinalIgnoreCase))
        {
            await Fail("invalid_application_name").ConfigureAwait(false);
            return;
        }

        var apiKey = p.GetOptional("api_key");
        var username = p.GetOptional("username");
        var password = p.GetOptional("password");
        var reconnectId = p.GetOptional("session_id");
        var requestedDb = p.GetOptional("logical_database_id") is { } dbText && int.TryParse(dbText, out var dbId) ? dbId : (int?)null;

        EmulatorUser? user;
        int databaseId;
        if (apiKey is not null)
        {
            var key = options.ApiKeys.FirstOrDefault(k => k.Key == apiKey.Trim());
            user = key is null ? null : options.Users.FirstOrDefault(u => u.Username == key.Username);
            if (key is null || user is null)
            {
                await Fail("unrecognised_name_or_password").ConfigureAwait(false);
                return;
            }
            databaseId = key.DatabaseId;
        }
        else if (username is not null && reconnectId is not null && password is null)
        {
            user = options.Users.FirstOrDefault(u => string.Equals(u.Username, username, StringComparison.OrdinalIgnoreCase));
            var old = service.Sessions.Find(reconnectId);
            if (user is null || old is null || old.User != user || (requestedDb is { } r && r != old.DatabaseId))
            {
                await Fail("no_session_found").ConfigureAwait(false);
                return;
            }
            databaseId = old.DatabaseId;
            service.Sessions.End(old.Id); // reconnection hands out a new session id
        }
        else if (username is not null && password is not null)
        {
            user = options.Users.FirstOrDefault(u => string.Equals(u.Username, username, StringComparison.OrdinalIgnoreCase));
            if (user is null || user.Password != password)
            {
                await Fail("unrecognised_name_or_password").ConfigureAwait(false);
                return;
            }
            if (user.LoginFailureReason is { } userReason)
            {
                await Fail(userReason).ConfigureAwait(false);
                return;
            }
            var available = user.DatabaseIds.Select(service.DatabaseInfo).Where(d => d is not null).Select(d => d!).ToArray();
            if (requestedDb is { } wanted)
            {
                if (!user.DatabaseIds.Contains(wanted) || service.DatabaseInfo(wanted) is null or { Availability: DatabaseAvailability.Unavailable })
                {
                    await Fail("requested_database_not_available").ConfigureAwait(false);
                    return;
                }
                databaseId = wanted;
            }
            else if (available.Length > 1)
            {
                await Fail("no_database_selection_made", w =>
                {
                    w.WriteNumber("default_database_id", user.DefaultDatabaseId ?? available[0].Id);
                    WriteDatabases(w, available);
                }).ConfigureAwait(false);
                return;
            }
            else if (available.Length == 0 || available[0].Availability == DatabaseAvailability.Unavailable)
            {
                await Fail("no_available_database").ConfigureAwait(false);
                return;
            }
            else
            {
                databaseId = available[0].Id;
            }
        }
        else
        {
            await FailureWriter.WriteAsync(context, style, Failure.Rejected(406,
                "Valid login parameter combinations are (api_key), (username, password) or (username, session_id, logical_database_id).")).ConfigureAwait(false);
            return;
        }

        if (user.LoginFailureReason is { } reason2)
        {
            await Fail(reason2).ConfigureAwait(false);
            return;
        }
        var database = service.DatabaseInfo(databaseId);
        switch (database?.Availability)
        {
            case null:
            case DatabaseAvailability.Unavailable:
                await Fail("requested_database_not_available").ConfigureAwait(false);
                return;
            case DatabaseAvailability.BeingMigrated:
                await Fail("database_being_migrated").ConfigureAwait(false);
                return;
            case DatabaseAvailability.Archived:
                await Fail("database_archived").ConfigureAwait(false);
                return;
        }

        var formats = new OutputFormats(p.GetOptional("_json_output_date_format"), p.GetOptional("_json_output_time_format"), p.GetOptional("_json_output_datetime_format"));
        var session = service.Sessions.Create(user, databaseId, id => new Session
        {
            Id = id,
            AuthenticityToken = SessionManager.NewHex(20),
            User = user,
            DatabaseId = databaseId,
            LastActivity = now,
            Pretty = p.GetOptional("json") == "pretty",
            Gzip = userAgent.Contains("gzip", StringComparison.OrdinalIgnoreCase),
            AsciiOnly = p.GetOptional("json_utf8_encoding") == "u4",
            ApplicationName = applicationName ?? FirstWord(userAgent),
            TimeZone = p.GetOptional("_time_zone"),
            PerObjectTransactions = p.GetOptional("_per_object_transactions") is { } pot && WireValues.ParseBoolean(pot),
            StrictAttributeChecking = p.GetOptional("_strict_attribute_checking") is { } sac && WireValues.ParseBoolean(sac),
            Formats = formats,
        });
        style.SessionCookie = session.Id;
        style.Pretty = session.Pretty;
        style.Gzip = session.Gzip || style.Gzip;
        style.AsciiOnly = session.AsciiOnly;
        var databases = user.DatabaseIds.Select(service.DatabaseInfo).Where(d => d is not null).Select(d => d!).ToArray();
        var (personQueue, activityQueue) = OwnQueues(service.GetDatabase(databaseId), user);
        var requestedVersion = p.GetOptional("api_version") ?? p.GetOptional("_api_version") ?? "1";
        await ResponseWriter.WriteJsonAsync(context, 200, style, w =>
        {
            w.WriteStartObject();
            w.WriteString("database_name", database!.Name);
            w.WriteNumber("logical_database_id", databaseId);
            w.WriteNumber("default_database_id", user.DefaultDatabaseId ?? databaseId);
            w.WriteNumber("user_id", user.UserId);
            w.WriteString("version", "Emulator (build 2026.11)");
            w.WriteNumber("api_version", int.TryParse(requestedVersion, out var v) ? v : 1);
            w.WriteString("timezone", session.TimeZone ?? "London");
            WriteDatabases(w, databases);
            w.WriteString("authenticity_token", session.AuthenticityToken);
            w.WriteString("person_name", user.PersonName);
            w.WriteString("login_name", user.Username);
            w.WriteStartObject("my_queues");
            if (personQueue is { } person) w.WriteNumber("Private::Crm::PersonQueue", person);
            if (activityQueue is { } activity) w.WriteNumber("Private::Activity::ActivityQueue", activity);
            w.WriteEndObject();
            w.WriteNumber("database_instance_id", 120000 + databaseId);
            w.WriteString("session_id", session.Id);
            w.WriteBoolean("success", true);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static void WriteDatabases(System.Text.Json.Utf8JsonWriter w, IEnumerable<EmulatorDatabaseInfo> databases)
    {
        w.WriteStartArray("databases");
        foreach (var d in databases)
        {
            w.WriteStartObject();
            w.WriteString("name", d.Name);
            w.WriteNumber("id", d.Id);
            w.WriteString("created_at", "Mon Jan 05 14:30:11 UTC 2009");
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    internal static string? FirstWord(string userAgent)
    {
        var word = userAgent.Split([' ', '/'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return string.IsNullOrEmpty(word) ? null : word;
    }

    /// <summary>
    /// The user's own person and activity queues in the database logged in to (<c>my_queues</c>): the queues of type
    /// <c>User</c> named after the user, as the seeder makes them; absent when the database has none.
    /// </summary>
    private static (long? Person, long? Activity) OwnQueues(EmulatorDatabase database, EmulatorUser user)
    {
        long? Find(string path)
        {
            if (database.TryStore(path) is not { } store)
                return null;
            return store.Rows.FirstOrDefault(q => !q.IsDeleted && q["queue_type"] as string == "User" && q["name"] as string == user.PersonName)?.Id;
        }
        lock (database.Gate)
            return (Find("crm/person_queues"), Find("activity/activity_queues"));
    }
}
