using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Workbooks.Emulator.Tests.TestSupport;
using static Workbooks.Emulator.Tests.TestSupport.Filters;

namespace Workbooks.Emulator.Tests;

/// <summary>
/// <see cref="WorkbooksEmulator.ChangeSchema"/>: the schema changes while the emulator runs (sample → sample-v2 and
/// back), as when an administrator edits custom fields, and the data stays. Each test starts its own emulator: a
/// schema change is seen by every request.
/// </summary>
public sealed class SchemaChangeTests
{
    private const string Person = "Private::Crm::Person";
    private const string Organisation = "Private::Crm::Organisation";

    private static readonly string SampleV1 = ExtrasHttp.SampleSchemaPath();
    private static readonly string SampleV2 = Path.Combine(Path.GetDirectoryName(SampleV1)!, "sample-v2.types.json");

    private static string S(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static Task<WorkbooksEmulator> StartAsync() =>
        WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { SchemaPath = SampleV1, PeopleCount = 40, OrganisationCount = 20, OtherRecordCount = 3 });

    private static async Task<Wire> LoginAsync(WorkbooksEmulator emu)
    {
        var wire = new Wire(emu, "schema-change-tests/1.0");
        var login = await wire.LoginAsync(("api_key", emu.ApiKey));
        Assert.Equal(HttpStatusCode.OK, login.Status);
        return wire;
    }

    /// <summary>name → datatype of a record type's fields, as metadata/types.api serves them.</summary>
    private static async Task<Dictionary<string, string>> FieldsAsync(Wire wire, string className)
    {
        var response = await wire.GetAsync("metadata/types.api", ("class_names[]", className));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return FieldsOf(Assert.Single(response.Data));
    }

