using Workbooks.Emulator;
using Workbooks.Runtime.Tests.TestSupport;
using static Workbooks.Filters.WorkbooksFilter;

namespace Workbooks.Runtime.Tests.Records;

public sealed class QueryEmulator() : EmulatorFixture(people: 600, organisations: 200, others: 5);

/// <remarks>
/// One emulator and session for the class: each test compares the service's answer with the store at the same moment,
/// and only the delta-sync test changes organisations. A test that cannot share starts its own emulator.
/// </remarks>
public sealed class QueryTests(QueryEmulator fixture) : SharedEmulatorTests<QueryEmulator>(fixture)
{
    private List<IReadOnlyDictionary<string, string?>> AllPeople() =>
        Emu.DefaultDatabase.Ids("crm/people").Select(id => Emu.DefaultDatabase.Get("crm/people", id)!).ToList();

    [Fact]
    public async Task ABooleanFilterWithAnAssociationPathReturnsExactlyTheMatchingRecords()
    {
        var query = Session.Records("crm/people")
            .Where(Field("person_last_name").StartsWith("G") & (Field("main_location[email]").StartsWith("a") | !Field("employer[name]").IsBlank()))
            .SelectFields("person_last_name", "main_location[email]", "employer_link")
            .PageSize(7);
        var ids = (await query.ToListAsync()).Select(r => r.Id).ToArray();

        // employer[name] is blank when the employer was deleted (the delta-sync test deletes an organisation).
        var liveOrganisations = Emu.DefaultDatabase.Ids("crm/organisations").Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        var expected = AllPeople().Where(p => (p["person_last_name"] ?? "").StartsWith('G')
                && ((p["main_location[email]"] ?? "").StartsWith('a') || (p["employer_link"] is { } employer && liveOrganisations.Contains(employer))))
            .Select(p => long.Parse(p["id"]!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, ids);
    }

    [Fact]
    public async Task SortedQueriesPageByOffsetInTheRequestedOrder()
    {
        var records = await Session.Records("crm/people").OrderByDescending("person_last_name").ThenBy("id").PageSize(50).Take(120).ToListAsync();
        Assert.Equal(120, records.Count);
        var keys = records.Select(r => (r.GetString("person_last_name")!, r.Id)).ToArray();
        Assert.Equal(keys.OrderByDescending(k => k.Item1, StringComparer.OrdinalIgnoreCase).ThenBy(k => k.Id), keys);
        Assert.Equal(120, records.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public async Task KeysetPagingSeesEverySurvivingRecordExactlyOnceWhileRecordsAreInsertedAndDeleted()
    {
        var before = Emu.DefaultDatabase.Ids("crm/people").ToHashSet();
        Emu.Control.Churn = new ConcurrentChurn("crm/people", InsertsPerRequest: 3, DeletesPerRequest: 4);
        var seen = new List<long>();
        try
        {
            await foreach (var person in Session.Records("crm/people").SelectFields("name").PageSize(40))
                seen.Add(person.Id);
        }
        finally
        {
            Emu.Control.Churn = null;
        }
        var after = Emu.DefaultDatabase.Ids("crm/people").ToHashSet();
        Assert.Equal(seen.Count, seen.Distinct().Count());                 // no duplicates
        Assert.Empty(after.Where(id => id <= seen.Max()).Except(seen));   // no survivor skipped
        Assert.True(seen.Count > 100);
        Assert.Contains(seen, id => !before.Contains(id));                // records inserted ahead were reached
    }

    [Fact]
    public async Task SessionExpiryInTheMiddleOfPagingResumesWithoutLoss()
    {
        await using var own = await UseOwnEmulatorAsync(); // its own: it expires every session and counts its session's re-logins
        var expected = Emu.DefaultDatabase.Ids("crm/people");
        var seen = new List<long>();
        await foreach (var person in Session.Records("crm/people").SelectFields("name").PageSize(100))
        {
            seen.Add(person.Id);
            if (seen.Count == 150)
                Emu.Control.ExpireAllSessions();
        }
        Assert.Equal(expected, seen);
        Assert.Equal(1, Session.ReloginCount);
    }

    [Fact]
    public async Task TakeSkipCountAndFirstAgreeWithTheService()
    {
        var query = Session.Records("crm/organisations").Where(Field("name").Contains("Ltd"));
        var all = await query.ToListAsync();
        Assert.Equal(all.Count, await query.CountAsync());
        var page = await query.Skip(3).Take(4).ToListAsync();
        Assert.Equal(all.Skip(3).Take(4).Select(r => r.Id), page.Select(r => r.Id));
        Assert.Equal(all[0].Id, (await query.FirstOrDefaultAsync())!.Id);
        Assert.Null(await Session.Records("crm/organisations").Where(Field("id").Equal(-1)).FirstOrDefaultAsync());
    }

    [Fact]
    public void ToStringShowsTheExactRequest()
    {
        var query = Session.Records("crm/people").Where(Field("person_last_name").StartsWith("Go") & Field("refcode").Contains("g,h")).SelectFields("name").Take(20);
        Assert.Equal("crm/people.api?_start=0&_limit=20&_sort=id&_dir=ASC&_ff[]=person_last_name&_ft[]=bg&_fc[]=Go&_ff[]=refcode&_ft[]=ct&_fc[]=g%2Ch&_select_columns[]=id&_select_columns[]=lock_version&_select_columns[]=name&__skip_total_rows=1",
            query.ToString());
    }

    [Fact]
    public async Task DeltaSyncReturnsChangesAndDeletionsSinceTheCursorOnce()
    {
        var cursor = new DeltaCursor();
        var first = await Session.Records("crm/organisations").SelectFields("name", "updated_at", "is_deleted").PageSize(90).ChangesSinceAsync(cursor).ToListAsync();
        Assert.Equal(Emu.DefaultDatabase.Count("crm/organisations", includeDeleted: true), first.Count);

        var nothing = await Session.Records("crm/organisations").ChangesSinceAsync(new DeltaCursor(cursor.Current)).ToListAsync();
        Assert.Empty(nothing);

        var changed = Emu.DefaultDatabase.Ids("crm/organisations")[5];
        var deleted = Emu.DefaultDatabase.Ids("crm/organisations")[6];
        Emu.DefaultDatabase.Update("crm/organisations", changed, new Dictionary<string, string?> { ["website"] = "www.changed.example" });
        Emu.DefaultDatabase.Delete("crm/organisations", deleted);
        var added = Emu.DefaultDatabase.Insert("crm/organisations", new Dictionary<string, string?> { ["name"] = "Added Ltd" });

        var delta = await Session.Records("crm/organisations").ChangesSinceAsync(cursor).ToListAsync();
        Assert.Equal(new[] { added, changed, deleted }.Order(), delta.Select(r => r.Id).Order());
        Assert.True(delta.Single(r => r.Id == deleted).GetBoolean("is_deleted"));
    }

    [Fact]
    public async Task TheQueueHelperProcessesFirstPagesUntilNothingMatches()
    {
        var query = Session.Records("crm/people").Where(Field("cf_person_sent_welcome_email").IsFalse()).PageSize(60);
        var expected = await query.CountAsync();
        var processed = await query.ProcessQueueAsync((page, _) =>
        {
            foreach (var person in page)
                Emu.DefaultDatabase.Update("crm/people", person.Id, new Dictionary<string, string?> { ["cf_person_sent_welcome_email"] = "1" });
            return Task.CompletedTask;
        });
        Assert.Equal(expected, processed);
        Assert.Equal(0, await query.CountAsync());
    }

    [Fact]
    public async Task TheQueueHelperRefusesToSpinOnUnprocessedRecords()
    {
        var query = Session.Records("crm/people").PageSize(10);
        await Assert.ThrowsAsync<InvalidOperationException>(() => query.ProcessQueueAsync((_, _) => Task.CompletedTask));
    }

    [Fact]
    public async Task UnknownFieldsAreKeptAndRoundTrip()
    {
        var person = (await Session.Records("crm/people").Take(1).ToListAsync())[0];
        Assert.True(person.TryGetRaw("_can_modify", out var canModify));
        Assert.True(canModify.GetBoolean());
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
            person.WriteTo(writer);
        using var doc = System.Text.Json.JsonDocument.Parse(buffer.ToArray());
        Assert.Equal(person.FieldNames.Order(), doc.RootElement.EnumerateObject().Select(p => p.Name).Order());
    }
}

internal static class AsyncEnumerableTestExtensions
{
    public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source) list.Add(item);
        return list;
    }
}
