// The quick start: the generated client for schema/sample.types.json against the embedded emulator, or against a real
// service when WORKBOOKS_SERVICE and WORKBOOKS_API_KEY are set.
#pragma warning disable CA2007 // an application: no ConfigureAwait needed
using System.Diagnostics;
using Sample.Crm;
using Workbooks;
using Workbooks.Changes;
using Workbooks.Query;
using Workbooks.Emulator;

var clock = Stopwatch.StartNew();
var service = Environment.GetEnvironmentVariable("WORKBOOKS_SERVICE");
var apiKey = Environment.GetEnvironmentVariable("WORKBOOKS_API_KEY");
WorkbooksEmulator? emulator = null;
if (string.IsNullOrEmpty(service) || string.IsNullOrEmpty(apiKey))
{
    emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 2_000, OrganisationCount = 1_000 });
    service = emulator.BaseAddress.ToString();
    apiKey = emulator.ApiKey;
    Console.WriteLine($"Using the embedded Workbooks emulator at {service} (set WORKBOOKS_SERVICE and WORKBOOKS_API_KEY to use a real service).");
}
else
{
    Console.WriteLine($"Using the Workbooks service at {service}.");
}

try
{
    // 1. Connect.
    await using var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions
    {
        Service = new Uri(service),
        ApiKey = apiKey,
        AllowInsecureLoopback = emulator is not null,
        ApplicationName = "QuickStart",
    });
    var crm = new SampleCrm(session);
    Section($"1. Connected to database {session.LogicalDatabaseId} \"{session.DatabaseName}\"");

    // 2. A typed query: association filter + boolean expression, compiled to the service's _fm syntax.
    // A projection asks only for the fields it reads (here five, one through the employer association).
    var query = crm.People
        .Where(p => p.PersonLastName.StartsWith("G") && (p.Employer.Name.Contains("Ltd") || !p.MainLocation.Email.IsBlank()))
        .OrderBy(p => p.PersonLastName).ThenBy(p => p.Id)
        .Take(8)
        .Select(p => new { p.Id, p.Name, p.MainLocation.Email, p.MainLocation.Town, Employer = p.Employer.Name });
    Section("2. People named G… who work for a Ltd or have an e-mail address");
    Console.WriteLine($"   request: {query}");
    Table(["Id", "Name", "Email", "Town", "Employer"],
        (await query.ToListAsync()).Select(p => new[] { p.Id.ToString(), p.Name ?? "", p.Email ?? "", p.Town ?? "", p.Employer ?? "" }));

    // 3. Page through every organisation (keyset paging: no skips, no duplicates), with progress.
    Section("3. Paging through all organisations");
    var total = await crm.Organisations.CountAsync();
    long seen = 0;
    var byIndustry = new Dictionary<string, int>();
    await foreach (var organisation in crm.Organisations.PageSize(200))
    {
        seen++;
        var industry = organisation.Industry?.Value ?? "(none)";   // a picklist value: IndustriesPicklist.Healthcare, …
        byIndustry[industry] = byIndustry.GetValueOrDefault(industry) + 1;
        if (seen % 200 == 0 || seen == total)
            Console.Write($"\r   {Bar(seen, total)} {seen}/{total}");
    }
    Console.WriteLine();
    Table(["Industry", "Organisations"], byIndustry.OrderByDescending(kv => kv.Value).Take(5).Select(kv => new[] { kv.Key, kv.Value.ToString() }));

    // 4. A change set: create, update, delete in one request; then a lock_version conflict, handled.
    Section("4. Changes");
    var batch = crm.Organisations.Changes();
    var created = batch.Create(new Organisation { Name = "Ada Analytics Ltd", OrganisationNumEmployees = 12 });
    var victims = await crm.Organisations.OrderByDescending(o => o.Id).Take(2).ToListAsync();
    var renamed = victims[0];
    renamed.Name += " (renamed)";
    batch.Update(renamed);
    batch.Delete(victims[1]);
    var result = await batch.SubmitAsync();
    Table(["Change", "Id", "Outcome", "Lock version"], result.Results.Select(r => new[] { r.Kind.ToString(), r.Record.Id.ToString(), r.Outcome.ToString(), r.Record.LockVersion.ToString() }));

    var stale = (await crm.Organisations.FindAsync(created.Id))!;
    var other = (await crm.Organisations.FindAsync(created.Id))!;
    other.Website = "www.someone-else.example";
    await Submit(crm, other);                          // another user saves first…
    stale.Website = "www.ada-analytics.example";
    try
    {
        await Submit(crm, stale);                      // …so our copy is stale
    }
    catch (WorkbooksConcurrencyException conflict)
    {
        Console.WriteLine($"   conflict: {conflict.Result.Failures.First()}");
        var fresh = (await crm.Organisations.FindAsync(created.Id))!;
        fresh.Website = "www.ada-analytics.example";
        await Submit(crm, fresh);
        Console.WriteLine($"   reloaded and saved again: lock_version {fresh.LockVersion}, website {fresh.Website}");
    }

    // 5. Delta sync: everything changed since a cursor, deletions included.
    Section("5. Delta sync");
    var cursor = new DeltaCursor(DeltaPosition.Since(DateTimeOffset.UtcNow.AddMinutes(-1)));
    Table(["Id", "Name", "Deleted"],
        await ToRowsAsync(crm.Organisations.ChangesSinceAsync(cursor), o => [o.Id.ToString(), o.Name ?? "", (o.IsDeleted ?? false) ? "yes" : ""]));
    Console.WriteLine($"   cursor now at {cursor.Current.UpdatedAt:u} (+{cursor.Current.Seen.Count} versions read at or after it)");

    // 6. A report, downloaded as CSV.
    Section("6. Report \"People by town\" as CSV");
    using (var report = await session.OpenReportCsvAsync("People by town"))
    using (var reader = new StreamReader(report.Content))
    {
        var lines = 0;
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null)
        {
            if (lines++ < 4) Console.WriteLine($"   {line}");
        }
        Console.WriteLine($"   … {lines - 1} rows");
    }

    Console.WriteLine();
    Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:0.0} s.");
    return 0;
}
finally
{
    if (emulator is not null)
        await emulator.DisposeAsync();
}

static async Task Submit(SampleCrm crm, Organisation organisation)
{
    var changes = crm.Organisations.Changes();
    changes.Update(organisation);
    await changes.SubmitAsync();
}

static async Task<List<string[]>> ToRowsAsync<T>(IAsyncEnumerable<T> source, Func<T, string[]> row)
{
    var rows = new List<string[]>();
    await foreach (var item in source) rows.Add(row(item));
    return rows;
}

static void Section(string title)
{
    Console.WriteLine();
    Console.WriteLine(title);
}

static string Bar(long done, long total)
{
    var filled = total == 0 ? 20 : (int)(20 * done / total);
    return "[" + new string('#', filled) + new string('.', 20 - filled) + "]";
}

static void Table(string[] headers, IEnumerable<string[]> rows)
{
    var all = rows.ToList();
    var widths = headers.Select((h, i) => Math.Min(40, Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length)))).ToArray();
    string Line(string[] cells) => "   " + string.Join("  ", cells.Select((c, i) => (c.Length > widths[i] ? c[..(widths[i] - 1)] + "…" : c).PadRight(widths[i])));
    Console.WriteLine(Line(headers));
    Console.WriteLine("   " + string.Join("  ", widths.Select(w => new string('-', w))));
    foreach (var row in all)
        Console.WriteLine(Line(row));
    if (all.Count == 0)
        Console.WriteLine("   (none)");
}
