using Sample.Crm;
using Workbooks.Emulator;
using Workbooks.EndToEnd.Tests.TestSupport;

namespace Workbooks.EndToEnd.Tests;

/// <summary>Picklists whose entries the snapshot captured are value types: known entries by name, others kept.</summary>
public sealed class PicklistTests() : EmulatorClientTests(people: 5, organisations: 80)
{
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
        var healthcare = await Crm.Organisations.Where(o => o.Industry == IndustriesPicklist.Healthcare).ToListAsync();
        var some = await Crm.Organisations.Where(o => o.Industry.In(IndustriesPicklist.Food, IndustriesPicklist.Retail)).ToListAsync();

        Assert.NotEmpty(healthcare);
        Assert.All(healthcare, o => Assert.Equal(IndustriesPicklist.Healthcare, o.Industry));
        Assert.Equal(Emu.DefaultDatabase.Ids("crm/organisations").Count(id => Emu.DefaultDatabase.Get("crm/organisations", id)!["industry"] == "Healthcare"), healthcare.Count);
        Assert.All(some, o => Assert.Contains(o.Industry!.Value, new[] { IndustriesPicklist.Food, IndustriesPicklist.Retail }));
        var request = Emu.Control.Requests.Last(r => r.Path == "/crm/organisations.api");
        Assert.Equal(["industry"], request.ParameterValues("_ff[]"));
    }

    [Fact]
    public async Task AValueUnknownAtCompileTimeSurvivesAReadAndAnUpdate()
    {
        var id = Emu.DefaultDatabase.Insert("crm/organisations", new Dictionary<string, string?> { ["name"] = "Orbital Holidays", ["industry"] = "Space Tourism" });

        var organisation = (await Crm.Organisations.FindAsync(id))!;
        Assert.Equal("Space Tourism", organisation.Industry!.Value.Value);
        Assert.False(organisation.Industry.Value.IsKnown);
        organisation.Website = "https://orbital.example";          // another field changes; the picklist value is left as it is
        var update = Crm.Organisations.Changes();
        update.Update(organisation);
        await update.SubmitAsync();
        Assert.Equal("Space Tourism", Emu.DefaultDatabase.Get("crm/organisations", id)!["industry"]);

        organisation.Industry = "Deep Sea Mining";                 // and a new unknown value is sent as written
        var again = Crm.Organisations.Changes();
        again.Update(organisation);
        await again.SubmitAsync();
        Assert.Equal("Deep Sea Mining", Emu.DefaultDatabase.Get("crm/organisations", id)!["industry"]);
        Assert.Equal("Deep Sea Mining", (await Crm.Organisations.FindAsync(id))!.Industry?.Value);
    }
}
