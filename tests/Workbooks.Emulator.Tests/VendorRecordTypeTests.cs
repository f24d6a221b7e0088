using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Workbooks.Emulator.Tests.TestSupport;
using static Workbooks.Emulator.Tests.TestSupport.Filters;

namespace Workbooks.Emulator.Tests;

/// <summary>A small emulator on a clock that moves only when told (import jobs move on with time).</summary>
public sealed class VendorEmulatorFixture : IAsyncLifetime
{
    public ExtrasManualClock Clock { get; } = new(new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero));

    public WorkbooksEmulator Emulator { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 50, OrganisationCount = 20, TimeProvider = Clock });

    public async Task DisposeAsync() => await Emulator.DisposeAsync();
}

/// <summary>
/// The record types of the vendor's examples that the sample snapshot used to lack, and what the service does with
/// them (notes §2, §3.7, §3.11, §3.18–§3.21, §5), as a client sees it on the wire: an accounting year brings its
/// periods, an e-mail to send is sent, an import job scheduled with API_QUEUED is queued and runs, a mailshot brings
/// its mailing list, exchange rates cannot be changed, and sales tax rulesets resolve a place to a tax code.
/// </summary>
public sealed class VendorRecordTypeTests : IClassFixture<VendorEmulatorFixture>, IDisposable
{
    private const string ExchangeRateMessage = "Update or Delete Operation not supported for Exchange Rates";

    private readonly VendorEmulatorFixture _fixture;
    private readonly WorkbooksEmulator _emu;
    private readonly Wire _wire;

    public VendorRecordTypeTests(VendorEmulatorFixture fixture)
    {
        _fixture = fixture;
        _emu = fixture.Emulator;
        _wire = new Wire(_emu, "Vendor plugin/1.0");
        _wire.LoginAsync(("api_key", _emu.ApiKey)).GetAwaiter().GetResult();
    }

    public void Dispose() => _wire.Dispose();

