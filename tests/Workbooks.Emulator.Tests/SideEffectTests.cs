using System.Globalization;
using System.Net;
using System.Text.Json;
using Workbooks.Emulator.Tests.TestSupport;
using static Workbooks.Emulator.Tests.TestSupport.Filters;

namespace Workbooks.Emulator.Tests;

/// <summary>
/// What the service does when some records are created, which clients rely on: a campaign comes with its membership
/// statuses, a project with its own task-status picklist, a custom field with its column name and status, a custom
/// record type with its class name. Created through the API and through <see cref="EmulatorDatabase.Insert"/> alike,
/// read back through the API; seeded records have them too.
/// </summary>
public sealed class SideEffectTests : IClassFixture<ExtrasEmulatorFixture>, IDisposable
{
    private readonly WorkbooksEmulator _emu;
    private readonly Wire _wire;

    public SideEffectTests(ExtrasEmulatorFixture fixture)
    {
        _emu = fixture.Emulator;
        _wire = new Wire(_emu, "SideEffects plugin/1.0");
        _wire.LoginAsync(("api_key", _emu.ApiKey)).GetAwaiter().GetResult();
    }

    public void Dispose() => _wire.Dispose();

    private static string S(long v) => v.ToString(CultureInfo.InvariantCulture);

    private EmulatorDatabase Db => _emu.DefaultDatabase;

