using Workbooks.Emulator;
using Workbooks.Runtime.Tests.TestSupport;

namespace Workbooks.Runtime.Tests.Typed;

// Shaped like the generator's output, to test the runtime contract it relies on.
public sealed class HandPerson : WorkbooksEntity
{
    public HandPerson() { }
    public HandPerson(WorkbooksRecord record) : base(record) { }
    public string? Name { get => Record.GetString("name"); set => Record.Set("name", value); }
    public string? PersonLastName { get => Record.GetString("person_last_name"); set => Record.Set("person_last_name", value); }
    public long? EmployerLink { get => Record.GetInt64("employer_link"); set => Record.Set("employer_link", value); }
    public DateTimeOffset? UpdatedAt => Record.GetDateTime("updated_at");
    public string? Refcode { get => Record.GetString("refcode"); init => Record.Set("refcode", value); }

    public static RecordShape Shape { get; } = new(["name", "person_last_name", "employer_link", "updated_at", "refcode", "main_location"],
        notCreateable: ["main_location", "updated_at"], notUpdateable: ["refcode", "updated_at"]);
    public static RecordReader<HandPerson> Reader { get; } = new(Shape, static r => new HandPerson(r), static p => p.Record);
}

public sealed class HandOrganisationFields(FieldPath path)
{
    public StringField Name => new(path.Name("name"));
}

public sealed class HandPersonFields(FieldPath path)
{
    public static HandPersonFields Root { get; } = new(FieldPath.Root);
    public NumberField<long> Id => new(path.Name("id"));
    public StringField Name => new(path.Name("name"));
    public StringField PersonLastName => new(path.Name("person_last_name"));
    public StringField Email => new(path.Name("main_location[email]"));
    public BooleanField NoEmailSoliciting => new(path.Name("no_email_soliciting"));
    public DateTimeField UpdatedAt => new(path.Name("updated_at"));
    public HandOrganisationFields Employer => new(path.Into("employer"));
}

public sealed class TypedApiEmulator() : EmulatorFixture(people: 400, organisations: 100, others: 3);

/// <remarks>One emulator and session for the class: the changes are to records each test creates or reads itself.</remarks>
public sealed class TypedApiTests : SharedEmulatorTests<TypedApiEmulator>
{
    private readonly WorkbooksEndpoint<HandPerson, HandPersonFields> _people;

    public TypedApiTests(TypedApiEmulator fixture) : base(fixture)
    {
        _people = new(Session, "crm/people", HandPersonFields.Root, HandPerson.Reader);
    }

    [Fact]
    public void FieldPathsNestThroughAssociations()
    {
        Assert.Equal("name", FieldPath.Root.Name("name"));
        Assert.Equal("employer[name]", FieldPath.Root.Into("employer").Name("name"));
        Assert.Equal("primary_contact[main_location[email]]", FieldPath.Root.Into("primary_contact").Into("main_location").Name("email"));
    }

    [Fact]
    public void ShortCircuitOperatorsComposeTheWholeExpression()
    {
        var query = _people.Where(p => p.PersonLastName.StartsWith("G") && (p.Employer.Name == "Apex" || !p.Email.IsBlank()));
        Assert.Contains("_fm=1+AND+%282+OR+NOT+3%29", query.ToString(), StringComparison.Ordinal);
        Assert.Contains("_ff[]=employer%5Bname%5D&_ft[]=eq&_fc[]=Apex", query.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATypedQueryMatchesTheUntypedOne()
    {
        var typed = await _people.Where(p => p.PersonLastName.StartsWith("G") && p.NoEmailSoliciting == false)
            .OrderByDescending(p => p.PersonLastName).ThenBy(p => p.Id).Take(50).ToListAsync();
        var untyped = await Session.Records("crm/people")
            .Where(WorkbooksFilter.Field("person_last_name").StartsWith("G") & WorkbooksFilter.Field("no_email_soliciting").IsFalse())
            .OrderByDescending("person_last_name").ThenBy("id").Take(50).ToListAsync();
        Assert.NotEmpty(typed);
        Assert.Equal(untyped.Select(r => r.Id), typed.Select(p => p.Id));
        Assert.All(typed, p => Assert.StartsWith("G", p.PersonLastName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TypedChangeSetsCreateAndUpdateOnlyChangedProperties()
    {
        var batch = _people.Changes();
        var ada = batch.Create(new HandPerson { Name = "Ada Lovelace", PersonLastName = "Lovelace" });
        var existing = (await _people.Take(1).ToListAsync())[0];
        existing.PersonLastName = "Renamed";
        batch.Update(existing);
        await batch.SubmitAsync();

        Assert.True(ada.Id > 0);
        Assert.Equal("Lovelace", Emu.DefaultDatabase.Get("crm/people", ada.Id)!["person_last_name"]);
        Assert.Equal("Renamed", Emu.DefaultDatabase.Get("crm/people", existing.Id)!["person_last_name"]);
        Assert.Empty(existing.ChangedFields);
    }

    [Fact]
    public async Task FieldsTheSchemaForbidsAreRefusedBeforeAnythingIsSent()
    {
        var existing = (await _people.Take(1).ToListAsync())[0];
        existing.Record.Set("refcode", "CHANGED");
        var fresh = new HandPerson { Name = "New" };
        fresh.Record.Set("main_location", 5L);
        var batch = _people.Changes();
        var update = Assert.Throws<ArgumentException>(() => batch.Update(existing));
        Assert.Contains($"HandPerson {existing.Id} sets 'refcode', which the schema says cannot be changed by an update", update.Message, StringComparison.Ordinal);
        var create = Assert.Throws<ArgumentException>(() => batch.Create(fresh));
        Assert.Contains("HandPerson (new) sets 'main_location', which the schema says cannot be set when creating a record", create.Message, StringComparison.Ordinal);
        Assert.Equal(0, batch.Count);
    }

    [Fact]
    public async Task CreateOnlyFieldsAreSetWhenCreating()
    {
        var batch = _people.Changes();
        var created = batch.Create(new HandPerson { Name = "Ref Holder", Refcode = "REF-77" });
        await batch.SubmitAsync();
        Assert.Equal("REF-77", Emu.DefaultDatabase.Get("crm/people", created.Id)!["refcode"]);
        var read = await _people.Where(p => p.Id == created.Id).FirstOrDefaultAsync();
        Assert.Equal("REF-77", read!.Refcode);
        Assert.Same(HandPerson.Shape, HandPerson.Reader.Shape);
    }
}
