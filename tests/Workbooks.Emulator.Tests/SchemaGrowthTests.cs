using System.Globalization;
using System.Net;
using System.Text.Json;
using Workbooks.Emulator.Tests.TestSupport;
using static Workbooks.Emulator.Tests.TestSupport.Filters;

namespace Workbooks.Emulator.Tests;

/// <summary>
/// Records that change the metadata, as the service's do: a custom record type created through the API is served at
/// once at <c>custom_record/{route_suffix}</c>, and a custom field appears on its record type at once, so that the
/// next request can create records with it (the vendor's custom record type and custom field examples).
/// </summary>
public sealed class SchemaGrowthTests : IAsyncLifetime, IDisposable
{
    private WorkbooksEmulator _emu = null!;
    private Wire _wire = null!;

    public async Task InitializeAsync()
    {
        _emu = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 5, OrganisationCount = 5, OtherRecordCount = 2 });
        _wire = new Wire(_emu, "SchemaGrowth plugin/1.0");
        await _wire.LoginAsync(("api_key", _emu.ApiKey));
    }

    public async Task DisposeAsync() => await _emu.DisposeAsync();

    public void Dispose() => _wire.Dispose();

    private async Task<JsonElement[]> CreateAsync(string path, params (string Field, string Value)[][] objects)
    {
        var parameters = new List<(string, string)>();
        foreach (var fields in objects)
            parameters.AddRange([("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), .. fields.Select(f => (f.Field + "[]", f.Value))]);
        var response = await _wire.PutAsync(path + ".api", [.. parameters]);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(response.Json.GetProperty("success").GetBoolean(), response.Body);
        return [.. response.Json.GetProperty("affected_objects").EnumerateArray()];
    }

    private async Task<string[]> FieldNamesAsync(string className)
    {
        var metadata = await _wire.GetAsync("metadata/types.api", [("class_names[]", className)]);
        Assert.Equal(HttpStatusCode.OK, metadata.Status);
        return [.. Assert.Single(metadata.Data).GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!)];
    }

    [Fact]
    public async Task ACustomRecordTypeIsServedAtOnceAndItsCustomFieldsCanBeWrittenByTheNextRequest()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _wire.GetAsync("custom_record/company_cars.api", [.. Page(0, 10)])).Status);

        var type = (await CreateAsync("admin/custom_record_types",
            [("name", "Company Car"), ("name_plural", "Company Cars"), ("object_ref_prefix", "CAR"), ("route_suffix", "company_cars")]))[0];
        var className = type.GetProperty("resource_type").GetString()!;
        var empty = await _wire.GetAsync("custom_record/company_cars.api", [.. Page(0, 10)]);
        Assert.Equal(HttpStatusCode.OK, empty.Status);
        Assert.Empty(empty.Data); // a new type has no records, seeded or otherwise

        var fields = await CreateAsync("admin/custom_fields",
            [("title", "Registration Plate"), ("resource_type", className), ("data_type", "string")],
            [("title", "Last Service Date"), ("resource_type", className), ("data_type", "date")]);
        Assert.Equal(["cf_company_car_registration_plate", "cf_company_car_last_service_date"], fields.Select(f => f.GetProperty("value_column_name").GetString()));
        Assert.Contains("cf_company_car_registration_plate", await FieldNamesAsync(className));

        var car = (await CreateAsync("custom_record/company_cars", [("name", "Ford Van"), ("cf_company_car_registration_plate", "PR3F3CT"), ("cf_company_car_last_service_date", "31 Jan 2018")]))[0];
        var read = await _wire.GetAsync("custom_record/company_cars.api", [.. Page(0, 10), .. Select(["id", "name", "cf_company_car_registration_plate", "cf_company_car_last_service_date"])]);
        var row = Assert.Single(read.Data);
        Assert.Equal(car.GetProperty("id").GetInt64(), row.GetProperty("id").GetInt64());
        Assert.Equal("PR3F3CT", row.GetProperty("cf_company_car_registration_plate").GetString());
        Assert.Equal("31 Jan 2018", row.GetProperty("cf_company_car_last_service_date").GetString());
    }

    [Fact]
    public async Task ACustomFieldOnPeopleCanBeSetOnAPersonByTheNextRequest()
    {
        Assert.DoesNotContain("cf_person_loyalty_member", await FieldNamesAsync("Private::Crm::Person"));
        await CreateAsync("admin/custom_fields", [("title", "Loyalty Member"), ("resource_type", "Private::Crm::Person"), ("data_type", "boolean")],
            [("title", "Map"), ("resource_type", "Private::Crm::Person"), ("data_type", "iframe")]);

        var names = await FieldNamesAsync("Private::Crm::Person");
        Assert.Contains("cf_person_loyalty_member", names);
        Assert.DoesNotContain("cf_person_map", names); // an iframe holds no value on the record

        var person = (await _wire.GetAsync("crm/people.api", [.. Page(0, 1), .. Select(["id", "lock_version"])])).Data[0];
        var id = person.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);
        var update = await _wire.PutAsync("crm/people.api", [("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", id), ("__method[]", "PUT"), ("id[]", id),
            ("lock_version[]", person.GetProperty("lock_version").GetInt64().ToString(CultureInfo.InvariantCulture)), ("cf_person_loyalty_member[]", "true")]);
        Assert.True(update.Json.GetProperty("success").GetBoolean(), update.Body);
        var read = await _wire.GetAsync("crm/people.api", [.. Page(0, 1), .. Where(("id", "eq", id)), .. Select(["id", "cf_person_loyalty_member"])]);
        Assert.True(Assert.Single(read.Data).GetProperty("cf_person_loyalty_member").GetBoolean());
    }
}