    /// <summary>Creates one record through a change request; returns its affected object (all of its attributes).</summary>
    private async Task<JsonElement> CreateAsync(string path, params (string Field, string Value)[] fields)
    {
        var response = await _wire.PutAsync(path + ".api",
            [("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), .. fields.Select(f => (f.Field + "[]", f.Value))]);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(response.Json.GetProperty("success").GetBoolean(), response.Body);
        return response.Json.GetProperty("affected_objects")[0];
    }

    private async Task<JsonElement[]> ReadAsync(string path, string field, string criteria, params string[] columns)
    {
        var page = await _wire.GetAsync(path + ".api", [.. Page(0, 100), .. Where((field, "eq", criteria)), .. Select(["id", .. columns]), ("_sort", "id"), ("_dir", "ASC")]);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        return page.Data;
    }

    private async Task<JsonElement> ReadOneAsync(string path, long id, params string[] columns) =>
        Assert.Single(await ReadAsync(path, "id", S(id), columns));

    // ---------- campaigns ----------

    private async Task AssertDefaultMembershipStatusesAsync(long campaign, string createdThrough)
    {
        var statuses = await ReadAsync("crm/campaign_membership_status", "marketing_campaign_id", S(campaign), "status", "name", "marketing_campaign_id", "created_through", "object_ref");
        Assert.Equal(["Interested", "Not Interested"], statuses.Select(s => s.GetProperty("status").GetString()!).ToArray());
        Assert.Equal(["Interested", "Not Interested"], statuses.Select(s => s.GetProperty("name").GetString()!).ToArray());
        Assert.All(statuses, s => Assert.Equal(campaign, s.GetProperty("marketing_campaign_id").GetInt64()));
        Assert.All(statuses, s => Assert.Equal(createdThrough, s.GetProperty("created_through").GetString()));
        Assert.All(statuses, s => Assert.False(string.IsNullOrEmpty(s.GetProperty("object_ref").GetString())));
    }

    [Fact]
    public async Task ACampaignCreatedThroughTheApiComesWithTheDefaultMembershipStatuses()
    {
        var campaign = await CreateAsync("crm/campaigns", ("name", "Side effect seminar"), ("status", "Planned"));

        await AssertDefaultMembershipStatusesAsync(campaign.GetProperty("id").GetInt64(), "SideEffects");
    }

    [Fact]
    public async Task ACampaignInsertedIntoTheDatabaseComesWithThemToo()
    {
        var campaign = Db.Insert("crm/campaigns", new Dictionary<string, string?> { ["name"] = "Inserted campaign" });

        await AssertDefaultMembershipStatusesAsync(campaign, "Other user");
        // Insert stores the record as the service would: it has its object_ref as well.
        Assert.False(string.IsNullOrEmpty(Db.Get("crm/campaigns", campaign)!["object_ref"]));
    }

    [Fact]
    public async Task ACampaignCreateThatFailsCreatesNoMembershipStatuses()
    {
        var before = Db.Count("crm/campaign_membership_status");

        var response = await _wire.PutAsync("crm/campaigns.api",
            ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "Would be created"),
            ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", ":null_value:"));

        Assert.False(response.Json.GetProperty("success").GetBoolean(), response.Body);
        Assert.Equal(before, Db.Count("crm/campaign_membership_status"));
    }

    [Fact]
    public async Task SeededCampaignsHaveTheirDefaultMembershipStatuses()
    {
        var seeded = Db.Ids("crm/campaigns").Where(id => Db.Get("crm/campaigns", id)!["created_through"] == "Seed").ToArray();
        Assert.NotEmpty(seeded);
        foreach (var campaign in seeded)
        {
            var statuses = (await ReadAsync("crm/campaign_membership_status", "marketing_campaign_id", S(campaign), "status")).Select(s => s.GetProperty("status").GetString()).ToArray();
            Assert.Contains("Interested", statuses);
            Assert.Contains("Not Interested", statuses);
        }
    }

    // ---------- picklists ----------

    [Fact]
    public async Task ANewDefaultPicklistEntryDemotesTheOldDefault()
    {
        var picklist = await CreateAsync("admin/picklists", ("name", "Demotion Test Statuses"), ("description", "for the default rule"));
        var picklistId = picklist.GetProperty("id").GetInt64();
        var first = await CreateAsync("admin/picklist_entries", ("picklist_id", S(picklistId)), ("value", "Open"), ("default_value", "true"));
        await CreateAsync("admin/picklist_entries", ("picklist_id", S(picklistId)), ("value", "Closed"), ("default_value", "false"));
        var vanilla = await CreateAsync("admin/picklist_entries", ("picklist_id", S(picklistId)), ("value", "Vanilla Cheesecake"), ("default_value", "true"));

        async Task<string[]> DefaultsAsync() =>
            [.. (await ReadAsync("admin/picklist_entries", "picklist_id", S(picklistId), "value", "default_value"))
                .Where(e => e.GetProperty("default_value").GetBoolean()).Select(e => e.GetProperty("value").GetString()!)];
        Assert.Equal(["Vanilla Cheesecake"], await DefaultsAsync());
        Assert.Equal(first.GetProperty("lock_version").GetInt64(),
            (await ReadOneAsync("admin/picklist_entries", first.GetProperty("id").GetInt64(), "value", "lock_version")).GetProperty("lock_version").GetInt64()); // demoted, not saved

        // An update that makes another entry the default demotes the one before it too.
        var update = await _wire.PutAsync("admin/picklist_entries.api", [("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", S(first.GetProperty("id").GetInt64())),
            ("__method[]", "PUT"), ("id[]", S(first.GetProperty("id").GetInt64())), ("lock_version[]", S(first.GetProperty("lock_version").GetInt64())), ("default_value[]", "true")]);
        Assert.True(update.Json.GetProperty("success").GetBoolean(), update.Body);
        Assert.Equal(["Open"], await DefaultsAsync());
        Assert.NotEqual(0, vanilla.GetProperty("id").GetInt64());
    }

    // ---------- projects ----------

    private async Task AssertOwnTaskStatusesAsync(long project, string projectName)
    {
        var read = await ReadOneAsync("project/projects", project, "task_statuses_picklist_id");
        var picklistId = read.GetProperty("task_statuses_picklist_id").GetInt64();

        var picklist = await ReadOneAsync("admin/picklists", picklistId, "name", "parent_type");
        Assert.Equal(projectName + " Task Statuses", picklist.GetProperty("name").GetString());
        Assert.Equal("Private::Project::Project", picklist.GetProperty("parent_type").GetString());

        var entries = await ReadAsync("admin/picklist_entries", "picklist_id", S(picklistId), "value", "display_order", "default_value");
        Assert.Equal(["Not Started", "In Progress", "Complete"], entries.Select(e => e.GetProperty("value").GetString()!).ToArray());
        Assert.Equal([1L, 2L, 3L], entries.Select(e => e.GetProperty("display_order").GetInt64()).ToArray());
        Assert.Equal([true, false, false], entries.Select(e => e.GetProperty("default_value").GetBoolean()).ToArray());

        // The lightweight lookup a client resolves task statuses with finds them as well.
        var lookup = await _wire.GetAsync("picklist_data/Private_PicklistEntry/id/value", ("picklist_id", S(picklistId)));
        Assert.Equal(HttpStatusCode.OK, lookup.Status);
        Assert.Equal(entries.Select(e => e.GetProperty("id").GetInt64()).Order(), lookup.Data.Select(r => r.GetProperty("id").GetInt64()).Order());
    }

    [Fact]
    public async Task AProjectCreatedThroughTheApiGetsATaskStatusPicklistOfItsOwn()
    {
        var project = await CreateAsync("project/projects", ("name", "Side effect rollout"));
        var id = project.GetProperty("id").GetInt64();

        // The create's answer reports it already.
        Assert.Equal(JsonValueKind.Number, project.GetProperty("task_statuses_picklist_id").ValueKind);
        await AssertOwnTaskStatusesAsync(id, "Side effect rollout");
    }

    [Fact]
    public async Task AProjectInsertedIntoTheDatabaseGetsOneTooAndNoTwoProjectsShareOne()
    {
        var first = Db.Insert("project/projects", new Dictionary<string, string?> { ["name"] = "Inserted project A" });
        var second = Db.Insert("project/projects", new Dictionary<string, string?> { ["name"] = "Inserted project B" });

        await AssertOwnTaskStatusesAsync(first, "Inserted project A");
        await AssertOwnTaskStatusesAsync(second, "Inserted project B");
        Assert.NotEqual(Db.Get("project/projects", first)!["task_statuses_picklist_id"], Db.Get("project/projects", second)!["task_statuses_picklist_id"]);
    }

    [Fact]
    public void SeededProjectsHaveATaskStatusPicklistOfTheirOwn()
    {
        var projects = Db.Ids("project/projects").Select(id => Db.Get("project/projects", id)!).Where(p => p["created_through"] == "Seed").ToArray();
        Assert.NotEmpty(projects);
        var picklists = projects.Select(p => long.Parse(p["task_statuses_picklist_id"]!, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(picklists.Length, picklists.Distinct().Count());
        Assert.All(picklists, id => Assert.Equal("Private::Project::Project", Db.Get("admin/picklists", id)!["parent_type"]));
    }

    // ---------- custom fields ----------

    [Fact]
    public async Task ACustomFieldCreatedThroughTheApiIsAvailableWithItsColumnName()
    {
        var created = await CreateAsync("admin/custom_fields", ("title", "Hubspot Profile"), ("resource_type", "Private::Crm::SalesLead"), ("data_type", "string"));
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal("Available", created.GetProperty("status").GetString());
        Assert.Equal("cf_sales_lead_hubspot_profile", created.GetProperty("value_column_name").GetString());

        var read = await ReadOneAsync("admin/custom_fields", id, "status", "name", "value_column_name", "title");
        Assert.Equal("Available", read.GetProperty("status").GetString());
        Assert.Equal("Hubspot Profile", read.GetProperty("name").GetString());
        Assert.Equal("cf_sales_lead_hubspot_profile", read.GetProperty("value_column_name").GetString());

        // A client polling for the field to become usable finds it (notes §5).
        var polled = await ReadAsync("admin/custom_fields", "status", "Available", "value_column_name");
        Assert.Contains(polled, r => r.GetProperty("id").GetInt64() == id);
    }

    [Fact]
    public async Task ACustomFieldOnACustomRecordTypeIsNamedAfterTheTypeAndAColumnNameIsNeverReused()
    {
        // The notes' example: "Registration Plate" on Vehicle is cf_vehicle_registration_plate. The sample schema's
        // vehicles already have that column, so a new field with that title gets another one.
        var fresh = await CreateAsync("admin/custom_fields", ("title", "Chassis Number"), ("resource_type", "Private::CustomRecord::Vehicle"), ("data_type", "string"));
        Assert.Equal("cf_vehicle_chassis_number", fresh.GetProperty("value_column_name").GetString());

        var existing = await CreateAsync("admin/custom_fields", ("title", "Registration Plate"), ("resource_type", "Private::CustomRecord::Vehicle"), ("data_type", "string"));
        Assert.Equal("cf_vehicle_registration_plate_2", existing.GetProperty("value_column_name").GetString());

        var again = await CreateAsync("admin/custom_fields", ("title", "Chassis Number"), ("resource_type", "Private::CustomRecord::Vehicle"), ("data_type", "string"));
        Assert.Equal("cf_vehicle_chassis_number_2", (await ReadOneAsync("admin/custom_fields", again.GetProperty("id").GetInt64(), "value_column_name")).GetProperty("value_column_name").GetString());
    }

    [Fact]
    public async Task ACustomFieldInsertedIntoTheDatabaseIsDerivedTooUnlessTheInsertGivesTheValues()
    {
        var derived = Db.Insert("admin/custom_fields", new Dictionary<string, string?>
        {
            ["title"] = "Loyalty Points", ["resource_type"] = "Private::Crm::Person", ["data_type"] = "integer",
        });
        var given = Db.Insert("admin/custom_fields", new Dictionary<string, string?>
        {
            ["title"] = "Slow Field", ["resource_type"] = "Private::Crm::Person", ["data_type"] = "string", ["status"] = "Pending", ["value_column_name"] = "cf_person_slow",
        });

        var read = await ReadOneAsync("admin/custom_fields", derived, "status", "name", "value_column_name");
        Assert.Equal("Available", read.GetProperty("status").GetString());
        Assert.Equal("Loyalty Points", read.GetProperty("name").GetString());
        Assert.Equal("cf_person_loyalty_points", read.GetProperty("value_column_name").GetString());
        var kept = await ReadOneAsync("admin/custom_fields", given, "status", "name", "value_column_name");
        Assert.Equal("Pending", kept.GetProperty("status").GetString());
        Assert.Equal("Slow Field", kept.GetProperty("name").GetString());
        Assert.Equal("cf_person_slow", kept.GetProperty("value_column_name").GetString());
    }

    [Fact]
    public void SeededCustomFieldsAreAvailableWithAColumnName()
    {
        var fields = Db.Ids("admin/custom_fields").Select(id => Db.Get("admin/custom_fields", id)!).Where(f => f["created_through"] == "Seed").ToArray();
        Assert.NotEmpty(fields);
        Assert.All(fields, f => Assert.Equal("Available", f["status"]));
        Assert.All(fields, f => Assert.Equal(f["title"], f["name"]));
        Assert.All(fields, f => Assert.StartsWith("cf_", f["value_column_name"], StringComparison.Ordinal));
    }

    // ---------- custom record types ----------

    [Fact]
    public async Task ACustomRecordTypeCreatedThroughTheApiGetsItsClassNameAndItsFieldsAreNamedAfterIt()
    {
        var created = await CreateAsync("admin/custom_record_types",
            ("name", "Company Car"), ("name_plural", "Company Cars"), ("object_ref_prefix", "CAR"), ("route_suffix", "company_cars"));
        var read = await ReadOneAsync("admin/custom_record_types", created.GetProperty("id").GetInt64(), "resource_type");
        Assert.Equal("Private::CustomRecord::CompanyCar", read.GetProperty("resource_type").GetString());

        var field = await CreateAsync("admin/custom_fields", ("title", "Last Service Date"), ("resource_type", read.GetProperty("resource_type").GetString()!), ("data_type", "date"));
        Assert.Equal("cf_company_car_last_service_date", field.GetProperty("value_column_name").GetString());
    }

    [Fact]
    public async Task ACustomRecordTypeInsertedIntoTheDatabaseGetsItsClassNameToo()
    {
        var id = Db.Insert("admin/custom_record_types", new Dictionary<string, string?>
        {
            ["name"] = "Territory", ["name_plural"] = "Territories", ["object_ref_prefix"] = "TER", ["route_suffix"] = "areas",
        });

        Assert.Equal("Private::CustomRecord::Territory", (await ReadOneAsync("admin/custom_record_types", id, "resource_type")).GetProperty("resource_type").GetString());
    }
}