    private static string S(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static DateOnly Date(JsonElement row, string field) =>
        DateOnly.ParseExact(row.GetProperty(field).GetString()!.Trim(), "d MMM yyyy", CultureInfo.InvariantCulture);

    private async Task<WireResponse> ChangeAsync(string path, string method, long id, long lockVersion, params (string Field, string Value)[] fields) =>
        await _wire.PutAsync(path + ".api",
            [("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", S(id)), ("__method[]", method), ("id[]", S(id)), ("lock_version[]", S(lockVersion)),
             .. fields.Select(f => (f.Field + "[]", f.Value))]);

    private async Task<JsonElement> CreateAsync(string path, params (string Field, string Value)[] fields)
    {
        var response = await ChangeAsync(path, "POST", 0, 0, fields);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(response.Json.GetProperty("success").GetBoolean(), response.Body);
        return response.Json.GetProperty("affected_objects")[0];
    }

    private async Task<JsonElement[]> ReadAsync(string path, string field, string criteria, params string[] columns)
    {
        var page = await _wire.GetAsync(path + ".api", [.. Page(0, 100), .. Where((field, "eq", criteria)), .. Select(["id", "lock_version", .. columns]), ("_sort", "id"), ("_dir", "ASC")]);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        return page.Data;
    }

    private async Task<JsonElement> ReadOneAsync(string path, long id, params string[] columns) =>
        Assert.Single(await ReadAsync(path, "id", S(id), columns));

    private static void AssertRefused(WireResponse response, string message)
    {
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.False(response.Json.GetProperty("success").GetBoolean(), response.Body);
        Assert.Equal(message, response.Json.GetProperty("failures")[0].GetString());
        var info = response.Json.GetProperty("affected_object_information")[0];
        Assert.False(info.GetProperty("success").GetBoolean());
        Assert.Equal(message, info.GetProperty("errors").GetProperty("base").GetString());
    }

    // ---------- the record types ----------

    [Theory]
    [InlineData("accounting/accounting_years")]
    [InlineData("accounting/accounting_periods")]
    [InlineData("accounting/exchange_rates")]
    [InlineData("accounting/sales_tax_rulesets")]
    [InlineData("automation/web_actions")]
    [InlineData("automation/scheduled_actions")]
    [InlineData("email/mailing_lists")]
    [InlineData("email/mailing_list_entries")]
    [InlineData("email/integrated_mailshots")]
    [InlineData("email/emails")]
    [InlineData("crm/online_activities")]
    [InlineData("import/imp_jobs")]
    [InlineData("activity/activity_links")]
    public async Task EveryRecordTypeOfTheVendorsExamplesIsServedAndDescribed(string path)
    {
        var page = await _wire.GetAsync(path + ".api", [.. Page(0, 5), .. Select("id", "lock_version")]);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.True(page.Total > 0, page.Body); // seeded

        var metadata = await _wire.GetAsync(path + "/metadata.api");
        Assert.Equal(HttpStatusCode.OK, metadata.Status);
        Assert.Equal(path, Assert.Single(metadata.Data).GetProperty("controller_path").GetString());
    }

    [Fact]
    public async Task AnActivityLinkAndAMailingListEntryAreCreatedWithTheFieldsTheExamplesSend()
    {
        var link = await CreateAsync("activity/activity_links", ("activity_id", "1"), ("activity_type", "Private::Activity::Task"),
            ("resource_id", "2"), ("resource_type", "Private::Crm::SalesLead"));
        Assert.Equal("Private::Crm::SalesLead", link.GetProperty("resource_type").GetString());

        var list = await CreateAsync("email/mailing_lists", ("name", "Vendor newsletter"), ("description", "Monthly"));
        var entry = await CreateAsync("email/mailing_list_entries", ("mailing_list_id", S(list.GetProperty("id").GetInt64())),
            ("party_or_lead_id", "3"), ("party_or_lead_type", "Private::Crm::Person"), ("subscribed", "true"));
        var read = await ReadOneAsync("email/mailing_list_entries", entry.GetProperty("id").GetInt64(), "mailing_list_id", "subscribed");
        Assert.Equal(list.GetProperty("id").GetInt64(), read.GetProperty("mailing_list_id").GetInt64());
        Assert.True(read.GetProperty("subscribed").GetBoolean());

        // Without the required member the create fails, as the snapshot's flags say.
        var failed = await ChangeAsync("email/mailing_list_entries", "POST", 0, 0, ("mailing_list_id", S(list.GetProperty("id").GetInt64())));
        Assert.False(failed.Json.GetProperty("success").GetBoolean(), failed.Body);
        Assert.Equal("can't be blank", failed.Json.GetProperty("errors").GetProperty("[]").GetProperty("party_or_lead_id").GetString());
    }

    // ---------- accounting years and periods ----------

    private async Task<(long Id, DateOnly From, DateOnly Thru, JsonElement[] Periods)> CreateYearAsync(string name, string style, string position)
    {
        var year = await CreateAsync("accounting/accounting_years", ("name", name), ("year_style", style), ("year_position", position));
        var id = year.GetProperty("id").GetInt64();
        var periods = await ReadAsync("accounting/accounting_periods", "accounting_year_id", S(id), "name", "from_date", "thru_date", "sub_period", "full_name", "accounting_year_id");
        return (id, Date(year, "from_date"), Date(year, "thru_date"), periods);
    }

    private async Task<(DateOnly FirstFrom, DateOnly LastThru)> YearSpanAsync()
    {
        var years = (await _wire.GetAsync("accounting/accounting_years.api", [.. Page(0, 100), .. Select("id", "from_date", "thru_date")])).Data;
        return (years.Min(y => Date(y, "from_date")), years.Max(y => Date(y, "thru_date")));
    }

    private static void AssertContiguous(JsonElement[] periods, DateOnly from, DateOnly thru)
    {
        Assert.Equal(from, Date(periods[0], "from_date"));
        Assert.Equal(thru, Date(periods[^1], "thru_date"));
        for (var i = 1; i < periods.Length; i++)
            Assert.Equal(Date(periods[i - 1], "thru_date").AddDays(1), Date(periods[i], "from_date"));
        Assert.Equal(Enumerable.Range(1, periods.Length).Select(i => (long)i), periods.Select(p => p.GetProperty("sub_period").GetInt64()));
    }

    [Fact]
    public async Task AnAccountingYearOfQuartersComesAfterTheLastYearWithFourContiguousPeriods()
    {
        var (_, lastThru) = await YearSpanAsync();

        var (id, from, thru, periods) = await CreateYearAsync("FY quarters", "Quarters", "After Last");

        Assert.Equal(lastThru.AddDays(1), from);
        Assert.Equal(from.AddYears(1).AddDays(-1), thru);
        Assert.Equal(4, periods.Length);
        AssertContiguous(periods, from, thru);
        Assert.All(periods, p => Assert.Equal(id, p.GetProperty("accounting_year_id").GetInt64()));
        Assert.Equal(["Q1", "Q2", "Q3", "Q4"], periods.Select(p => p.GetProperty("name").GetString()!).ToArray());
        Assert.Equal(from.AddMonths(3), Date(periods[1], "from_date"));
        Assert.Equal("FY quarters Q1", periods[0].GetProperty("full_name").GetString());
    }

    [Fact]
    public async Task AnAccountingYearOfCalendarMonthsHasTwelveMonthlyPeriods()
    {
        var (_, from, thru, periods) = await CreateYearAsync("FY months", "Calendar Months", "After Last");

        Assert.Equal(12, periods.Length);
        AssertContiguous(periods, from, thru);
        for (var i = 0; i < 12; i++)
            Assert.Equal(from.AddMonths(i), Date(periods[i], "from_date"));
    }

    [Fact]
    public async Task AFourFourFiveYearHasTwelvePeriodsOfFourFourAndFiveWeeks()
    {
        var (_, from, thru, periods) = await CreateYearAsync("FY 445", "4-4-5 week pattern", "After Last");

        Assert.Equal(12, periods.Length);
        AssertContiguous(periods, from, thru);
        var weeks = periods.Select(p => (Date(p, "thru_date").DayNumber - Date(p, "from_date").DayNumber + 1) / 7.0).ToArray();
        Assert.Equal([4.0, 4, 5, 4, 4, 5, 4, 4, 5, 4, 4, 5], weeks);
        Assert.Equal(from.AddDays(363), thru);
    }

    [Fact]
    public async Task AYearBeforeTheFirstEndsTheDayBeforeTheFirstYearBegins()
    {
        var (firstFrom, _) = await YearSpanAsync();

        var (_, from, thru, periods) = await CreateYearAsync("FY earliest", "Quarters", "Before First");

        Assert.Equal(firstFrom.AddDays(-1), thru);
        Assert.Equal(firstFrom.AddYears(-1), from);
        AssertContiguous(periods, from, thru);
    }

    [Fact]
    public async Task OnlyTheNameOfAnAccountingYearOrPeriodCanBeChanged()
    {
        var (id, _, _, periods) = await CreateYearAsync("FY renamed", "Quarters", "After Last");
        var year = await ReadOneAsync("accounting/accounting_years", id, "year_style");

        var restyle = await ChangeAsync("accounting/accounting_years", "PUT", id, year.GetProperty("lock_version").GetInt64(), ("year_style", "Calendar Months"));
        Assert.False(restyle.Json.GetProperty("success").GetBoolean(), restyle.Body);
        Assert.Equal("cannot be changed", restyle.Json.GetProperty("errors").GetProperty("[]").GetProperty("year_style").GetString());

        var period = periods[0];
        var redate = await ChangeAsync("accounting/accounting_periods", "PUT", period.GetProperty("id").GetInt64(), period.GetProperty("lock_version").GetInt64(), ("from_date", "2040-01-01"));
        Assert.False(redate.Json.GetProperty("success").GetBoolean(), redate.Body);
        Assert.Equal("cannot be changed", redate.Json.GetProperty("errors").GetProperty("[]").GetProperty("from_date").GetString());

        var rename = await ChangeAsync("accounting/accounting_periods", "PUT", period.GetProperty("id").GetInt64(), period.GetProperty("lock_version").GetInt64(), ("name", "First quarter"));
        Assert.True(rename.Json.GetProperty("success").GetBoolean(), rename.Body);
        Assert.Equal("First quarter", (await ReadOneAsync("accounting/accounting_periods", period.GetProperty("id").GetInt64(), "name")).GetProperty("name").GetString());
        Assert.Equal("Quarters", (await ReadOneAsync("accounting/accounting_years", id, "year_style")).GetProperty("year_style").GetString());
    }

    [Fact]
    public async Task AnAccountingYearInsertedIntoTheDatabaseGetsItsPeriodsToo()
    {
        var id = _emu.DefaultDatabase.Insert("accounting/accounting_years", new Dictionary<string, string?> { ["name"] = "FY inserted", ["year_style"] = "quarters" });

        var year = await ReadOneAsync("accounting/accounting_years", id, "from_date", "thru_date", "year_style");
        Assert.Equal("Quarters", year.GetProperty("year_style").GetString());
        var periods = await ReadAsync("accounting/accounting_periods", "accounting_year_id", S(id), "from_date", "thru_date", "sub_period");
        Assert.Equal(4, periods.Length);
        AssertContiguous(periods, Date(year, "from_date"), Date(year, "thru_date"));
    }

    [Theory]
    [InlineData("accounting/accounting_years")]
    [InlineData("accounting/accounting_periods")]
    public async Task TheMetadataSaysOnlyTheNameOfAnAccountingYearOrPeriodIsUpdateable(string path)
    {
        var type = Assert.Single((await _wire.GetAsync(path + "/metadata.api")).Data);

        var updateable = type.GetProperty("fields").EnumerateArray().Where(f => f.GetProperty("is_updateable").GetBoolean()).Select(f => f.GetProperty("name").GetString()!).ToArray();

        Assert.Equal(["name"], updateable);
    }

    [Fact]
    public async Task SeededAccountingYearsFollowEachOtherAndHaveTheirPeriods()
    {
        var years = (await _wire.GetAsync("accounting/accounting_years.api", [.. Page(0, 100), .. Where(("created_through", "eq", "Seed")), .. Select("id", "from_date", "thru_date", "year_style"), ("_sort", "from_date"), ("_dir", "ASC")])).Data;
        Assert.NotEmpty(years);
        for (var i = 1; i < years.Length; i++)
            Assert.Equal(Date(years[i - 1], "thru_date").AddDays(1), Date(years[i], "from_date"));
        foreach (var year in years)
        {
            var periods = await ReadAsync("accounting/accounting_periods", "accounting_year_id", S(year.GetProperty("id").GetInt64()), "from_date", "thru_date", "sub_period");
            Assert.Equal(year.GetProperty("year_style").GetString() == "Quarters" ? 4 : 12, periods.Length);
            AssertContiguous(periods, Date(year, "from_date"), Date(year, "thru_date"));
        }
    }

    // ---------- exchange rates ----------

    [Fact]
    public async Task AnExchangeRateCannotBeUpdated()
    {
        var rate = await CreateAsync("accounting/exchange_rates", ("base_currency", "GBP"), ("term_currency", "EUR"), ("exchange_rate", "1.51"), ("from_date", "2026-01-01"));
        var id = rate.GetProperty("id").GetInt64();

        var update = await ChangeAsync("accounting/exchange_rates", "PUT", id, rate.GetProperty("lock_version").GetInt64(), ("name", "Changed"));

        AssertRefused(update, ExchangeRateMessage);
        var read = await ReadOneAsync("accounting/exchange_rates", id, "exchange_rate", "name");
        Assert.Equal(rate.GetProperty("lock_version").GetInt64(), read.GetProperty("lock_version").GetInt64());
        Assert.NotEqual("Changed", read.GetProperty("name").GetString());
    }

    [Fact]
    public async Task AnExchangeRateCannotBeDeleted()
    {
        var rate = await CreateAsync("accounting/exchange_rates", ("base_currency", "GBP"), ("term_currency", "USD"), ("exchange_rate", "1.27"), ("from_date", "2026-02-01"));
        var id = rate.GetProperty("id").GetInt64();

        var delete = await ChangeAsync("accounting/exchange_rates", "DELETE", id, rate.GetProperty("lock_version").GetInt64());

        AssertRefused(delete, ExchangeRateMessage);
        Assert.Single(await ReadAsync("accounting/exchange_rates", "id", S(id)));
    }

    // ---------- e-mail ----------

    [Fact]
    public async Task AnEmailToSendIsSentWithItsMimeMessage()
    {
        var email = await CreateAsync("email/emails", ("status", "SEND"), ("from_address", "sales@example.com"),
            ("to_addresses", "jim@example.com, ann@example.com"), ("subject", "Your quotation"));
        var id = email.GetProperty("id").GetInt64();
        Assert.Equal("SEND", email.GetProperty("status").GetString()); // the create's own answer: not delivered yet

        var read = await ReadOneAsync("email/emails", id, "status", "rfc822");

        Assert.Equal("SENT", read.GetProperty("status").GetString());
        Assert.True(read.GetProperty("lock_version").GetInt64() > email.GetProperty("lock_version").GetInt64(), "delivery is a save");
        var message = read.GetProperty("rfc822").GetString()!;
        Assert.Contains("--mimepart", message, StringComparison.Ordinal);
        Assert.Contains("To: jim@example.com, ann@example.com\r\n", message, StringComparison.Ordinal);
        Assert.Contains("Subject: Your quotation\r\n", message, StringComparison.Ordinal);
        Assert.Contains("Content-Type: multipart/alternative", message, StringComparison.Ordinal);
        Assert.EndsWith("--\r\n", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADraftStaysADraftUntilItIsUpdatedToSend()
    {
        var email = await CreateAsync("email/emails", ("status", "DRAFT"), ("from_address", "sales@example.com"), ("to_addresses", "jim@example.com"),
            ("render_with_template_name", "Invoice"), ("render_with_placeholders", "{\"credits_used\":42}"));
        var id = email.GetProperty("id").GetInt64();

        var draft = await ReadOneAsync("email/emails", id, "status", "rfc822");
        Assert.Equal("DRAFT", draft.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, draft.GetProperty("rfc822").ValueKind);
        Assert.Equal("DRAFT", (await ReadOneAsync("email/emails", id, "status")).GetProperty("status").GetString());

        var send = await ChangeAsync("email/emails", "PUT", id, draft.GetProperty("lock_version").GetInt64(), ("status", "SEND"));
        Assert.True(send.Json.GetProperty("success").GetBoolean(), send.Body);

        var sent = await ReadOneAsync("email/emails", id, "status", "rfc822");
        Assert.Equal("SENT", sent.GetProperty("status").GetString());
        Assert.Contains("'Invoice'", sent.GetProperty("rfc822").GetString(), StringComparison.Ordinal);
    }

    // ---------- import jobs ----------

    [Fact]
    public async Task ACustomFieldCreatedInTheBackgroundIsPendingUntilDoneAndKeepsTheLockVersionOfTheCreate()
    {
        // The vendor's custom field example: create with _asynchronous_cf=true, poll status until Available, then
        // update with the lock_version of the create's answer, in the background again, and delete with the update's.
        (string, string)[] Fields(string method, long id, long lockVersion, params (string Field, string Value)[] fields) =>
            [("_asynchronous_cf", "true"), ("__method[]", method), ("id[]", S(id)), ("lock_version[]", S(lockVersion)),
             .. (method == "POST" ? Array.Empty<(string, string)>() : [("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", S(id))]),
             .. fields.Select(f => (f.Field + "[]", f.Value))];
        var created = await _wire.PutAsync("admin/custom_fields.api", Fields("POST", 0, 0,
            ("title", "Background checkbox"), ("resource_type", "Private::Crm::Person"), ("data_type", "boolean")));
        Assert.True(created.Json.GetProperty("success").GetBoolean(), created.Body);
        var answer = created.Json.GetProperty("affected_objects")[0];
        var id = answer.GetProperty("id").GetInt64();
        var lockVersion = answer.GetProperty("lock_version").GetInt64();
        Assert.Equal("Pending", answer.GetProperty("status").GetString());
        Assert.Equal("Pending", (await ReadOneAsync("admin/custom_fields", id, "status")).GetProperty("status").GetString());

        _fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        var done = await ReadOneAsync("admin/custom_fields", id, "status");
        Assert.Equal("Available", done.GetProperty("status").GetString());
        Assert.Equal(lockVersion, done.GetProperty("lock_version").GetInt64()); // finishing in the background is not a save
        Assert.Single(await ReadAsync("admin/custom_fields", "status", "available", "status"), f => f.GetProperty("id").GetInt64() == id);

        var updated = await _wire.PutAsync("admin/custom_fields.api", Fields("PUT", id, lockVersion, ("string_width", "100")));
        Assert.True(updated.Json.GetProperty("success").GetBoolean(), updated.Body);
        var afterUpdate = updated.Json.GetProperty("affected_objects")[0];
        Assert.Equal("Pending", (await ReadOneAsync("admin/custom_fields", id, "status")).GetProperty("status").GetString());
        _fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("Available", (await ReadOneAsync("admin/custom_fields", id, "status")).GetProperty("status").GetString());

        var deleted = await ChangeAsync("admin/custom_fields", "DELETE", id, afterUpdate.GetProperty("lock_version").GetInt64());
        Assert.True(deleted.Json.GetProperty("success").GetBoolean(), deleted.Body);
    }

    [Fact]
    public async Task FieldsTheVendorsExamplesWriteOrFilterOnAreWritableAndFilterable()
    {
        // action_example: script_name on create; opportunity_line_items: home_currency on create; import_example:
        // descriptor bg 'Products '; campaign_example: member_name on a membership.
        var action = await CreateAsync("automation/web_actions", ("title", "Hello"), ("name", "hello_user"), ("script_id", "1"), ("script_name", "Hello User"));
        Assert.Equal("Hello User", (await ReadOneAsync("automation/web_actions", action.GetProperty("id").GetInt64(), "script_name")).GetProperty("script_name").GetString());
        var scheduled = await CreateAsync("automation/scheduled_actions", ("title", "Nightly"), ("name", "post_xml"), ("script_id", "2"), ("script_name", "Post XML"));
        Assert.Equal("Post XML", (await ReadOneAsync("automation/scheduled_actions", scheduled.GetProperty("id").GetInt64(), "script_name")).GetProperty("script_name").GetString());

        var filtered = await _wire.GetAsync("import/imp_jobs.api", [.. Page(0, 100), .. Where(("descriptor", "bg", "Products ")), .. Select("id", "descriptor")]);
        Assert.Equal(HttpStatusCode.OK, filtered.Status);
        Assert.NotEmpty(filtered.Data); // seeded jobs import products, people and organisations
        Assert.All(filtered.Data, j => Assert.StartsWith("Products ", j.GetProperty("descriptor").GetString(), StringComparison.Ordinal));

        var metadata = await _wire.GetAsync("metadata/types.api", [("class_names[]", "Private::Crm::OpportunityLineItem"), ("class_names[]", "Private::Crm::CampaignMembership")]);
        var createable = metadata.Data.SelectMany(t => t.GetProperty("fields").EnumerateArray())
            .Where(f => f.GetProperty("name").GetString() is "home_currency" or "member_name")
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("is_createable").GetBoolean());
        Assert.Equal(new Dictionary<string, bool> { ["home_currency"] = true, ["member_name"] = true }, createable);
    }

    [Fact]
    public async Task AProjectTaskBelongsToItsProjectAndTakesAStatusOfTheProjectsOwnPicklist()
    {
        // The vendor's project example: a project, its task-status picklist, then a task of the project.
        var project = await CreateAsync("project/projects", ("name", "Website relaunch"), ("project_currency", "GBP"));
        var picklist = (await ReadOneAsync("project/projects", project.GetProperty("id").GetInt64(), "task_statuses_picklist_id")).GetProperty("task_statuses_picklist_id").GetInt64();
        var status = (await ReadAsync("admin/picklist_entries", "picklist_id", S(picklist), "value"))[1].GetProperty("value").GetString()!;

        var task = await CreateAsync("activity/project_tasks", ("name", "Test Project Task"), ("activity_status", status),
            ("parent_record_id", S(project.GetProperty("id").GetInt64())), ("parent_record_type", "Private::Project::Project"));
        var read = await ReadOneAsync("activity/project_tasks", task.GetProperty("id").GetInt64(), "name", "activity_status", "parent_record_id", "parent_record_type");
        Assert.Equal(status, read.GetProperty("activity_status").GetString());
        Assert.Equal(project.GetProperty("id").GetInt64(), read.GetProperty("parent_record_id").GetInt64());
        Assert.Equal("Private::Project::Project", read.GetProperty("parent_record_type").GetString());

        var renamed = await ChangeAsync("activity/project_tasks", "PUT", task.GetProperty("id").GetInt64(), read.GetProperty("lock_version").GetInt64(), ("name", "Updated Project Task"));
        Assert.True(renamed.Json.GetProperty("success").GetBoolean(), renamed.Body);
    }

    private async Task<JsonElement> CreateImportJobAsync()
    {
        var csv = Convert.ToBase64String(Encoding.UTF8.GetBytes("name,email\r\nAda Lovelace,ada@example.com\r\n"));
        return await CreateAsync("import/imp_jobs", ("create_with_import_type", "People"), ("based_on_previous_import", "true"), ("imp_profile_id", "1"),
            ("imp_file[file]", $"[data:text/csv;base64,{csv},people.csv]"));
    }

    private async Task<JsonElement> ScheduleAsync(JsonElement job)
    {
        var id = job.GetProperty("id").GetInt64();
        var current = await ReadOneAsync("import/imp_jobs", id, "status");
        var schedule = await ChangeAsync("import/imp_jobs", "PUT", id, current.GetProperty("lock_version").GetInt64(),
            ("status", "API_QUEUED"), ("auto_approve", "true"), ("suppress_notification", "true"));
        Assert.True(schedule.Json.GetProperty("success").GetBoolean(), schedule.Body);
        return schedule.Json.GetProperty("affected_objects")[0];
    }

    [Fact]
    public async Task AnImportJobScheduledWithApiQueuedIsQueuedThenRunsAndCompletes()
    {
        var job = await CreateImportJobAsync();
        var id = job.GetProperty("id").GetInt64();
        Assert.StartsWith("People ", job.GetProperty("descriptor").GetString(), StringComparison.Ordinal);
        Assert.Equal("people.csv", job.GetProperty("imp_file[file_name]").GetString());
        Assert.Equal("NEW", job.GetProperty("status").GetString());

        var scheduled = await ScheduleAsync(job);
        Assert.Equal("QUEUED", scheduled.GetProperty("status").GetString()); // the answer to the update says QUEUED
        var queued = await ReadOneAsync("import/imp_jobs", id, "status");
        Assert.Equal("QUEUED", queued.GetProperty("status").GetString());

        _fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        var running = await ReadOneAsync("import/imp_jobs", id, "status");
        Assert.Equal("RUNNING", running.GetProperty("status").GetString());
        Assert.Equal(queued.GetProperty("lock_version").GetInt64() + 1, running.GetProperty("lock_version").GetInt64());

        _fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        var completed = await ReadOneAsync("import/imp_jobs", id, "status");
        Assert.Equal("COMPLETED", completed.GetProperty("status").GetString());
        Assert.Equal(queued.GetProperty("lock_version").GetInt64() + 2, completed.GetProperty("lock_version").GetInt64());
    }

    [Fact]
    public async Task AScheduledImportJobCannotBeDeletedUntilItHasRun()
    {
        var job = await CreateImportJobAsync();
        var id = job.GetProperty("id").GetInt64();
        var scheduled = await ScheduleAsync(job);

        var delete = await ChangeAsync("import/imp_jobs", "DELETE", id, scheduled.GetProperty("lock_version").GetInt64());

        Assert.False(delete.Json.GetProperty("success").GetBoolean(), delete.Body);
        var message = delete.Json.GetProperty("failures")[0].GetString()!;
        Assert.Contains("cannot be deleted while it is scheduled", message, StringComparison.Ordinal);
        Assert.Single(await ReadAsync("import/imp_jobs", "id", S(id)));

        _fixture.Clock.Advance(TimeSpan.FromSeconds(4));
        var done = await ReadOneAsync("import/imp_jobs", id, "status");
        Assert.Equal("COMPLETED", done.GetProperty("status").GetString());
        var deleted = await ChangeAsync("import/imp_jobs", "DELETE", id, done.GetProperty("lock_version").GetInt64());
        Assert.True(deleted.Json.GetProperty("success").GetBoolean(), deleted.Body);
        Assert.Empty(await ReadAsync("import/imp_jobs", "id", S(id)));
    }

    [Fact]
    public async Task AnUnscheduledImportJobCanBeDeleted()
    {
        var job = await CreateImportJobAsync();

        var delete = await ChangeAsync("import/imp_jobs", "DELETE", job.GetProperty("id").GetInt64(), job.GetProperty("lock_version").GetInt64());

        Assert.True(delete.Json.GetProperty("success").GetBoolean(), delete.Body);
    }

    // ---------- integrated mailshots ----------

    [Fact]
    public async Task AnIntegratedMailshotComesWithItsOwnMailingList()
    {
        var mailshot = await CreateAsync("email/integrated_mailshots", ("name", "Spring offers"), ("from_address", "news@example.com"),
            ("subject", "Spring"), ("mailshot_type", "Refresh Non-Recurring"), ("status", "Draft"), ("sync_with", "GatorMail"), ("refresh_period", "60"));
        Assert.Equal(JsonValueKind.Number, mailshot.GetProperty("mailing_list_id").ValueKind);
        var listId = mailshot.GetProperty("mailing_list_id").GetInt64();

        var list = await ReadOneAsync("email/mailing_lists", listId, "name");
        Assert.Equal("Spring offers mailing list", list.GetProperty("name").GetString());

        var other = await CreateAsync("email/integrated_mailshots", ("name", "Summer offers"), ("sync_with", "GatorMail"));
        Assert.NotEqual(listId, other.GetProperty("mailing_list_id").GetInt64());

        // Adding members to the list does not touch the mailshot (notes §3.19: its lock_version stays).
        await CreateAsync("email/mailing_list_entries", ("mailing_list_id", S(listId)), ("party_or_lead_id", "1"), ("party_or_lead_type", "Private::Crm::Person"));
        var again = await ReadOneAsync("email/integrated_mailshots", mailshot.GetProperty("id").GetInt64(), "mailing_list_id");
        Assert.Equal(mailshot.GetProperty("lock_version").GetInt64(), again.GetProperty("lock_version").GetInt64());
    }

    // ---------- sales tax resolution ----------

    private Task<WireResponse> ResolveAsync(params (string Key, string Value)[] parameters) =>
        _wire.GetAsync("accounting/sales_tax_rulesets/resolve.api", parameters);

    private static Dictionary<long, long?> Resolved(WireResponse response)
    {
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(response.Json.GetProperty("success").GetBoolean(), response.Body);
        return response.Data.ToDictionary(r => r.GetProperty("id").GetInt64(),
            r => r.TryGetProperty("resolved_sales_tax_code_id", out var code) ? code.GetInt64() : (long?)null);
    }

    [Fact]
    public async Task ResolvingWithoutATaxRegimeIsRefused()
    {
        var response = await ResolveAsync(("delivery_country", "United Kingdom"));

        Assert.Equal(HttpStatusCode.NotAcceptable, response.Status);
        Assert.False(response.Json.GetProperty("success").GetBoolean());
        Assert.Contains("tax_regime_id", response.Json.GetProperty("errors").GetProperty("tax_regime_id")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AResolvedCodeComesFromTheFirstMatchingRuleAndIsAbsentWhenNoneMatches()
    {
        var ruleset = await CreateAsync("accounting/sales_tax_rulesets", ("name", "Test regime rules"), ("tax_regime_id", "77"));
        var id = ruleset.GetProperty("id").GetInt64();
        await CreateAsync("accounting/sales_tax_rules", ("sales_tax_ruleset_id", S(id)), ("position", "1"), ("delivery_country", "United Kingdom"), ("delivery_town", "Reading"), ("sales_tax_code_id", "31"));
        await CreateAsync("accounting/sales_tax_rules", ("sales_tax_ruleset_id", S(id)), ("position", "2"), ("delivery_country", "United Kingdom"), ("sales_tax_code_id", "32"));
        await CreateAsync("accounting/sales_tax_rules", ("sales_tax_ruleset_id", S(id)), ("position", "3"), ("customer_country", "France"), ("sales_tax_code_id", "33"));
        (string, string)[] ours = [("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", S(id)), ("tax_regime_id", "77")];

        Assert.Equal(31, Resolved(await ResolveAsync([.. ours, ("delivery_country", "united kingdom"), ("delivery_town", "Reading")]))[id]);
        Assert.Equal(32, Resolved(await ResolveAsync([.. ours, ("delivery_country", "United Kingdom"), ("delivery_town", "Oxford")]))[id]);
        Assert.Equal(33, Resolved(await ResolveAsync([.. ours, ("delivery_country", "Germany"), ("customer_country", "France")]))[id]);
        var none = await ResolveAsync([.. ours, ("delivery_country", "Germany"), ("customer_country", "Germany")]);
        Assert.Null(Resolved(none)[id]);
        Assert.False(Assert.Single(none.Data).TryGetProperty("resolved_sales_tax_code_id", out _), none.Body);

        // Another regime: the ruleset is not answered at all.
        Assert.Empty(Resolved(await ResolveAsync(("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", S(id)), ("tax_regime_id", "78"), ("delivery_country", "United Kingdom"))));
    }

    [Fact]
    public async Task TheSeededRulesetsResolveByDeliveryAndByCustomerAddress()
    {
        var rulesets = (await _wire.GetAsync("accounting/sales_tax_rulesets.api", [.. Page(0, 3), .. Select("id", "name", "tax_regime_id"), ("_sort", "id"), ("_dir", "ASC")])).Data;
        var (ukByDelivery, berkshire, us) = (rulesets[0].GetProperty("id").GetInt64(), rulesets[1].GetProperty("id").GetInt64(), rulesets[2].GetProperty("id").GetInt64());
        Assert.Equal("UK VAT by delivery address", rulesets[0].GetProperty("name").GetString());
        (string, string)[] uk = [("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", $"{ukByDelivery},{berkshire}"), ("tax_regime_id", "1")];

        var delivered = Resolved(await ResolveAsync([.. uk, ("delivery_country", "United Kingdom"), ("delivery_county_province_state", "Oxfordshire"), ("delivery_town", "Oxford")]));
        Assert.Equal(new Dictionary<long, long?> { [ukByDelivery] = 5, [berkshire] = null }, delivered);

        var berkshireCustomer = Resolved(await ResolveAsync([.. uk, ("delivery_country", "Jersey"), ("customer_country", "United Kingdom"), ("customer_county_province_state", "Berkshire")]));
        Assert.Equal(new Dictionary<long, long?> { [ukByDelivery] = 12, [berkshire] = 7 }, berkshireCustomer);

        var newYork = Resolved(await ResolveAsync(("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", S(us)), ("tax_regime_id", "2"),
            ("delivery_country", "United States"), ("delivery_county_province_state", "New York"), ("delivery_town", "Albany")));
        Assert.Equal(23, newYork[us]);
    }
}
