using Sample.Crm;
using Workbooks.Emulator;

namespace Workbooks.EndToEnd.Tests;

/// <summary>One emulator and a session connected to it, shared by <see cref="GeneratedClientTests"/>.</summary>
public sealed class GeneratedClientEmulator : IAsyncLifetime
{
    public WorkbooksEmulator Emulator { get; private set; } = null!;

    public WorkbooksSession Session { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 500, OrganisationCount = 200, OtherRecordCount = 5 });
        Session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = Emulator.BaseAddress, ApiKey = Emulator.ApiKey, AllowInsecureLoopback = true });
    }

    /// <summary>Called at the start of each test: no churn or fault left behind, and an empty request log.</summary>
    public void Reset()
    {
        Emulator.Control.ClearFaults();
        Emulator.Control.Churn = null;
        Emulator.Control.ForcedLoginFailure = null;
        Emulator.Control.ClearRequests();
    }

    public async Task DisposeAsync()
    {
        if (Session is not null)
            await Session.DisposeAsync();
        if (Emulator is not null)
            await Emulator.DisposeAsync();
    }
}

/// <summary>The generated client for schema/sample.types.json, against the emulator over HTTP.</summary>
/// <remarks>
/// One emulator and session for the class: each test compares what the client returns with the store at the same
/// moment, changes only records it creates or reads itself, ends its churn in a finally, and reads only its own
/// requests from the log.
/// </remarks>
public sealed class GeneratedClientTests : IClassFixture<GeneratedClientEmulator>
{
    private readonly WorkbooksEmulator _emu;
    private readonly WorkbooksSession _session;
    private readonly SampleCrm _crm;

    public GeneratedClientTests(GeneratedClientEmulator fixture)
    {
        fixture.Reset();
        _emu = fixture.Emulator;
        _session = fixture.Session;
        _crm = new SampleCrm(_session);
    }

    private IEnumerable<IReadOnlyDictionary<string, string?>> Stored(string path) =>
        _emu.DefaultDatabase.Ids(path).Select(id => _emu.DefaultDatabase.Get(path, id)!);

