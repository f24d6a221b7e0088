using Workbooks.Runtime.Tests.TestSupport;

namespace Workbooks.Runtime.Tests.Query;

public sealed class DeltaPositionEmulator() : EmulatorFixture(people: 120, organisations: 5, others: 1);

/// <summary>A whole copy, then the changes since it began: the position is taken from the service's clock first.</summary>
public sealed class DeltaPositionNowTests(DeltaPositionEmulator fixture) : SharedEmulatorTests<DeltaPositionEmulator>(fixture)
{
    [Fact]
    public async Task ThePositionIsTheServicesClockLessTheMarginReadWithOneSmallRequest()
    {
        var before = DateTimeOffset.UtcNow; // the Date header is to the second

        var position = await Session.Records("crm/people").DeltaPositionNowAsync();

        var request = Assert.Single(Emu.Control.Requests, r => r.Path == "/crm/people.api");
        Assert.Equal("1", request.Parameter("_limit"));
        Assert.Equal(["id", "lock_version"], request.ParameterValues("_select_columns[]").Order(StringComparer.Ordinal));
        Assert.Empty(position.Seen);
        Assert.InRange(position.UpdatedAt!.Value, before - DeltaPosition.SafetyMargin - TimeSpan.FromSeconds(2), DateTimeOffset.UtcNow - DeltaPosition.SafetyMargin);
    }

    [Fact]
    public async Task AChangeMadeWhileTheCopyIsReadComesAgainFromThePosition()
    {
        var people = Session.Records("crm/people").SelectFields("name");
        var position = await people.DeltaPositionNowAsync();
        var copy = new Dictionary<long, string?>();
        var changed = Emu.DefaultDatabase.Ids("crm/people")[3];
        await foreach (var person in people.PageSize(20))
        {
            if (copy.Count == 40) // another user renames a person the copy has already read
                Emu.DefaultDatabase.Update("crm/people", changed, new Dictionary<string, string?> { ["person_first_name"] = "Renamed" });
            copy[person.Id] = person.GetString("name");
        }
        Assert.NotEqual("Renamed", copy[changed]?.Split(' ')[0]);

        var changes = await people.ChangesSinceAsync(new DeltaCursor(position)).ToListAsync();

        Assert.Contains(changes, c => c.Id == changed && c.GetString("name")!.StartsWith("Renamed", StringComparison.Ordinal));
    }
}
