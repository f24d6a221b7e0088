using System.Globalization;
using System.Net;
using Workbooks.Emulator.Tests.TestSupport;
using static Workbooks.Emulator.Tests.TestSupport.Filters;

namespace Workbooks.Emulator.Tests;

public sealed class ChangeTests : IClassFixture<SharedEmulator>, IDisposable
{
    private readonly WorkbooksEmulator _emu;
    private readonly Wire _wire;

    public ChangeTests(SharedEmulator shared)
    {
        _emu = shared.Emulator;
        _wire = new Wire(_emu, "XYZ plugin/1.2.3");
        _wire.LoginAsync(("api_key", _emu.ApiKey)).GetAwaiter().GetResult();
    }

    public void Dispose() => _wire.Dispose();

    private static string S(long v) => v.ToString(CultureInfo.InvariantCulture);

    private long NewOrganisation(string name) =>
        _emu.DefaultDatabase.Insert("crm/organisations", new Dictionary<string, string?> { ["name"] = name });

    private int LockVersionOf(string path, long id) => int.Parse(_emu.DefaultDatabase.Get(path, id)!["lock_version"]!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task TheGuidesMultipleOperationsExampleDeletesUpdatesAndCreatesInOrder()
    {
        var t1 = _emu.DefaultDatabase.Insert("activity/tasks", new Dictionary<string, string?> { ["name"] = "to delete" });
        var t2 = _emu.DefaultDatabase.Insert("activity/tasks", new Dictionary<string, string?> { ["name"] = "to update", ["due_date"] = "1 Jan 2030" });
        var lv1 = LockVersionOf("activity/tasks", t1);
        var lv2 = LockVersionOf("activity/tasks", t2);

        var response = await _wire.PutAsync("activity/tasks.api",
            ("_fm", "or"), ("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", S(t1)), ("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", S(t2)),
            ("__method[]", "DELETE"), ("activity_priority[]", ""), ("activity_status[]", ""), ("activity_type[]", ""), ("due_date[]", ""), ("id[]", S(t1)), ("lock_version[]", S(lv1)), ("name[]", ""),
            ("__method[]", "PUT"), ("activity_priority[]", "High"), ("activity_status[]", "New"), ("activity_type[]", "Email"), ("due_date[]", ":no_value:"), ("id[]", S(t2)), ("lock_version[]", S(lv2)), ("name[]", "10197"),
            ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("activity_priority[]", "High"), ("activity_status[]", "New"), ("activity_type[]", "Email"), ("due_date[]", "22 May 2009"), ("name[]", "create_10197"));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var json = response.Json;
        Assert.True(json.GetProperty("success").GetBoolean(), response.Body);
        Assert.Equal("Updated successfully", json.GetProperty("flash").GetString());
        Assert.False(json.TryGetProperty("errors", out _));
        var info = json.GetProperty("affected_object_information").EnumerateArray().ToArray();
        Assert.Equal(3, info.Length);
        Assert.All(info, i => { Assert.True(i.GetProperty("success").GetBoolean()); Assert.Empty(i.GetProperty("errors").EnumerateObject()); Assert.True(i.TryGetProperty("warnings", out _)); });

        var affected = json.GetProperty("affected_objects").EnumerateArray().ToArray();
        Assert.Equal(t1, affected[0].GetProperty("id").GetInt64());
        Assert.Equal(lv1 + 1, affected[0].GetProperty("lock_version").GetInt32());
        Assert.Equal(t2, affected[1].GetProperty("id").GetInt64());
        Assert.Equal(lv2 + 1, affected[1].GetProperty("lock_version").GetInt32());
        Assert.Equal("10197", affected[1].GetProperty("name").GetString());
        Assert.True(affected[1].TryGetProperty("updated_at", out _));
        var created = affected[2];
        var newId = created.GetProperty("id").GetInt64();
        Assert.True(newId > t2);
        Assert.Equal(0, created.GetProperty("lock_version").GetInt32());
        Assert.Equal("22 May 2009", created.GetProperty("due_date").GetString());
        Assert.Equal("Private::Activity::Task", created.GetProperty("type").GetString());
        Assert.Equal("XYZ", created.GetProperty("created_through").GetString());

        Assert.Null((await _wire.GetAsync("activity/tasks.api", Where(("id", "eq", S(t1))))).Data.FirstOrDefault().ValueKind == System.Text.Json.JsonValueKind.Undefined ? null : "still visible");
        var updated = _emu.DefaultDatabase.Get("activity/tasks", t2)!;
        Assert.Equal(" 1 Jan 2030", updated["due_date"]); // :no_value: left it alone
        Assert.Equal("Email", updated["activity_type"]);
    }

    [Fact]
    public async Task CreatingAnOrganisationReturnsAllOfItsAttributes()
    {
        var response = await _wire.PutAsync("crm/organisations.api", ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "New Organisation"));
        var created = response.Json.GetProperty("affected_objects")[0];
        Assert.Equal("New Organisation", created.GetProperty("name").GetString());
        Assert.Equal(0, created.GetProperty("lock_version").GetInt32());
        Assert.Equal("Private::Crm::Organisation", created.GetProperty("type").GetString());
        Assert.Equal(2, created.GetProperty("created_by").GetInt32());
        Assert.Equal(created.GetProperty("created_at").GetString(), created.GetProperty("updated_at").GetString());
        Assert.False(string.IsNullOrEmpty(created.GetProperty("object_ref").GetString()));
        Assert.Equal("0.00 GBP 0", created.GetProperty("organisation_annual_revenue").GetString()); // the schema default
    }

