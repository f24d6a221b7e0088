using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Workbooks.Emulator.Tests.TestSupport;
using static Workbooks.Emulator.Tests.TestSupport.ExtrasHttp;

namespace Workbooks.Emulator.Tests;

/// <summary>
/// The seeded database looks like a real one to a client reading it over HTTP: the queues, picklist entries, reports,
/// people and custom records the documentation's examples look for are there, and their values agree with each other.
/// </summary>
public sealed class SeededDatabaseTests(SharedEmulator shared) : IClassFixture<SharedEmulator>
{
    private WorkbooksEmulator Emu => shared.Emulator;

    private async Task<JsonElement[]> RowsAsync(string path, params (string Key, string Value)[] parameters)
    {
        using var client = Client(Emu);
        var (status, json) = await GetJsonAsync(client, WithKey(Emu, path, [("_start", "0"), ("_limit", "5000"), .. parameters]));
        Assert.True(status == HttpStatusCode.OK, $"{path}: HTTP {(int)status} {json}");
        return json.GetProperty("data").EnumerateArray().ToArray();
    }

    private static (string, string)[] Where(string field, string op, string value) => [("_ff[]", field), ("_ft[]", op), ("_fc[]", value)];

    private static string Text(JsonElement row, string field) => row.GetProperty(field).GetString() ?? "";

    // ---------- users ----------

    [Fact]
    public async Task EachUserWhoCanLogInIsAUserRecordAtTheIdRecordsCarryAndNamesTheirCreator()
    {
        var users = await RowsAsync("admin/users.api");
        foreach (var login in Emu.Options.Users)
        {
            var user = Assert.Single(users, u => u.GetProperty("id").GetInt64() == login.UserId);
            Assert.Equal(login.PersonName, Text(user, "person_name"));
            Assert.Equal(login.Username, Text(user, "login_name"));
        }
        Assert.Equal("System", Text(Assert.Single(users, u => u.GetProperty("id").GetInt64() == 1), "person_name"));
        Assert.DoesNotContain(users, u => Text(u, "person_name").Length == 0);

        // Seeded records created by a user who can log in read back naming that user.
        var admin = Emu.Options.Users.Single(u => u.UserId == 2);
        var people = await RowsAsync("crm/people.api", [("_select_columns[]", "created_by"), ("_select_columns[]", "created_by_user[person_name]"), .. Where("created_by", "eq", "2")]);
        Assert.NotEmpty(people);
        Assert.All(people, p => Assert.Equal(admin.PersonName, Text(p, "created_by_user[person_name]")));
    }

    // ---------- queues ----------