    private static Dictionary<string, string> FieldsOf(JsonElement type) =>
        type.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("datatype").GetString()!, StringComparer.Ordinal);

    private static async Task<JsonElement> ReadAsync(Wire wire, string path, long id)
    {
        var response = await wire.GetAsync(path, Where(("id", "eq", S(id))));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return Assert.Single(response.Data);
    }

    /// <summary>Updates one record through the API and returns the affected object.</summary>
    private static async Task<JsonElement> UpdateAsync(Wire wire, string path, long id, long lockVersion, params (string Field, string Value)[] values)
    {
        var response = await wire.PutAsync(path,
            [("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", S(id)), ("__method[]", "PUT"), ("id[]", S(id)), ("lock_version[]", S(lockVersion)),
                .. values.Select(v => (v.Field + "[]", v.Value))]);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(response.Json.GetProperty("success").GetBoolean(), response.Body);
        return response.Json.GetProperty("affected_objects")[0];
    }

    private static async Task<JsonElement> CreateAsync(Wire wire, string path, params (string Field, string Value)[] values)
    {
        var response = await wire.PutAsync(path, [("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), .. values.Select(v => (v.Field + "[]", v.Value))]);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(response.Json.GetProperty("success").GetBoolean(), response.Body);
        return response.Json.GetProperty("affected_objects")[0];
    }

    private static (long Id, long LockVersion, string? UpdatedAt)[] Versions(WorkbooksEmulator emu, string path) =>
        emu.DefaultDatabase.AllIds(path)
            .Select(id => emu.DefaultDatabase.Get(path, id)!)
            .Select(r => (long.Parse(r["id"]!, CultureInfo.InvariantCulture), long.Parse(r["lock_version"]!, CultureInfo.InvariantCulture), r["updated_at"]))
            .ToArray();

    [Fact]
    public async Task ChangingToV2AndBackKeepsTheRecordsAndServesEachSchemaAtOnce()
    {
        await using var emu = await StartAsync();
        using var wire = await LoginAsync(emu);
        var people = emu.DefaultDatabase.Ids("crm/people");
        var personId = people[people.Count / 2];
        var organisationId = emu.DefaultDatabase.Ids("crm/organisations")[0];
        emu.DefaultDatabase.Delete("crm/people", people[^1]); // a soft-deleted record stays soft-deleted

        // v1: an integer score, no loyalty tier, a legacy code on organisations, no areas.
        var v1People = await FieldsAsync(wire, Person);
        Assert.Equal("integer", v1People["cf_person_score"]);
        Assert.DoesNotContain("cf_person_loyalty_tier", v1People.Keys);
        Assert.Contains("cf_organisation_legacy_code", (await FieldsAsync(wire, Organisation)).Keys);
        Assert.Equal(HttpStatusCode.NotFound, (await wire.GetAsync("custom_record/areas.api")).Status);

        var person = await ReadAsync(wire, "crm/people.api", personId);
        person = await UpdateAsync(wire, "crm/people.api", personId, person.GetProperty("lock_version").GetInt64(), ("cf_person_score", "42"));
        var organisation = await ReadAsync(wire, "crm/organisations.api", organisationId);
        await UpdateAsync(wire, "crm/organisations.api", organisationId, organisation.GetProperty("lock_version").GetInt64(), ("cf_organisation_legacy_code", "LEG-0042"));
        var before = await ReadAsync(wire, "crm/people.api", personId);
        Assert.Equal(JsonValueKind.Number, before.GetProperty("cf_person_score").ValueKind);
        Assert.Equal(42, before.GetProperty("cf_person_score").GetInt64());
        var peopleBefore = Versions(emu, "crm/people");
        var organisationsBefore = Versions(emu, "crm/organisations");
        var highestPerson = emu.DefaultDatabase.AllIds("crm/people").Max();
        var changesBefore = emu.DefaultDatabase.ChangeRequestCount;

        emu.ChangeSchemaFromFile(SampleV2);

        // The metadata answers the new schema at once, in both of its forms.
        var v2People = await FieldsAsync(wire, Person);
        Assert.Equal("decimal", v2People["cf_person_score"]);
        Assert.Equal("picklist_data", v2People["cf_person_loyalty_tier"]);
        Assert.DoesNotContain("cf_organisation_legacy_code", (await FieldsAsync(wire, Organisation)).Keys);
        var described = await wire.GetAsync("crm/people/metadata.api");
        Assert.Equal(HttpStatusCode.OK, described.Status);
        Assert.Equal("decimal", FieldsOf(Assert.Single(described.Data))["cf_person_score"]);
        var allTypes = await wire.GetAsync("metadata/types.api");
        Assert.Contains(allTypes.Data, t => t.GetProperty("controller_path").GetString() == "custom_record/areas");
        Assert.Equal(HttpStatusCode.OK, (await wire.GetAsync("custom_record/areas/metadata.api")).Status);

        // The records were not touched: same ids, lock versions, update times and deletions, every other value the same.
        Assert.Equal(peopleBefore, Versions(emu, "crm/people"));
        Assert.Equal(organisationsBefore, Versions(emu, "crm/organisations"));
        Assert.Equal(changesBefore, emu.DefaultDatabase.ChangeRequestCount);
        Assert.DoesNotContain(people[^1], emu.DefaultDatabase.Ids("crm/people"));
        var after = await ReadAsync(wire, "crm/people.api", personId);
        foreach (var property in before.EnumerateObject().Where(p => p.Name != "cf_person_score"))
            Assert.True(after.TryGetProperty(property.Name, out var value) && value.GetRawText() == property.Value.GetRawText(),
                $"{property.Name}: {property.Value.GetRawText()} before, {(after.TryGetProperty(property.Name, out var v) ? v.GetRawText() : "absent")} after");
        // The score keeps its number, now a decimal (rendered as a decimal string); the new tier is there, null.
        Assert.Equal(JsonValueKind.String, after.GetProperty("cf_person_score").ValueKind);
        Assert.Equal(42m, decimal.Parse(after.GetProperty("cf_person_score").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(JsonValueKind.Null, after.GetProperty("cf_person_loyalty_tier").ValueKind);
        Assert.Equal(before.EnumerateObject().Count() + 1, after.EnumerateObject().Count());

        // The removed field is no longer served, selected or filterable.
        var organisationAfter = await ReadAsync(wire, "crm/organisations.api", organisationId);
        Assert.False(organisationAfter.TryGetProperty("cf_organisation_legacy_code", out _));
        Assert.Equal(organisation.GetProperty("name").GetRawText(), organisationAfter.GetProperty("name").GetRawText());
        var selected = await wire.GetAsync("crm/organisations.api", [.. Where(("id", "eq", S(organisationId))), .. Select("name", "cf_organisation_legacy_code")]);
        Assert.False(Assert.Single(selected.Data).TryGetProperty("cf_organisation_legacy_code", out _));
        Assert.Equal(HttpStatusCode.NotAcceptable, (await wire.GetAsync("crm/organisations.api", Where(("cf_organisation_legacy_code", "eq", "LEG-0042")))).Status);
        Assert.Null(emu.DefaultDatabase.Get("crm/organisations", organisationId)!.GetValueOrDefault("cf_organisation_legacy_code"));

        // The new field is writable and the retyped one takes decimals; the filter works on both.
        var lockVersion = after.GetProperty("lock_version").GetInt64();
        var updated = await UpdateAsync(wire, "crm/people.api", personId, lockVersion, ("cf_person_loyalty_tier", "Gold"), ("cf_person_score", "12.75"));
        Assert.Equal(lockVersion + 1, updated.GetProperty("lock_version").GetInt64());
        var written = await ReadAsync(wire, "crm/people.api", personId);
        Assert.Equal("Gold", written.GetProperty("cf_person_loyalty_tier").GetString());
        Assert.Equal("12.75", written.GetProperty("cf_person_score").GetString());
        Assert.Equal(new[] { personId }, (await wire.GetAsync("crm/people.api", Where(("cf_person_loyalty_tier", "eq", "Gold")))).Ids);
        Assert.Contains(personId, (await wire.GetAsync("crm/people.api", Where(("cf_person_score", "gt", "12.5")))).Ids);

        // The new record type starts empty and takes records (the create applies its defaults).
        var areas = await wire.GetAsync("custom_record/areas.api");
        Assert.Equal(HttpStatusCode.OK, areas.Status);
        Assert.Equal(0, areas.Total);
        var area = await CreateAsync(wire, "custom_record/areas.api", ("name", "North"), ("cf_territory_code", "N1"), ("cf_territory_target_revenue", "1000.50"));
        Assert.Equal(1, area.GetProperty("id").GetInt64());
        var areaRead = await ReadAsync(wire, "custom_record/areas.api", 1);
        Assert.Equal("N1", areaRead.GetProperty("cf_territory_code").GetString());
        Assert.Equal(1000.50m, decimal.Parse(areaRead.GetProperty("cf_territory_target_revenue").GetString()!, CultureInfo.InvariantCulture));
        Assert.True(areaRead.GetProperty("cf_territory_is_active").GetBoolean());
        Assert.Equal("Private::CustomRecord::Territory", areaRead.GetProperty("type").GetString());
        Assert.Contains("custom_record/areas", emu.DefaultDatabase.ControllerPaths);

        // Ids continue after the highest existing one.
        var created = await CreateAsync(wire, "crm/people.api", ("person_first_name", "Grace"), ("person_last_name", "Hopper"), ("cf_person_score", "7.5"));
        Assert.Equal(highestPerson + 1, created.GetProperty("id").GetInt64());

        // Back to v1: the score is an integer again (a whole value survives the round trip), the tier and the areas go,
        // the legacy code comes back empty (its values went with the field), ids still continue.
        var current = await ReadAsync(wire, "crm/people.api", personId);
        await UpdateAsync(wire, "crm/people.api", personId, current.GetProperty("lock_version").GetInt64(), ("cf_person_score", "77"));
        var beforeV1 = await ReadAsync(wire, "crm/people.api", personId);

        emu.ChangeSchema(await File.ReadAllTextAsync(SampleV1));

        var backPeople = await FieldsAsync(wire, Person);
        Assert.Equal("integer", backPeople["cf_person_score"]);
        Assert.DoesNotContain("cf_person_loyalty_tier", backPeople.Keys);
        Assert.Contains("cf_organisation_legacy_code", (await FieldsAsync(wire, Organisation)).Keys);
        Assert.Equal(HttpStatusCode.NotFound, (await wire.GetAsync("custom_record/areas.api")).Status);
        Assert.DoesNotContain("custom_record/areas", emu.DefaultDatabase.ControllerPaths);

        var back = await ReadAsync(wire, "crm/people.api", personId);
        Assert.Equal(77, back.GetProperty("cf_person_score").GetInt64());
        Assert.False(back.TryGetProperty("cf_person_loyalty_tier", out _));
        foreach (var name in new[] { "id", "lock_version", "updated_at", "created_at", "name", "person_first_name", "person_last_name", "main_location[email]", "employer_name" })
            Assert.Equal(beforeV1.GetProperty(name).GetRawText(), back.GetProperty(name).GetRawText());
        var createdBack = await ReadAsync(wire, "crm/people.api", created.GetProperty("id").GetInt64());
        Assert.Equal(7, createdBack.GetProperty("cf_person_score").GetInt64()); // 7.5 read as an integer: its leading integer
        var organisationBack = await ReadAsync(wire, "crm/organisations.api", organisationId);
        Assert.Equal(JsonValueKind.Null, organisationBack.GetProperty("cf_organisation_legacy_code").ValueKind);
        var next = await CreateAsync(wire, "crm/people.api", ("person_first_name", "Ada"), ("person_last_name", "Lovelace"));
        Assert.Equal(highestPerson + 2, next.GetProperty("id").GetInt64());
        Assert.Equal(organisationsBefore.Select(o => (o.Id, o.UpdatedAt)), Versions(emu, "crm/organisations").Select(o => (o.Id, o.UpdatedAt)));
    }

    [Fact]
    public async Task ADatabaseOpenedAfterTheChangeFollowsTheNewSchema()
    {
        await using var emu = await StartAsync();
        var sandbox = emu.Options.Databases.Single(d => d.Id != emu.DefaultDatabase.Info.Id).Id;

        emu.ChangeSchemaFromFile(SampleV2);

        Assert.Contains("custom_record/areas", emu.DefaultDatabase.ControllerPaths);
        var opened = emu.Database(sandbox);
        Assert.Contains("custom_record/areas", opened.ControllerPaths);
        var personId = opened.Ids("crm/people")[0];
        Assert.True(opened.Get("crm/people", personId)!.ContainsKey("cf_person_loyalty_tier"));
        Assert.False(opened.Get("crm/organisations", opened.Ids("crm/organisations")[0])!.ContainsKey("cf_organisation_legacy_code"));
        var areaId = opened.Insert("custom_record/areas", new Dictionary<string, string?> { ["name"] = "South", ["cf_territory_code"] = "S1" });
        Assert.Equal("S1", opened.Get("custom_record/areas", areaId)!["cf_territory_code"]);
    }

    [Fact]
    public async Task AnUnreadableSnapshotChangesNothing()
    {
        await using var emu = await StartAsync();
        using var wire = await LoginAsync(emu);

        Assert.ThrowsAny<JsonException>(() => emu.ChangeSchema("{ not json"));
        Assert.Throws<InvalidDataException>(() => emu.ChangeSchema("{\"data\": 3}"));
        Assert.Throws<FileNotFoundException>(() => emu.ChangeSchemaFromFile("schema/no-such-snapshot.types.json"));

        Assert.Equal("integer", (await FieldsAsync(wire, Person))["cf_person_score"]);
        Assert.Equal(HttpStatusCode.NotFound, (await wire.GetAsync("custom_record/areas.api")).Status);
    }

    [Fact]
    public async Task RequestsRacingSchemaChangesSeeOneSchemaAndLoseNothing()
    {
        // Enough people that migrating holds the database's gate for a while: requests that chose their record type
        // with the old schema queue behind it, and must be served again with the new one (not with mixed ordinals).
        await using var emu = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { SchemaPath = SampleV1, PeopleCount = 20_000, OrganisationCount = 2_000, OtherRecordCount = 3 });
        var snapshots = new[] { await File.ReadAllTextAsync(SampleV2), await File.ReadAllTextAsync(SampleV1) };
        var statuses = new ConcurrentBag<(string What, HttpStatusCode Status, string Body)>();
        var createdIds = new ConcurrentBag<long>();
        var updates = new ConcurrentDictionary<long, int>();
        using var stop = new CancellationTokenSource();

        async Task ReadLoopAsync()
        {
            using var wire = await LoginAsync(emu);
            while (!stop.IsCancellationRequested)
            {
                var response = await wire.GetAsync("crm/people.api", [.. Page(0, 20), ("_sort", "cf_person_score"), ("_dir", "DESC")]);
                statuses.Add(("index", response.Status, response.Body));
                if (response.Status == HttpStatusCode.OK)
                {
                    // One schema per answer: the score and the tier come together (v2) or not at all (v1).
                    foreach (var row in response.Data)
                    {
                        var tier = row.TryGetProperty("cf_person_loyalty_tier", out _);
                        var score = row.GetProperty("cf_person_score").ValueKind;
                        Assert.True(score == JsonValueKind.Null || (tier ? score == JsonValueKind.String : score == JsonValueKind.Number), row.GetRawText());
                    }
                }
                var metadata = await wire.GetAsync("crm/people/metadata.api");
                statuses.Add(("metadata", metadata.Status, metadata.Body));
            }
        }

        async Task WriteLoopAsync(long personId)
        {
            using var wire = await LoginAsync(emu);
            while (!stop.IsCancellationRequested)
            {
                var created = await wire.PutAsync("crm/organisations.api", ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "Racing Ltd"));
                statuses.Add(("create", created.Status, created.Body));
                if (created.Status == HttpStatusCode.OK && created.Json.GetProperty("success").GetBoolean())
                    createdIds.Add(created.Json.GetProperty("affected_objects")[0].GetProperty("id").GetInt64());

                var read = await wire.GetAsync("crm/people.api", Where(("id", "eq", S(personId))));
                statuses.Add(("read", read.Status, read.Body));
                if (read.Status != HttpStatusCode.OK)
                    continue;
                var lockVersion = Assert.Single(read.Data).GetProperty("lock_version").GetInt64();
                var updated = await wire.PutAsync("crm/people.api", ("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", S(personId)),
                    ("__method[]", "PUT"), ("id[]", S(personId)), ("lock_version[]", S(lockVersion)), ("person_job_title[]", "Racer " + S(lockVersion)));
                statuses.Add(("update", updated.Status, updated.Body));
                if (updated.Status == HttpStatusCode.OK && updated.Json.GetProperty("success").GetBoolean())
                    updates.AddOrUpdate(personId, 1, (_, n) => n + 1);
            }
        }

        var people = emu.DefaultDatabase.Ids("crm/people");
        var organisationsBefore = emu.DefaultDatabase.AllIds("crm/organisations");
        var lockVersionsBefore = people.Take(3).ToDictionary(id => id, id => long.Parse(emu.DefaultDatabase.Get("crm/people", id)!["lock_version"]!, CultureInfo.InvariantCulture));
        var loops = new List<Task> { Task.Run(ReadLoopAsync), Task.Run(ReadLoopAsync) };
        loops.AddRange(people.Take(3).Select(id => Task.Run(() => WriteLoopAsync(id))));

        for (var i = 0; i < 12; i++)
        {
            await Task.Delay(25);
            emu.ChangeSchema(snapshots[i % 2]);
        }
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        // Every answer is an answer of one schema or the ordinary "send it again" (503), never an emulator defect.
        Assert.NotEmpty(statuses);
        Assert.All(statuses, s => Assert.True(s.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{s.What}: {(int)s.Status} {s.Body}"));
        Assert.Contains(statuses, s => s.What == "create" && s.Status == HttpStatusCode.OK);

        // Nothing was lost or reused: every create is there once, after the seeded ids; every update counted once.
        var organisations = emu.DefaultDatabase.AllIds("crm/organisations");
        Assert.Equal(organisationsBefore.Count + createdIds.Count, organisations.Count);
        Assert.Equal(createdIds.Count, createdIds.Distinct().Count());
        Assert.All(createdIds, id => Assert.True(id > organisationsBefore.Max()));
        foreach (var (id, before) in lockVersionsBefore)
            Assert.Equal(before + updates.GetValueOrDefault(id), long.Parse(emu.DefaultDatabase.Get("crm/people", id)!["lock_version"]!, CultureInfo.InvariantCulture));
        // The last change was to v1.
        Assert.DoesNotContain("custom_record/areas", emu.DefaultDatabase.ControllerPaths);
    }
}
