using Sample.Crm;
using Workbooks.EndToEnd.Tests.TestSupport;

namespace Workbooks.EndToEnd.Tests;

/// <summary>Flags of the sample snapshot that the vendor's own examples rely on (issue #16): what they write compiles and is stored.</summary>
public sealed class SnapshotFlagsTests() : EmulatorClientTests(people: 5, organisations: 5)
{
    [Fact]
    public async Task APartyLocationsMapPositionAnOpportunitysHomeCurrencyAndAProductWithoutANameAreWritable()
    {
        var party = Emu.DefaultDatabase.Ids("crm/organisations")[0];
        var location = new PartyLocation { PartyId = party, MapPosition = "51.50000,-0.12000,found,25,OSM" };
        var opportunity = new Opportunity { Description = "Home currency by default" };
        var product = new Product { Description = "Unnamed" };
        var work = Crm.UnitOfWork();
        work.Create(Crm.ContactDetails, location);
        work.Create(Crm.Opportunities, opportunity);
        work.Create(Crm.Products, product);

        var result = await work.SubmitAsync();

        Assert.True(result.Success, string.Join("; ", result.Failures));
        Assert.Equal("51.50000,-0.12000,found,25,OSM", Emu.DefaultDatabase.Get("crm/party_locations", location.Id)!["map_position"]);
        Assert.Equal("GBP", Emu.DefaultDatabase.Get("crm/opportunities", opportunity.Id)!["home_currency"]); // the database's home currency
        var fetched = (await Crm.Opportunities.FindAsync(opportunity.Id))!;
        fetched.HomeCurrency = "EUR";
        var update = Crm.Opportunities.Changes();
        update.Update(fetched);
        await update.SubmitAsync();
        Assert.Equal("EUR", Emu.DefaultDatabase.Get("crm/opportunities", opportunity.Id)!["home_currency"]);
    }
}
