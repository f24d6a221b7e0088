using Workbooks.Emulator.Tests.TestSupport;

namespace Workbooks.Emulator.Tests;

/// <summary>Seeded data looks like a database: picklist entries belong to their own picklists.</summary>
public sealed class SeedingTests(SharedEmulator shared) : IClassFixture<SharedEmulator>
{
    [Fact]
    public void EveryPicklistEntryBelongsToThePicklistItWasSeededFor()
    {
        var db = shared.Emulator.DefaultDatabase;
        var picklists = db.Ids("admin/picklists").ToDictionary(id => id, id => db.Get("admin/picklists", id)!["name"]);
        var byPicklist = db.Ids("admin/picklist_entries").Select(id => db.Get("admin/picklist_entries", id)!)
            .GroupBy(e => long.Parse(e["picklist_id"]!, System.Globalization.CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => g.Select(e => e["value"]).ToArray());

        Assert.NotEmpty(byPicklist);
        Assert.All(byPicklist.Keys, id => Assert.True(picklists.ContainsKey(id), $"entries point at picklist {id}, which does not exist"));
        // A picklist's entries are the values seeded for it: e.g. every "… Priorities" picklist holds priorities only.
        foreach (var (id, values) in byPicklist.Where(kv => picklists[kv.Key] is { } name && name.Contains("Priorit", StringComparison.OrdinalIgnoreCase)))
            Assert.All(values, v => Assert.Contains(v, new[] { "Low", "Medium", "High", "Urgent" }));
        // A picklist holds each of its values once (relinking at random mixed several picklists' values together).
        Assert.All(byPicklist.Values, values => Assert.Equal(values.Length, values.Distinct().Count()));
    }

    [Fact]
    public void SeededRecordsAreCreatedUpToNowSoTheLastThirtyDaysHoldSome()
    {
        var db = shared.Emulator.DefaultDatabase;
        var now = DateTime.UtcNow;
        var created = db.Ids("crm/people")
            .Select(id => DateTime.ParseExact(db.Get("crm/people", id)!["created_at"]!, "ddd MMM dd HH:mm:ss 'UTC' yyyy", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal))
            .ToArray();

        Assert.Contains(created, c => c >= now.AddDays(-30));
        Assert.All(created, c => Assert.True(c <= now.AddMinutes(1), $"created {c:u}, after now"));
        Assert.Contains(created, c => c < now.AddDays(-365));
    }
}