    [Fact]
    public async Task ATypedBooleanQueryWithAnAssociationPathReturnsExactlyTheMatchingPeople()
    {
        var people = await _crm.People
            .Where(p => p.PersonLastName.StartsWith("G") && (p.Employer.Name.Contains("Ltd") || !p.MainLocation.Email.IsBlank()))
            .OrderBy(p => p.Id)
            .ToListAsync();

        var organisations = Stored("crm/organisations").ToDictionary(o => o["id"]!, o => o["name"]);
        var expected = Stored("crm/people")
            .Where(p => (p["person_last_name"] ?? "").StartsWith('G')
                && ((p["employer_link"] is { } e && (organisations.GetValueOrDefault(e) ?? "").Contains("Ltd", StringComparison.OrdinalIgnoreCase))
                    || !string.IsNullOrEmpty(p["main_location[email]"])))
            .Select(p => long.Parse(p["id"]!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, people.Select(p => p.Id));
        Assert.All(people, p => Assert.StartsWith("G", p.PersonLastName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ComparisonOperatorsOnDatesBooleansAndTimesAreSentAsTheServicesOperators()
    {
        var since = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var review = new DateOnly(2021, 6, 7);
        var query = _crm.People.Where(p => p.CreatedAt >= since && p.CfPersonSentWelcomeEmail == true
            && p.CfPersonLastReviewDate < review && p.CfPersonPreferredMeetingTime <= new TimeOnly(9, 30) && p.UpdatedAt != since);

        var people = await query.ToListAsync();

        var sent = _emu.Control.Requests.Last(r => r.Path == "/crm/people.api");
        Assert.Equal(["created_at", "cf_person_sent_welcome_email", "cf_person_last_review_date", "cf_person_preferred_meeting_time", "updated_at"],
            sent.ParameterValues("_ff[]"));
        Assert.Equal(["ge", "true", "lt", "le", "ne"], sent.ParameterValues("_ft[]"));
        Assert.Equal(["Thu Jan 02 03:04:05 UTC 2020", "", "7 Jun 2021", "09:30:00"], sent.ParameterValues("_fc[]").Take(4));
        // The first request is the one ToString() prints (apart from client=api and the cache-buster).
        var printed = query.ToString().Split('?', 2)[1].Split('&')
            .Select(pair => pair.Split('=', 2))
            .Select(kv => new KeyValuePair<string, string>(Uri.UnescapeDataString(kv[0].Replace('+', ' ')), Uri.UnescapeDataString(kv[1].Replace('+', ' '))));
        // (the emulator records a query string's parameters grouped by name, so compare each name's values in order)
        static string[] ByName(IEnumerable<KeyValuePair<string, string>> pairs) =>
            [.. pairs.GroupBy(p => p.Key).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key + "=" + string.Join("|", g.Select(p => p.Value)))];
        Assert.Equal(ByName(printed), ByName(sent.Parameters.Where(p => p.Key is not ("_dc" or "client"))));
        Assert.All(people, p =>
        {
            Assert.True(p.CreatedAt >= since);
            Assert.True(p.CfPersonSentWelcomeEmail);
            Assert.True(p.CfPersonLastReviewDate < review);
            Assert.True(p.CfPersonPreferredMeetingTime <= new TimeOnly(9, 30));
        });
    }

    [Fact]
    public async Task ADateTimeComparisonSelectsExactlyTheRecordsItSays()
    {
        var everyone = await _crm.People.ToListAsync();
        var since = everyone.Select(p => p.CreatedAt!.Value).Order().ElementAt(everyone.Count / 2);

        var recent = await _crm.People.Where(p => p.CreatedAt >= since).ToListAsync();
        var older = await _crm.People.Where(p => p.CreatedAt < since).ToListAsync();

        Assert.Equal(everyone.Where(p => p.CreatedAt >= since).Select(p => p.Id), recent.Select(p => p.Id));
        Assert.Equal(everyone.Where(p => p.CreatedAt < since).Select(p => p.Id), older.Select(p => p.Id));
        Assert.NotEmpty(recent);
        Assert.NotEmpty(older);
    }

    [Fact]
    public async Task AQueryIsNotAnAsyncEnumerableButAsAsyncEnumerableIsTheExplicitStepIntoLinq()
    {
        Assert.DoesNotContain(typeof(IAsyncEnumerable<Person>), _crm.People.GetType().GetInterfaces());
        var typed = await _crm.People.Where(p => p.PersonLastName.StartsWith("G")).OrderBy(p => p.Id).ToListAsync();

        // Client-side operators run over what the service returned, after the explicit step.
        var endsWithN = await _crm.People.Where(p => p.PersonLastName.StartsWith("G")).OrderBy(p => p.Id).AsAsyncEnumerable()
            .Where(p => p.PersonLastName!.EndsWith('n')).ToListAsync();

        Assert.Equal(typed.Where(p => p.PersonLastName!.EndsWith('n')).Select(p => p.Id), endsWithN.Select(p => p.Id));
    }

    [Fact]
    public async Task TypedPropertiesReadEveryDatatype()
    {
        var task = (await _crm.Tasks.Where(t => !t.DueDate.IsBlank()).Take(1).ToListAsync())[0];
        Assert.NotNull(task.DueDate);
        Assert.NotNull(task.UpdatedAt);
        Assert.Equal(TimeSpan.Zero, task.UpdatedAt!.Value.Offset);
        var organisation = (await _crm.Organisations.Take(1).ToListAsync())[0];
        Assert.Equal("GBP", organisation.OrganisationAnnualRevenue?.Code);
    }

    [Fact]
    public async Task KeysetPagingSeesEverySurvivorOnceUnderChurn()
    {
        _emu.Control.Churn = new ConcurrentChurn("crm/people", 2, 3);
        var seen = new List<long>();
        try
        {
            await foreach (var person in _crm.People.PageSize(60))
                seen.Add(person.Id);
        }
        finally
        {
            _emu.Control.Churn = null;
        }
        var survivors = _emu.DefaultDatabase.Ids("crm/people").Where(id => id <= seen.Max());
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Empty(survivors.Except(seen));
    }

    [Fact]
    public async Task AChangeSetCreatesUpdatesAndReportsConflictsAndFieldErrors()
    {
        var batch = _crm.Organisations.Changes();
        var created = batch.Create(new Organisation { Name = "Generated Ltd", OrganisationNumEmployees = 12 });
        var existing = (await _crm.Organisations.Skip(5).Take(1).ToListAsync())[0];
        existing.Website = "www.generated.example";
        batch.Update(existing);
        await batch.SubmitAsync();
        Assert.True(created.Id > 0);
        Assert.Equal("12", _emu.DefaultDatabase.Get("crm/organisations", created.Id)!["organisation_num_employees"]);

        // someone else changes it: our stale copy conflicts
        _emu.DefaultDatabase.Update("crm/organisations", existing.Id, new Dictionary<string, string?> { ["website"] = "www.other.example" });
        existing.Website = "www.mine.example";
        var conflict = _crm.Organisations.Changes();
        conflict.Update(existing);
        var e = await Assert.ThrowsAsync<WorkbooksConcurrencyException>(() => conflict.SubmitAsync());
        Assert.Same(existing.Record, Assert.Single(e.ConflictingRecords));

        // per-object errors: a nameless organisation fails, the other is applied
        var mixed = _crm.Organisations.Changes();
        var good = mixed.Create(new Organisation { Name = "Good Ltd" });
        mixed.Create(new Organisation { Website = "www.nameless.example" });
        var result = await mixed.SubmitAsync(new ChangeSetOptions { PerObjectTransactions = true, ThrowOnFailure = false });
        Assert.True(good.Id > 0);
        Assert.Equal("can't be blank", result.Results[1].Errors["name"].Single());
    }

    [Fact]
    public async Task CreateOnlyFieldsAreSetOnCreateAndRefusedOnUpdate()
    {
        // refcode is createable but not updateable: an init accessor, so only a new record's initializer sets it.
        var batch = _crm.People.Changes();
        var created = batch.Create(new Person { Name = "Init Only", PersonLastName = "Only", Refcode = "P-INIT-1" });
        await batch.SubmitAsync();
        var read = await _crm.People.Where(p => p.Id == created.Id).FirstOrDefaultAsync();
        Assert.Equal("P-INIT-1", read!.Refcode);
        Assert.Contains("refcode", Person.Shape.NotUpdateable);
        Assert.Contains("created_at", Person.Shape.NotCreateable);

        // Set untyped behind the typed surface's back, it is still refused before anything is sent.
        read.Record.Set("refcode", "P-CHANGED");
        _emu.Control.ClearRequests();
        var update = _crm.People.Changes();
        var e = Assert.Throws<ArgumentException>(() => update.Update(read));
        Assert.Contains("'refcode'", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, update.Count);
        Assert.Empty(_emu.Control.Requests);
        Assert.Equal("P-INIT-1", _emu.DefaultDatabase.Get("crm/people", created.Id)!["refcode"]);
    }

    [Fact]
    public async Task TheGeneratedReaderKeepsFieldsTheSchemaDoesNotName()
    {
        var person = (await _crm.People.Take(1).ToListAsync()).Single();
        // _can_* permission flags are not in the schema's fields: the shape learns them and the record keeps them.
        Assert.Contains(person.Record.FieldNames, n => n.StartsWith("_can_", StringComparison.Ordinal));
        Assert.Contains(Person.Shape.Fields, n => n.StartsWith("_can_", StringComparison.Ordinal));
        Assert.Equal(_emu.DefaultDatabase.Get("crm/people", person.Id)!["name"], person.Name);
    }
}