    [Fact]
    public async Task ADuplicateRefcodeFailsInTheDocumentedShape()
    {
        await _wire.PutAsync("crm/people.api", ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "First"), ("refcode[]", "DUPLICATE_PERSON_REFCODE"));
        var response = await _wire.PutAsync("crm/people.api", ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "New Person"), ("refcode[]", "DUPLICATE_PERSON_REFCODE"));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var json = response.Json;
        Assert.False(json.GetProperty("success").GetBoolean());
        Assert.Equal("'DUPLICATE_PERSON_REFCODE' is already used", json.GetProperty("affected_object_errors")[0].GetProperty("refcode")[0].GetString());
        Assert.Equal("'DUPLICATE_PERSON_REFCODE' is already used", json.GetProperty("errors").GetProperty("[]").GetProperty("refcode").GetString());
        Assert.False(json.TryGetProperty("affected_objects", out _));
    }

    [Fact]
    public async Task AStaleLockVersionIsRejectedWithTheDocumentedMessageAndChangesNothing()
    {
        var id = NewOrganisation("Contended Ltd");
        Assert.True(_emu.DefaultDatabase.Update("crm/organisations", id, new Dictionary<string, string?> { ["website"] = "www.elsewhere.example" }));
        var response = await _wire.PutAsync("crm/organisations.api", [.. Where(("id", "eq", S(id))), ("__method[]", "PUT"), ("id[]", S(id)), ("lock_version[]", "0"), ("name[]", "Mine")]);

        var json = response.Json;
        Assert.False(json.GetProperty("success").GetBoolean());
        Assert.Equal("This record cannot be saved since it has already been updated elsewhere.", json.GetProperty("failures")[0].GetString());
        Assert.Equal("This record cannot be saved since it has already been updated elsewhere.", json.GetProperty("affected_object_errors")[0].GetProperty("lock_version")[0].GetString());
        Assert.Equal("Contended Ltd", _emu.DefaultDatabase.Get("crm/organisations", id)!["name"]);
    }

    [Fact]
    public async Task OneBadObjectFailsTheWholeRequestUnlessPerObjectTransactionsAreAsked()
    {
        (string, string)[] Batch(string suffix) =>
        [
            ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "Good A " + suffix), ("organisation_num_employees[]", "5"),
            ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "Bad " + suffix), ("organisation_num_employees[]", "many"),
            ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "Good B " + suffix), ("organisation_num_employees[]", ":no_value:"),
        ];
        var before = _emu.DefaultDatabase.Count("crm/organisations");
        var all = await _wire.PutAsync("crm/organisations.api", Batch("1"));
        Assert.False(all.Json.GetProperty("success").GetBoolean());
        Assert.Equal(before, _emu.DefaultDatabase.Count("crm/organisations"));
        var errors = all.Json.GetProperty("affected_object_errors").EnumerateArray().ToArray();
        Assert.Empty(errors[0].EnumerateObject());
        Assert.Contains("not a number", errors[1].GetProperty("organisation_num_employees")[0].GetString(), StringComparison.Ordinal);
        Assert.True(all.Json.GetProperty("errors").TryGetProperty("[1]", out _));

        var perObject = await _wire.PutAsync("crm/organisations.api", [("_per_object_transactions", "1"), .. Batch("2")]);
        var info = perObject.Json.GetProperty("affected_object_information").EnumerateArray().Select(i => i.GetProperty("success").GetBoolean()).ToArray();
        Assert.Equal([true, false, true], info);
        var affected = perObject.Json.GetProperty("affected_objects").EnumerateArray().ToArray();
        Assert.True(affected[0].GetProperty("id").GetInt64() > 0);
        Assert.Equal(0, affected[1].GetProperty("id").GetInt64());
        Assert.Equal(before + 2, _emu.DefaultDatabase.Count("crm/organisations"));
    }

    [Fact]
    public async Task NoValueLeavesAFieldAndNullValueClearsIt()
    {
        var id = NewOrganisation("Lights R Us");
        Assert.True(_emu.DefaultDatabase.Update("crm/organisations", id, new Dictionary<string, string?> { ["main_location[postcode]"] = "RG99 9RG", ["website"] = "www.lights.example" }));
        var lv = LockVersionOf("crm/organisations", id);
        // The PHP binding's example body, nested key and all.
        var response = await _wire.PutAsync("crm/organisations.api", [.. Where(("id", "eq", S(id))),
            ("__method[]", "PUT"), ("id[]", S(id)), ("lock_version[]", S(lv)), ("main_location[postcode][]", ":null_value:"), ("website[]", ":no_value:"), ("name[]", "Lights 'R Us")]);
        Assert.True(response.Json.GetProperty("success").GetBoolean(), response.Body);
        var stored = _emu.DefaultDatabase.Get("crm/organisations", id)!;
        Assert.Null(stored["main_location[postcode]"]);
        Assert.Equal("www.lights.example", stored["website"]);
        Assert.Equal("Lights 'R Us", stored["name"]);
    }

    [Fact]
    public async Task TwoLevelNestedKeysAreNormalised()
    {
        var response = await _wire.PutAsync("crm/sales_leads.api", ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"),
            ("org_lead_party[name][]", "Salem Products"), ("org_lead_party[main_location][email][]", "info@salem.example"));
        Assert.True(response.Json.GetProperty("success").GetBoolean(), response.Body);
        var created = response.Json.GetProperty("affected_objects")[0];
        Assert.Equal("info@salem.example", created.GetProperty("org_lead_party[main_location[email]]").GetString());
    }

    [Fact]
    public async Task MoreThanOneHundredObjectsIsRefusedWithAClearError()
    {
        var parameters = Enumerable.Range(0, 101).SelectMany(i => new[] { ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "Bulk " + i) }).ToArray();
        var before = _emu.DefaultDatabase.Count("crm/organisations");
        var response = await _wire.PutAsync("crm/organisations.api", parameters);
        Assert.Equal(HttpStatusCode.NotAcceptable, response.Status);
        Assert.Contains("no more than 100 objects", response.Body, StringComparison.Ordinal);
        Assert.Equal(before, _emu.DefaultDatabase.Count("crm/organisations"));

        var hundred = await _wire.PutAsync("crm/organisations.api", parameters[..400]);
        Assert.Equal(100, hundred.Json.GetProperty("affected_objects").GetArrayLength());
    }

    [Fact]
    public async Task ANonSquareArrayIsRefused()
    {
        var response = await _wire.PutAsync("crm/organisations.api", ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "A"), ("name[]", "B"));
        Assert.Equal(HttpStatusCode.NotAcceptable, response.Status);
        Assert.Contains("square array", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdatesAndDeletesMustBeInTheFilteredWorkingSet()
    {
        var id = NewOrganisation("Outside Ltd");
        var lv = LockVersionOf("crm/organisations", id);
        var unfiltered = await _wire.PutAsync("crm/organisations.api", ("__method[]", "DELETE"), ("id[]", S(id)), ("lock_version[]", S(lv)));
        Assert.False(unfiltered.Json.GetProperty("success").GetBoolean());
        Assert.Contains("working set", unfiltered.Json.GetProperty("affected_object_errors")[0].GetProperty("id")[0].GetString(), StringComparison.Ordinal);

        var filtered = await _wire.PutAsync("crm/organisations.api", [.. Where(("id", "eq", S(id))), ("__method[]", "DELETE"), ("id[]", S(id)), ("lock_version[]", S(lv))]);
        Assert.True(filtered.Json.GetProperty("success").GetBoolean());
        Assert.Equal(lv + 1, filtered.Json.GetProperty("affected_objects")[0].GetProperty("lock_version").GetInt32());
        Assert.Equal(0, _emu.DefaultDatabase.Ids("crm/organisations").Count(i => i == id));
    }

    [Fact]
    public async Task FieldRulesFromTheSchemaAreEnforced()
    {
        var missingRequired = await _wire.PutAsync("crm/organisations.api", ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("website[]", "www.x.example"));
        Assert.Equal("can't be blank", missingRequired.Json.GetProperty("affected_object_errors")[0].GetProperty("name")[0].GetString());

        var readOnly = await _wire.PutAsync("crm/organisations.api", ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "X"), ("created_through[]", "me"));
        Assert.True(readOnly.Json.GetProperty("affected_object_errors")[0].TryGetProperty("created_through", out _));

        var id = NewOrganisation("Refcoded Ltd");
        var lv = LockVersionOf("crm/organisations", id);
        var notUpdateable = await _wire.PutAsync("crm/organisations.api", [.. Where(("id", "eq", S(id))), ("__method[]", "PUT"), ("id[]", S(id)), ("lock_version[]", S(lv)), ("refcode[]", "NEW1")]);
        Assert.Equal("cannot be changed", notUpdateable.Json.GetProperty("affected_object_errors")[0].GetProperty("refcode")[0].GetString());

        var badDate = await _wire.PutAsync("activity/tasks.api", ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "T"), ("due_date[]", "someday"));
        Assert.Contains("not a valid date", badDate.Json.GetProperty("affected_object_errors")[0].GetProperty("due_date")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValuesInEveryDocumentedInputFormIsAccepted()
    {
        var response = await _wire.PutAsync("activity/tasks.api",
            ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "iso"), ("due_date[]", "2024-01-05"), ("reminder_datetime[]", "2023-06-26T10:00:00.000Z"), ("reminder_enabled[]", "True"),
            ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "epoch"), ("due_date[]", " 2 May 2010"), ("reminder_datetime[]", "1700000000"), ("reminder_enabled[]", "yes"));
        Assert.True(response.Json.GetProperty("success").GetBoolean(), response.Body);
        var created = response.Json.GetProperty("affected_objects").EnumerateArray().ToArray();
        Assert.Equal(" 5 Jan 2024", created[0].GetProperty("due_date").GetString());
        Assert.Equal("Mon Jun 26 10:00:00 UTC 2023", created[0].GetProperty("reminder_datetime").GetString());
        Assert.True(created[0].GetProperty("reminder_enabled").GetBoolean());
        Assert.Equal(" 2 May 2010", created[1].GetProperty("due_date").GetString());
        Assert.Equal("Tue Nov 14 22:13:20 UTC 2023", created[1].GetProperty("reminder_datetime").GetString());
    }

    [Fact]
    public async Task APostWithMethodPutIsAChange()
    {
        var response = await _wire.SendAsync(HttpMethod.Post, "crm/organisations.api",
            [("_method", "PUT"), ("_authenticity_token", _wire.AuthenticityToken!), ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "Via POST Ltd")]);
        Assert.True(response.Json.GetProperty("success").GetBoolean(), response.Body);
    }

    [Fact]
    public async Task UpdatesMaintainUpdatedAtUpdatedByAndTheChangeCounter()
    {
        var id = NewOrganisation("Stamped Ltd");
        var lv = LockVersionOf("crm/organisations", id);
        var count = _emu.DefaultDatabase.ChangeRequestCount;
        var response = await _wire.PutAsync("crm/organisations.api", [.. Where(("id", "eq", S(id))), ("__method[]", "PUT"), ("id[]", S(id)), ("lock_version[]", S(lv)), ("organisation_num_employees[]", "250")]);
        var affected = response.Json.GetProperty("affected_objects")[0];
        Assert.Equal(250, affected.GetProperty("organisation_num_employees").GetInt32());
        Assert.Equal(2, affected.GetProperty("updated_by").GetInt32());
        Assert.Equal(count + 1, _emu.DefaultDatabase.ChangeRequestCount);
    }
}
