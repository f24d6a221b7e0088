using Sample.Crm;
using Workbooks.Emulator;

namespace Workbooks.EndToEnd.Tests;

/// <summary>Picklists whose entries the snapshot captured are value types: known entries by name, others kept.</summary>
public sealed class PicklistTests : IAsyncLifetime
{
    private WorkbooksEmulator _emu = null!;
    private WorkbooksSession _session = null!;
    private SampleCrm _crm = null!;

    public async Task InitializeAsync()
    {
        _emu = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 5, OrganisationCount = 80, OtherRecordCount = 1 });
        _session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = _emu.BaseAddress, ApiKey = _emu.ApiKey, AllowInsecureLoopback = true });
        _crm = new SampleCrm(_session);
    }

    public async Task DisposeAsync()
    {
        await _session.DisposeAsync();
        await _emu.DisposeAsync();
    }

    [Fact]
    public void TheTypeNamesThePicklistAndHoldsItsCapturedEntries()
    {
        Assert.Equal("Industries", IndustriesPicklist.PicklistName);
        Assert.Equal(1, IndustriesPicklist.PicklistId);
        Assert.Equal(["Education", "Food", "Healthcare", "Manufacturing", "Media & Entertainment", "Professional Services", "Retail", "Software"],
            IndustriesPicklist.Known.Select(k => k.Value));
        Assert.Equal("Media & Entertainment", IndustriesPicklist.MediaEntertainment.Value);
        Assert.Equal("Dr.", PersonalTitlesPicklist.Dr.ToString());
        Assert.True(IndustriesPicklist.Food.IsKnown);
        Assert.False(((IndustriesPicklist)"Space Tourism").IsKnown);
    }

    [Fact]
    public async Task FiltersTakeTheValueType()
    {
        var healthcare = await _crm.Organisations.Where(o => o.Industry == IndustriesPicklist.Healthcare).ToListAsync();
        var some = await _crm.Organisations.Where(o => o.Industry.In(IndustriesPicklist.Food, IndustriesPicklist.Retail)).ToListAsync();

        Assert.NotEmpty(healthcare);
        Assert.All(healthcare, o => Assert.Equal(IndustriesPicklist.Healthcare, o.Industry));
        Assert.Equal(_emu.DefaultDatabase.Ids("crm/organisations").Count(id => _emu.DefaultDatabase.Get("crm/organisations", id)!["industry"] == "Healthcare"), healthcare.Count);
        Assert.All(some, o => Assert.Contains(o.Industry!.Value, new[] { IndustriesPicklist.Food, IndustriesPicklist.Retail }));
        var request = _emu.Control.Requests.Last(r => r.Path == "/crm/organisations.api");
        Assert.Equal(["industry"], request.ParameterValues("_ff[]"));
    }

    [Fact]
    public async Task AValueUnknownAtCompileTimeSurvivesAReadAndAnUpdate()
    {
        var id = _emu.DefaultDatabase.Insert("crm/organisations", new Dictionary<string, string?> { ["name"] = "Orbital Holidays", ["industry"] = "Space Tourism" });

        var organisation = (await _crm.Organisations.FindAsync(id))!;
        Assert.Equal("Space Tourism", organisation.Industry!.Value.Value);
        Assert.False(organisation.Industry.Value.IsKnown);
        organisation.Website = "https://orbital.example";          // another field changes; the picklist value is left as it is
        var update = _crm.Organisations.Changes();
        update.Update(organisation);
        await update.SubmitAsync();
        Assert.Equal("Space Tourism", _emu.DefaultDatabase.Get("crm/organisations", id)!["industry"]);

        organisation.Industry = "Deep Sea Mining";                 // and a new unknown value is sent as written
        var again = _crm.Organisations.Changes();
        again.Update(organisation);
        await again.SubmitAsync();
        Assert.Equal("Deep Sea Mining", _emu.DefaultDatabase.Get("crm/organisations", id)!["industry"]);
        Assert.Equal("Deep Sea Mining", (await _crm.Organisations.FindAsync(id))!.Industry?.Value);
    }
}
