using System.Globalization;
using System.Net;
using System.Text.Json;
using Workbooks.Emulator.Tests.TestSupport;
using static Workbooks.Emulator.Tests.TestSupport.ExtrasHttp;

namespace Workbooks.Emulator.Tests;

/// <summary>
/// The seeded database looks like a real one to a client reading it over HTTP: the queues and reports the
/// documentation's examples look for are there, and their values agree with each other.
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

    [Fact]
    public async Task TheQueuesNamedAtLoginAreTheUsersOwnQueues()
    {
        using var wire = new Wire(Emu);
        var login = await wire.LoginAsync(("api_key", Emu.ApiKey));
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