    [Theory]
    [InlineData("activity/activity_queues")]
    [InlineData("crm/case_queues")]
    [InlineData("crm/person_queues")]
    public async Task EveryQueueRecordTypeHasOneUnassignedQueueASharedQueueAndEachUsersQueue(string path)
    {
        // The cases example: filter queue_type eq Unassigned and take the first row's id.
        var unassigned = await RowsAsync(path + ".api", [.. Where("queue_type", "eq", "Unassigned")]);
        var all = await RowsAsync(path + ".api");

        var queue = Assert.Single(unassigned);
        Assert.Equal("Unassigned", Text(queue, "name"));
        Assert.True(queue.GetProperty("is_default").GetBoolean());
        Assert.Equal(new[] { "Shared", "Unassigned", "User" }, all.Select(q => Text(q, "queue_type")).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(all, q => Text(q, "queue_type") == "User" && Text(q, "name") == "Ada Admin");
        Assert.Contains(all, q => Text(q, "queue_type") == "User" && Text(q, "name") == "Colin Consultant");
        Assert.Equal(all.Length, all.Select(q => Text(q, "name")).Distinct().Count());
    }

    [Theory]
    [InlineData(0)] // Ada Admin
    [InlineData(1)] // Colin Consultant: his own queues, not the first user's
    public async Task TheQueuesNamedAtLoginAreTheUsersOwnQueues(int key)
    {
        using var wire = new Wire(Emu);
        var login = await wire.LoginAsync(("api_key", Emu.Options.ApiKeys[key].Key));
        var me = login.Json.GetProperty("person_name").GetString()!;
        var myQueues = login.Json.GetProperty("my_queues");

        foreach (var (className, path) in new[] { ("Private::Crm::PersonQueue", "crm/person_queues"), ("Private::Activity::ActivityQueue", "activity/activity_queues") })
        {
            var id = myQueues.GetProperty(className).GetInt64();
            var queue = Assert.Single(await RowsAsync(path + ".api", [.. Where("id", "eq", id.ToString(CultureInfo.InvariantCulture))]));
            Assert.Equal(me, Text(queue, "name"));
            Assert.Equal("User", Text(queue, "queue_type"));
        }
    }

    [Fact]
    public async Task RecordsShowTheNameOfTheQueueTheyAreAssignedTo()
    {
        var queues = (await RowsAsync("crm/case_queues.api")).ToDictionary(q => q.GetProperty("id").GetInt64(), q => Text(q, "name"));
        var cases = await RowsAsync("crm/cases.api", ("_select_columns[]", "assigned_to"), ("_select_columns[]", "queue[name]"));
        var people = await RowsAsync("crm/people.api", ("_select_columns[]", "assigned_to_name"), ("_select_columns[]", "queue[name]"));

        Assert.NotEmpty(cases);
        Assert.All(cases, c => Assert.Equal(queues[c.GetProperty("assigned_to").GetInt64()], Text(c, "queue[name]")));
        Assert.Contains(people, p => Text(p, "queue[name]") == "Unassigned");
        Assert.All(people, p => Assert.Equal(Text(p, "queue[name]"), Text(p, "assigned_to_name")));
    }

    // ---------- a service desk's picklists ----------

    [Theory]
    [InlineData(35, "Case Statuses", "New")]
    [InlineData(35, "Case Statuses", "In progress")]
    [InlineData(36, "Case Sources", "Web")]
    [InlineData(33, "Case Priorities", "Medium")]
    [InlineData(37, "Case Types", "General")]
    [InlineData(5, "Product Categories", "Services")]
    [InlineData(38, "Case Contact Roles", "Primary contact")]
    [InlineData(52, "Vehicle Fuel Types", "Electric")]
    public async Task TheCasesExampleFindsThePicklistEntryItLooksFor(int picklistId, string picklistName, string value)
    {
        var id = picklistId.ToString(CultureInfo.InvariantCulture);
        var entries = await RowsAsync("picklist_data/Private_PicklistEntry/id/value", ("picklist_id", id));
        var picklist = Assert.Single(await RowsAsync("admin/picklists.api", [.. Where("id", "eq", id)]));

        Assert.Equal(picklistName, Text(picklist, "name"));
        Assert.Single(entries, e => Text(e, "value") == value);
    }

    [Fact]
    public async Task ACasesStatusIsAnEntryOfTheCaseStatusesPicklistAndItsStateFollowsIt()
    {
        var statuses = (await RowsAsync("picklist_data/Private_PicklistEntry/id/value", ("picklist_id", "35")))
            .ToDictionary(e => e.GetProperty("id").GetInt64(), e => Text(e, "value"));
        var cases = await RowsAsync("crm/cases.api", ("_select_columns[]", "case_status_id"), ("_select_columns[]", "record_state"));

        Assert.NotEmpty(cases);
        foreach (var c in cases)
        {
            var status = statuses[c.GetProperty("case_status_id").GetInt64()];
            Assert.Equal(status is "Resolved" or "Closed" ? "closed" : "open", Text(c, "record_state"));
        }
        Assert.Contains(cases, c => Text(c, "record_state") == "open");
    }

    [Fact]
    public async Task TheCasesExampleFindsItsContactAndACasesContactDetailsAreItsContacts()
    {
        // "Find someone with the surname 'Dean' and a phone number starting '020'" (the cases example).
        var deans = await RowsAsync("crm/people.api", [.. Where("person_last_name", "eq", "Dean"), .. Where("main_location[telephone]", "bg", "020")]);
        var people = (await RowsAsync("crm/people.api", ("_select_columns[]", "main_location[email]"), ("_select_columns[]", "main_location[telephone]")))
            .ToDictionary(p => p.GetProperty("id").GetInt64());
        var cases = await RowsAsync("crm/cases.api", ("_select_columns[]", "contact_person_id"), ("_select_columns[]", "contact_email"), ("_select_columns[]", "contact_phone_number"));

        Assert.NotEmpty(deans);
        Assert.All(deans, d => Assert.Equal("London", Text(d, "main_location[town]")));
        Assert.All(cases, c =>
        {
            var contact = people[c.GetProperty("contact_person_id").GetInt64()];
            Assert.Equal(Text(contact, "main_location[email]"), Text(c, "contact_email"));
            Assert.Equal(Text(contact, "main_location[telephone]"), Text(c, "contact_phone_number"));
        });
    }

    // ---------- people ----------

    [Fact]
    public async Task AQuickSearchForInitialsWithPunctuationFindsSomeoneAsTheSearchExampleExpects()
    {
        using var client = Client(Emu);

        var (status, json) = await GetJsonAsync(client, WithKey(Emu, "searchables.api", ("search", "J.K."), ("quick_search", "true"), ("_sort", "relevance"), ("_dir", "DESC")));
        var (_, james) = await GetJsonAsync(client, WithKey(Emu, "searchables.api", ("search", "James"), ("_sort", "relevance"), ("_dir", "DESC")));
        var (_, broad) = await GetJsonAsync(client, WithKey(Emu, "searchables.api", ("search", "a b")));

        Assert.Equal(HttpStatusCode.OK, status);
        // The search example fails unless 0 < total < 100 for "J.K." and "James", and total == 100 for "a b".
        Assert.InRange(json.GetProperty("total").GetInt32(), 1, 99);
        Assert.All(json.GetProperty("data").EnumerateArray(), r => Assert.Contains("J.K.", Text(r, "name"), StringComparison.Ordinal));
        Assert.InRange(james.GetProperty("total").GetInt32(), 1, 99);
        Assert.Equal(100, broad.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task PeopleWithInitialsHaveThemAsTheirFirstNameAndAnEmailAddressWithoutThePunctuation()
    {
        var people = await RowsAsync("crm/people.api", [.. Where("person_first_name", "ct", "."),
            ("_select_columns[]", "name"), ("_select_columns[]", "person_first_name"), ("_select_columns[]", "person_last_name"), ("_select_columns[]", "main_location[email]")]);

        Assert.InRange(people.Length, 2, 99);
        Assert.All(people, p =>
        {
            Assert.Matches(@"^([A-Z]\.){2,3}$", Text(p, "person_first_name"));
            Assert.Equal($"{Text(p, "person_first_name")} {Text(p, "person_last_name")}", Text(p, "name"));
            Assert.Matches(@"^[a-z0-9]+\.[a-z0-9]+@[a-z0-9]+\.example$", Text(p, "main_location[email]"));
        });
    }

    [Fact]
    public async Task TelephoneNumbersHaveTheAreaCodeOfTheirTown()
    {
        var codes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["London"] = "020", ["Reading"] = "0118", ["Leeds"] = "0113", ["Manchester"] = "0161", ["Bristol"] = "0117",
            ["Edinburgh"] = "0131", ["Cardiff"] = "029", ["Oxford"] = "01865", ["Cambridge"] = "01223",
        };
        var people = await RowsAsync("crm/people.api", ("_select_columns[]", "main_location[town]"), ("_select_columns[]", "main_location[telephone]"),
            ("_select_columns[]", "main_location[mobile]"), ("_select_columns[]", "main_location[country]"));
        var organisations = await RowsAsync("crm/organisations.api", ("_select_columns[]", "main_location[town]"), ("_select_columns[]", "main_location[telephone]"));

        // UK numbers: an area code then the local number, eleven digits in all (020 7946 0123, 0118 496 0123, 01865 712345).
        var ukNumber = new Regex(@"^(0\d{2} \d{4} \d{4}|0\d{3} \d{3} \d{4}|0\d{4} \d{6})$");
        foreach (var row in people.Concat(organisations))
        {
            var telephone = Text(row, "main_location[telephone]");
            Assert.Matches(ukNumber, telephone);
            if (codes.TryGetValue(Text(row, "main_location[town]"), out var code))
                Assert.StartsWith(code + " ", telephone, StringComparison.Ordinal);
        }
        Assert.True(people.Select(p => Text(p, "main_location[telephone]").Split(' ')[0]).Distinct().Count() >= 8, "numbers from all over the country");
        Assert.All(people, p => Assert.Matches(@"^07\d{3} \d{6}$", Text(p, "main_location[mobile]")));
        Assert.All(people, p => Assert.Equal("United Kingdom", Text(p, "main_location[country]")));
    }

    // ---------- custom records ----------

    [Fact]
    public async Task VehiclesAreCoherent()
    {
        var fuelTypes = (await RowsAsync("picklist_data/Private_PicklistEntry/value/value", ("picklist_id", "52"))).Select(e => Text(e, "value")).ToHashSet();
        var vehicles = await RowsAsync("custom_record/vehicles.api");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        Assert.NotEmpty(vehicles);
        foreach (var v in vehicles)
        {
            var plate = Text(v, "cf_vehicle_registration_plate");
            Assert.Matches(@"^[A-Z]{2}\d{2} [A-HJ-PR-Y]{3}$", plate);
            Assert.EndsWith(" " + plate, Text(v, "name"), StringComparison.Ordinal);
            // The age identifier is a year: "21" from March 2021, "71" from September 2021; never in the future.
            var age = int.Parse(plate[2..4], CultureInfo.InvariantCulture);
            var registeredFrom = age >= 50 ? new DateOnly(2000 + age - 50, 9, 1) : new DateOnly(2000 + age, 3, 1);
            Assert.True(registeredFrom <= today, $"{plate} is registered after today");
            var fuel = Text(v, "cf_vehicle_fuel_type");
            Assert.Contains(fuel, fuelTypes);
            var engine = decimal.Parse(Text(v, "cf_vehicle_engine_size"), CultureInfo.InvariantCulture);
            Assert.True(fuel == "Electric" ? engine == 0 : engine is > 0.5m and < 5m, $"{fuel} engine of {engine} litres");
            var serviced = DateOnly.ParseExact(Text(v, "cf_vehicle_last_service_date").Trim(), "d MMM yyyy", CultureInfo.InvariantCulture);
            Assert.InRange(serviced, registeredFrom.AddDays(-1), today);
            Assert.InRange(v.GetProperty("cf_vehicle_mileage").GetInt64(), 0, 200_000);
        }
        Assert.True(vehicles.Select(v => Text(v, "cf_vehicle_fuel_type")).Distinct().Count() >= 3);
    }

    // ---------- reports ----------

    [Theory]
    [InlineData("Orders per month", 1)]
    [InlineData("Test reports with multiple views", 2)]
    [InlineData("Opportunities Amount vs Date", 1)]
    public async Task TheReportsExampleFindsAReportByNameAndRunsEachOfItsViews(string name, int views)
    {
        var report = Assert.Single(await RowsAsync("reporting/reports.api", [.. Where("name", "eq", name)]));
        var dataViews = await RowsAsync("reporting/data_views.api", [.. Where("report_id", "eq", report.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture))]);

        Assert.True(dataViews.Length >= views, $"{name} has {dataViews.Length} views");
        using var client = Client(Emu);
        foreach (var view in dataViews)
        {
            var (status, json) = await GetJsonAsync(client, WithKey(Emu, $"data_view/{view.GetProperty("id").GetInt64()}/data.api", ("_start", "0"), ("_limit", "5")));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.NotEmpty(json.GetProperty("data").EnumerateArray());
        }
    }

    [Fact]
    public async Task EveryListedDataViewRunsByIdAndByNameAndRanBeforeNow()
    {
        var views = await RowsAsync("reporting/data_views.api");
        var reports = (await RowsAsync("reporting/reports.api")).Select(r => r.GetProperty("id").GetInt64()).ToHashSet();
        using var client = Client(Emu);

        Assert.Contains(views, v => Text(v, "name") == "Opportunities Amount vs Date v2: Summary");
        foreach (var view in views)
        {
            Assert.Contains(view.GetProperty("report_id").GetInt64(), reports);
            var lastRun = DateTime.ParseExact(Text(view, "last_run_at"), "ddd MMM dd HH:mm:ss 'UTC' yyyy", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            Assert.True(lastRun <= DateTime.UtcNow, $"{Text(view, "name")} last ran at {lastRun:u}, after now");
            var (byId, _) = await GetJsonAsync(client, WithKey(Emu, $"data_view/{view.GetProperty("id").GetInt64()}/data.api", ("_start", "0"), ("_limit", "1")));
            var (byName, _) = await GetJsonAsync(client, WithKey(Emu, $"data_view/{Uri.EscapeDataString(Text(view, "name"))}.api", ("_start", "0"), ("_limit", "1")));
            Assert.Equal(HttpStatusCode.OK, byId);
            Assert.Equal(HttpStatusCode.OK, byName);
        }
    }
}

/// <summary>The same seed gives the same database; another seed another one.</summary>
public sealed class SeedDeterminismTests
{
    private static readonly string[] Paths = ["crm/people.api", "crm/cases.api", "crm/case_queues.api", "custom_record/vehicles.api", "reporting/data_views.api", "admin/picklist_entries.api"];

    private static async Task<string[]> ReadAllAsync(int seed, DateTimeOffset now)
    {
        await using var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions
        {
            Seed = seed, PeopleCount = 150, OrganisationCount = 60, OtherRecordCount = 6, TimeProvider = new ExtrasManualClock(now),
        });
        using var client = Client(emulator);
        var bodies = new List<string>();
        foreach (var path in Paths)
        {
            using var response = await client.GetAsync(new Uri(WithKey(emulator, path, ("_start", "0"), ("_limit", "1000"), ("_sort", "id")), UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            bodies.Add(await response.Content.ReadAsStringAsync());
        }
        return [.. bodies];
    }

    [Fact]
    public async Task TheSameSeedAndClockGiveTheSameRecordsAndAnotherSeedOtherOnes()
    {
        var now = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

        var first = await ReadAllAsync(42, now);
        var again = await ReadAllAsync(42, now);
        var other = await ReadAllAsync(43, now);

        Assert.Equal(first, again);
        Assert.NotEqual(first[0], other[0]); // people
        Assert.NotEqual(first[3], other[3]); // vehicles
    }
}
