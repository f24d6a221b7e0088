using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Workbooks.Emulator.Changes;
using Workbooks.Emulator.Extras;
using Workbooks.Emulator.Http;
using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;
using Workbooks.Emulator.Sessions;
using Workbooks.Emulator.Storage;

namespace Workbooks.Emulator;

/// <summary>What a request is allowed to do, once authenticated.</summary>
internal sealed record CallContext(EmulatorUser User, EmulatorDatabase Database, Session? Session, OutputFormats Formats, RequestParameters Parameters, string Method);

/// <summary>
/// The emulated Workbooks CRM service: routing, authentication, rate limiting and fault injection in front of the
/// record endpoints of whatever schema snapshot it serves.
/// </summary>
internal sealed class WorkbooksService
{
    private readonly ConcurrentDictionary<int, Lazy<EmulatorDatabase>> _databases = new();
    private readonly ConcurrentDictionary<string, (long Window, int Count)> _rates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Location, TimeSpan Delay)> _delayTickets = new(StringComparer.Ordinal);
    private readonly LoginHandler _login;
    private readonly Lock _schemaChange = new();
    private volatile EmulatorSchema _schema;

    public WorkbooksService(WorkbooksEmulatorOptions options)
    {
        Options = options;
        _schema = EmulatorSchema.Parse(LoadSchemaText(options));
        Control = new EmulatorControl();
        Sessions = new SessionManager(options, Control);
        _login = new LoginHandler(this);
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
            }
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
    }

    private void Migrate(EmulatorDatabase database)
    {
        lock (database.Gate)
            database.MigrateTo(Schema);
    }

    private static string LoadSchemaText(WorkbooksEmulatorOptions options)
    {
        if (options.SchemaJson is { } json)
            return json;
        var path = options.SchemaPath is { } given ? Locate(given) : FindSampleSchema()
            ?? throw new FileNotFoundException("No schema given: set SchemaPath or SchemaJson (schema/sample.types.json was not found above the working directory).");
        return File.ReadAllText(path);
    }

    /// <summary>A relative schema path is looked up from the working directory and then from each of its parents.</summary>
    internal static string Locate(string path)
    {
        if (Path.IsPathRooted(path) || File.Exists(path))
            return path;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()).Parent; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, path);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"The schema snapshot '{path}' was not found (looked in {Directory.GetCurrentDirectory()} and its parents).", path);
    }

    /// <summary>schema/sample.types.json in the repository, found from the working directory or the assembly location.</summary>
    internal static string? FindSampleSchema()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "schema", "sample.types.json");
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        return null;
    }

    public async Task HandleAsync(HttpContext context)
    {
        if (Options.Latency > TimeSpan.Zero)
            await Task.Delay(Options.Latency, context.RequestAborted).ConfigureAwait(false);
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var style = new ResponseStyle { BandwidthBytesPerSecond = Options.BandwidthBytesPerSecond };
        var method = request.Method.ToUpperInvariant();
        RequestParameters? parameters = null;
        var recorded = 0;
        void RecordOnce()
        {
            if (Interlocked.Exchange(ref recorded, 1) != 0) return;
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in new[] { "User-Agent", "Cookie", "Accept-Encoding", "Content-Type" })
                if (request.Headers.TryGetValue(name, out var v)) headers[name] = v.ToString();
            Control.Record(new RecordedRequest(method, path, parameters?.ToPairs() ?? [], context.Response.StatusCode, headers));
        }
        // Recorded as the response starts, before the client can see it, so a test that reads
        // Control.Requests right after its call returns always finds the request.
        context.Response.OnStarting(() => { RecordOnce(); return Task.CompletedTask; });
        try
        {
            parameters = await RequestParameters.ReadAsync(request, context.RequestAborted).ConfigureAwait(false);
            if (parameters.Get("_method") is { Length: > 0 } overridden)
                method = overridden.Trim().ToUpperInvariant();
            style.JsonpCallback = parameters.Get("callback") ?? parameters.Get("jsonp");
            style.Pretty = parameters.Get("json") == "pretty";
            style.AsciiOnly = parameters.Get("json_utf8_encoding") == "u4";
            style.Gzip = request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
            await RouteAsync(context, path, method, parameters, style).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e)
        {
            // Rejected requests, unreadable ones, and defects of the emulator itself (answered with an exception reference).
            await FailureWriter.WriteUnlessStartedAsync(context, style, Failure.From(e)).ConfigureAwait(false);
        }
        finally
        {
            // A request whose response never started (the client went away) is still recorded.
            if (!context.Response.HasStarted) RecordOnce();
        }
    }

    private async Task RouteAsync(HttpContext context, string path, string method, RequestParameters p, ResponseStyle style)
    {
        var (route, extension) = SplitExtension(path.TrimStart('/'));

        if (route.StartsWith("_delay/", StringComparison.Ordinal))
        {
            await DelayAsync(context, route["_delay/".Length..], style).ConfigureAwait(false);
            return;
        }
        if (route == "login")
        {
            if (method is not ("POST" or "PUT"))
                throw new RequestRejectedException(405, "login.api accepts POST.");
            await _login.HandleAsync(context, p, style).ConfigureAwait(false);
            return;
        }
        if (route == "logout")
        {
            if (context.Request.Cookies.TryGetValue("Workbooks-Session", out var sessionId))
                Sessions.End(sessionId);
            await ResponseWriter.RedirectAsync(context, "/", style).ConfigureAwait(false);
            return;
        }

        // Faults that stop a request before it is processed.
        var fault = Control.TakeFault(method, path, k => k is EmulatorFaultKind.ServerError or EmulatorFaultKind.DelayingRedirect
            or EmulatorFaultKind.DropConnection or EmulatorFaultKind.ExpireSession or EmulatorFaultKind.LateDelivery or EmulatorFaultKind.Redirect);
        switch (fault?.Kind)
        {
            case EmulatorFaultKind.ServerError:
                await FailureWriter.WriteAsync(context, style, Failure.InjectedServerError(fault.StatusCode)).ConfigureAwait(false);
                return;
            case EmulatorFaultKind.DelayingRedirect:
                await RedirectToDelayAsync(context, fault.Delay, style).ConfigureAwait(false);
                return;
            case EmulatorFaultKind.DropConnection:
                context.Abort();
                return;
            case EmulatorFaultKind.Redirect:
                await ResponseWriter.RedirectAsync(context, fault.Location ?? "/", style).ConfigureAwait(false);
                return;
            case EmulatorFaultKind.ExpireSession:
                if (context.Request.Cookies.TryGetValue("Workbooks-Session", out var expiring))
                    Control.ExpireSession(expiring);
                break;
            case EmulatorFaultKind.LateDelivery:
                // The request is on its way for longer than the client waits: it is processed whether or not anyone
                // is still listening (deliberately not cancelled by RequestAborted).
                await Task.Delay(fault.Delay, CancellationToken.None).ConfigureAwait(false);
                break;
        }

        var auth = Authenticate(context, p);
        switch (auth)
        {
            case AuthResult.InvalidSession:
                await ResponseWriter.RedirectAsync(context, "/login", style).ConfigureAwait(false);
                return;
            case AuthResult.Failed failed:
                await FailureWriter.WriteAsync(context, style, Failure.Refused(failed.Status, failed.Reason, failed.Message)).ConfigureAwait(false);
                return;
        }
        var ok = (AuthResult.Ok)auth;
        if (ok.Session is { } session)
        {
            style.SessionCookie = session.Id;
            style.Pretty |= session.Pretty;
            style.Gzip |= session.Gzip;
            style.AsciiOnly |= session.AsciiOnly;
        }
        if (Options.RateLimit is { } limit && !TryConsumeRate(ok.RateKey, limit))
        {
            await RedirectToDelayAsync(context, limit.Delay, style).ConfigureAwait(false);
            return;
        }

        var formats = ok.Session?.Formats ?? OutputFormats.Default;
        formats = new OutputFormats(
            p.Get("_json_output_date_format") ?? formats.DateFormat,
            p.Get("_json_output_time_format") ?? formats.TimeFormat,
            p.Get("_json_output_datetime_format") ?? formats.DateTimeFormat);
        var call = new CallContext(ok.User, GetDatabase(ok.DatabaseId), ok.Session, formats, p, method);

        // Faults that let the request be processed and then spoil the answer.
        var late = Control.TakeFault(method, path, k => k is EmulatorFaultKind.Slow or EmulatorFaultKind.TruncateResponse or EmulatorFaultKind.DropConnectionAfterProcessing
            or EmulatorFaultKind.ServerErrorAfterProcessing or EmulatorFaultKind.StallBody or EmulatorFaultKind.CorruptGzip or EmulatorFaultKind.MalformedJson
            or EmulatorFaultKind.ReplaceBody);
        switch (late?.Kind)
        {
            case EmulatorFaultKind.Slow: style.SlowBy = late.Delay; break;
            case EmulatorFaultKind.TruncateResponse: style.Truncate = true; break;
            case EmulatorFaultKind.DropConnectionAfterProcessing: style.DropAfterProcessing = true; break;
            case EmulatorFaultKind.ServerErrorAfterProcessing: style.ErrorAfterProcessing = late.StatusCode; break;
            case EmulatorFaultKind.StallBody: style.StallFor = late.Delay; break;
            case EmulatorFaultKind.CorruptGzip: style.CorruptGzip = true; break;
            case EmulatorFaultKind.MalformedJson: style.MalformedJson = true; break;
            case EmulatorFaultKind.ReplaceBody: style.Replacement = late; break;
        }

        await DispatchAsync(context, route, extension, call, style).ConfigureAwait(false);
    }

    private async Task DispatchAsync(HttpContext context, string route, string extension, CallContext call, ResponseStyle style)
    {
        for (var attempt = 1; ; attempt++)
        {
            var schema = Schema;
            // A change may have swapped the schema and not reached this database yet: the request waits for it.
            if (!ReferenceEquals(call.Database.Schema, schema))
                Migrate(call.Database);
            try
            {
                await DispatchAsync(context, route, extension, call, style, schema).ConfigureAwait(false);
                return;
            }
            catch (SchemaChangedException) when (attempt < 3 && !context.Response.HasStarted)
            {
                // The schema changed after the request chose its record type and before it reached the records:
                // nothing was read or changed, so it is served again, whole, with the new schema (the database is
                // brought up to it first, as the change would have done a moment later).
                Migrate(call.Database);
            }
        }
    }

    /// <summary>Serves a request with one schema: every record type it uses is looked up in <paramref name="schema"/>.</summary>
    private async Task DispatchAsync(HttpContext context, string route, string extension, CallContext call, ResponseStyle style, EmulatorSchema schema)
    {
        var extras = new ExtrasHandler(this, schema);
        if (route == "metadata/types")
        {
            RequireRead(call);
            await extras.MetadataAsync(context, call, style).ConfigureAwait(false);
            return;
        }
        if (route.EndsWith("/metadata", StringComparison.Ordinal) && schema.ByControllerPath.TryGetValue(route[..^"/metadata".Length], out var described))
        {
            // <controller>/metadata.api: the one record type's metadata, as metadata/types.api gives it.
            RequireRead(call);
            await extras.MetadataAsync(context, call, style, described).ConfigureAwait(false);
            return;
        }
        if (route.StartsWith("data_view/", StringComparison.Ordinal))
        {
            RequireRead(call);
            await extras.DataViewAsync(context, route["data_view/".Length..], extension, call, style).ConfigureAwait(false);
            return;
        }
        if (route.StartsWith("picklist_data/", StringComparison.Ordinal))
        {
            RequireRead(call);
            await extras.PicklistDataAsync(context, route["picklist_data/".Length..], call, style).ConfigureAwait(false);
            return;
        }
        if (route.StartsWith("upload_files/", StringComparison.Ordinal) && route.EndsWith("/download", StringComparison.Ordinal))
        {
            RequireRead(call);
            await extras.DownloadAsync(context, route["upload_files/".Length..^"/download".Length], call, style).ConfigureAwait(false);
            return;
        }
        if (route == "searchables" && call.Parameters.Get("search") is { } search)
        {
            RequireRead(call);
            await extras.SearchAsync(context, search, call, style).ConfigureAwait(false);
            return;
        }
        if (extension == "pdf")
        {
            RequireRead(call);
            await extras.PdfAsync(context, route, call, style).ConfigureAwait(false);
            return;
        }
        if (!schema.ByControllerPath.TryGetValue(route, out var type))
            throw new RequestRejectedException(404, $"No such resource: /{route}.{extension}");
        if (extension is not ("api" or "json"))
            throw new RequestRejectedException(406, $"The .{extension} format is not available for {type.HumanNamePlural}.");

        var isChange = call.Method == "PUT" || (call.Method == "POST" && call.Parameters.GetArray("__method").Count > 0);
        if (isChange)
        {
            if (call.Session is { } session)
            {
                var token = call.Parameters.Get("_authenticity_token");
                if (token != session.AuthenticityToken)
                {
                    await FailureWriter.WriteAsync(context, style, new Failure(403, "Changes require the session's _authenticity_token.")
                    {
                        Reason = "invalid_authenticity_token",
                        Message = token is null ? "Changes require the session's _authenticity_token." : "The _authenticity_token does not belong to this session.",
                    }).ConfigureAwait(false);
                    return;
                }
            }
            var p = call.Parameters;
            var changeContext = new ChangeContext(call.User,
                call.Session?.ApplicationName ?? p.GetOptional("_application_name") ?? p.GetOptional("application_name") ?? FirstWord(context.Request.Headers.UserAgent.ToString()),
                (p.Get("_per_object_transactions") is { } pot ? WireValues.ParseBoolean(pot) : call.Session?.PerObjectTransactions) ?? false,
                (p.Get("_strict_attribute_checking") is { } sac ? WireValues.ParseBoolean(sac) : call.Session?.StrictAttributeChecking) ?? false,
                call.Formats, Now);
            // The body is rendered into a buffer before anything is sent, so a rejected request still answers 406 cleanly.
            await ResponseWriter.WriteJsonAsync(context, 200, style,
                w => ChangeHandler.Write(w, type, p, call.Database, changeContext, Options.MaxObjectsPerRequest)).ConfigureAwait(false);
            return;
        }
        if (call.Method is "GET" or "POST")
        {
            var page = IndexQuery.Run(type, call.Parameters, call.Database, Options, Now);
            ApplyChurn(type, call.Database);
            var now = Now;
            await ResponseWriter.WriteJsonAsync(context, 200, style, w => WriteIndex(w, page, call.Formats, now)).ConfigureAwait(false);
            return;
        }
        if (call.Method == "DELETE")
            throw new RequestRejectedException(405, "Delete records with a PUT request carrying __method[]=DELETE.");
        throw new RequestRejectedException(501, $"The HTTP method {call.Method} is not implemented.");
    }

    internal static void WriteIndex(Utf8JsonWriter w, IndexPage page, OutputFormats formats, DateTime now)
    {
        w.WriteStartObject();
        w.WriteStartArray("data");
        foreach (var row in page.Rows)
        {
            w.WriteStartObject();
            for (var i = 0; i < page.Columns.Count; i++)
            {
                w.WritePropertyName(page.Columns[i].Name);
                ValueText.Write(w, page.Columns[i].Kind, row[i], formats, now);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("flash", "");
        w.WriteBoolean("success", true);
        w.WriteNumber("total", page.Total);
        w.WriteStartObject("updates");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void RequireRead(CallContext call)
    {
        if (call.Method is not ("GET" or "POST"))
            throw new RequestRejectedException(405, $"This resource does not allow {call.Method}.");
    }

    private void ApplyChurn(RecordTypeDef type, EmulatorDatabase database)
    {
        if (Control.Churn is not { } churn || churn.ControllerPath != type.ControllerPath)
            return;
        if (database.TryStore(type.ControllerPath) is null)
            return; // the schema changed and no longer has the type
        var random = new Random(churn.Seed + (int)(database.ChangeRequestCount % 1000) + Control.Requests.Count);
        var ids = database.Ids(type.ControllerPath);
        Dictionary<string, string?> Values()
        {
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (churn.Values is { } pool)
            {
                foreach (var (field, choices) in pool)
                    values[field] = choices[random.Next(choices.Count)];
            }
            if (!values.ContainsKey("name"))
                values["name"] = string.Create(CultureInfo.InvariantCulture, $"Churned {type.HumanName} {random.Next()}");
            return values;
        }
        for (var i = 0; i < churn.DeletesPerRequest && ids.Count > 0; i++)
            database.Delete(type.ControllerPath, ids[random.Next(ids.Count)]);
        for (var i = 0; i < churn.UpdatesPerRequest && ids.Count > 0; i++)
        {
            var id = ids[random.Next(ids.Count)];
            for (var c = 0; c < churn.ChangesPerUpdate; c++)
                database.Update(type.ControllerPath, id, Values());
        }
        for (var i = 0; i < churn.InsertsPerRequest; i++)
            database.Insert(type.ControllerPath, Values());
    }

    private AuthResult Authenticate(HttpContext context, RequestParameters p)
    {
        if (p.GetOptional("api_key") is { } apiKey)
        {
            var key = Options.ApiKeys.FirstOrDefault(k => k.Key == apiKey.Trim());
            var user = key is null ? null : Options.Users.FirstOrDefault(u => u.Username == key.Username);
            if (key is null || user is null)
                return new AuthResult.Failed(401, "unrecognised_name_or_password", "The API key was not recognised.");
            if (user.LoginFailureReason is { } reason)
            {
                var (status, message) = LoginHandler.Describe(reason);
                return new AuthResult.Failed(status, reason, message);
            }
            var info = DatabaseInfo(key.DatabaseId);
            if (info is null || info.Availability != DatabaseAvailability.Available)
            {
                var reason2 = info?.Availability switch
                {
                    DatabaseAvailability.BeingMigrated => "database_being_migrated",
                    DatabaseAvailability.Archived => "database_archived",
                    _ => "requested_database_not_available",
                };
                var (status, message) = LoginHandler.Describe(reason2);
                return new AuthResult.Failed(status, reason2, message);
            }
            return new AuthResult.Ok(user, key.DatabaseId, null, "key:" + key.Key);
        }
        if (context.Request.Cookies.TryGetValue("Workbooks-Session", out var sessionId) && sessionId.Length > 0)
            return Sessions.Resolve(sessionId, Now);
        return new AuthResult.Failed(401, "no_session", "You do not have a session.");
    }

    private bool TryConsumeRate(string key, EmulatorRateLimit limit)
    {
        var window = Options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        var allowed = true;
        _rates.AddOrUpdate(key, _ => (window, 1), (_, current) =>
        {
            if (current.Window != window)
                return (window, 1);
            allowed = current.Count < limit.PermitsPerSecond;
            return allowed ? (window, current.Count + 1) : current;
        });
        return allowed;
    }

    private Task RedirectToDelayAsync(HttpContext context, TimeSpan delay, ResponseStyle style)
    {
        var ticket = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        _delayTickets[ticket] = (context.Request.Path + context.Request.QueryString, delay);
        return ResponseWriter.RedirectAsync(context, "/_delay/" + ticket, style);
    }

    /// <summary>The delaying URL: hold the client, then send it back to where it was going.</summary>
    private async Task DelayAsync(HttpContext context, string ticket, ResponseStyle style)
    {
        if (!_delayTickets.TryRemove(ticket, out var entry))
            throw new RequestRejectedException(404, "This delaying URL has expired.");
        await Task.Delay(entry.Delay, context.RequestAborted).ConfigureAwait(false);
        await ResponseWriter.RedirectAsync(context, entry.Location, style).ConfigureAwait(false);
    }

    private static (string Route, string Extension) SplitExtension(string path)
    {
        var slash = path.LastIndexOf('/');
        var dot = path.LastIndexOf('.');
        if (dot > slash && dot < path.Length - 1)
        {
            var extension = path[(dot + 1)..];
            if (extension.Length is >= 3 and <= 6 && extension.All(char.IsAsciiLetterOrDigit))
                return (path[..dot], extension.ToLowerInvariant());
        }
        return (path, "api");
    }

    private static string? FirstWord(string userAgent) =>
        userAgent.Split([' ', '/'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
}
