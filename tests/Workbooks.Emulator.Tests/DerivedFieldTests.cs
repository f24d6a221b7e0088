using System.Globalization;
using System.Net;
using Workbooks.Emulator.Tests.TestSupport;

namespace Workbooks.Emulator.Tests;

/// <summary>Fields the service derives follow their sources on every change made through the API.</summary>
public sealed class DerivedFieldTests : IClassFixture<SharedEmulator>, IDisposable
{
    private readonly WorkbooksEmulator _emu;
    private readonly Wire _wire;

    public DerivedFieldTests(SharedEmulator shared)
    {
        _emu = shared.Emulator;
        _wire = new Wire(_emu, "derived-test/1.0");
        _wire.LoginAsync(("api_key", _emu.ApiKey)).GetAwaiter().GetResult();
    }

    public void Dispose() => _wire.Dispose();

    private static string S(long v) => v.ToString(CultureInfo.InvariantCulture);

    private async Task<System.Text.Json.JsonElement> PersonAsync(long id)
    {
        var page = await _wire.GetAsync("crm/people.api", ("_start", "0"), ("_limit", "1"), ("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", S(id)),
            ("_select_columns[]", "name"), ("_select_columns[]", "employer_name"), ("_select_columns[]", "lock_version"));
        return page.Json.GetProperty("data")[0];
    }

    [Fact]
    public async Task APersonCreatedThroughTheApiGetsItsNameAndEmployerName()
    {
        var org = _emu.DefaultDatabase.Insert("crm/organisations", new Dictionary<string, string?> { ["name"] = "Derived Employer Ltd" });

        var created = await _wire.PutAsync("crm/people.api", ("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", "0"),
            ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("person_first_name[]", "Ada"), ("person_last_name[]", "Byron"), ("employer_link[]", S(org)));
        Assert.Equal(HttpStatusCode.OK, created.Status);
        var affected = created.Json.GetProperty("affected_objects")[0];
        var id = affected.GetProperty("id").GetInt64();

        Assert.Equal("Ada Byron", affected.GetProperty("name").GetString());
        var person = await PersonAsync(id);
        Assert.Equal("Ada Byron", person.GetProperty("name").GetString());
        Assert.Equal("Derived Employer Ltd", person.GetProperty("employer_name").GetString());
    }

    [Fact]
    public async Task ANameFollowsItsPartsAndAnEmployerNameFollowsARenameUnlessTheNameIsSetItself()
    {
        var org = _emu.DefaultDatabase.Insert("crm/organisations", new Dictionary<string, string?> { ["name"] = "Before Ltd" });
        var id = _emu.DefaultDatabase.Insert("crm/people", new Dictionary<string, string?> { ["person_first_name"] = "Grace", ["person_last_name"] = "Murray", ["employer_link"] = S(org) });
        var lockVersion = (await PersonAsync(id)).GetProperty("lock_version").GetInt32();

        var renamed = await _wire.PutAsync("crm/people.api", ("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", S(id)),
            ("__method[]", "PUT"), ("id[]", S(id)), ("lock_version[]", S(lockVersion)), ("person_last_name[]", "Hopper"));
        Assert.Equal("Grace Hopper", renamed.Json.GetProperty("affected_objects")[0].GetProperty("name").GetString());
        _emu.DefaultDatabase.Update("crm/organisations", org, new Dictionary<string, string?> { ["name"] = "After Ltd" });
        var person = await PersonAsync(id);
        Assert.Equal("Grace Hopper", person.GetProperty("name").GetString());
        Assert.Equal("After Ltd", person.GetProperty("employer_name").GetString());

        var explicitName = await _wire.PutAsync("crm/people.api", ("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", S(id)),
            ("__method[]", "PUT"), ("id[]", S(id)), ("lock_version[]", S(lockVersion + 1)), ("person_first_name[]", "Amazing"), ("name[]", "Amazing Grace"));
        Assert.Equal("Amazing Grace", explicitName.Json.GetProperty("affected_objects")[0].GetProperty("name").GetString());
    }
}
