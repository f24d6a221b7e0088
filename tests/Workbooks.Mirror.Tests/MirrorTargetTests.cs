namespace Workbooks.Mirror.Tests;

/// <summary>Targets as people write them on a command line.</summary>
public sealed class MirrorTargetTests
{
    [Theory]
    [InlineData("crm.db", false)]
    [InlineData("/var/lib/mirror/crm.sqlite", false)]
    [InlineData("Host=db;Database=crm;Username=crm", true)]
    [InlineData("Server=db;Database=crm", true)]
    [InlineData("postgres://crm@db:5433/crm?sslmode=verify-full", true)]
    public void ATargetIsPostgreSqlWhenItNamesAServer(string target, bool postgres) =>
        Assert.Equal(postgres, MirrorTarget.Parse(target).IsPostgreSql);

    [Fact]
    public void AUrlKeepsItsSettingsAndNeverShowsAPassword()
    {
        var target = MirrorTarget.Parse("postgres://crm@db:5433/crm?sslmode=verify-full", password: "secret");

        Assert.Equal("PostgreSQL db:5433/crm", target.Description);
        Assert.DoesNotContain("secret", target.ToString(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => MirrorTarget.Parse("postgres://crm:secret@db/crm"));
        Assert.Throws<ArgumentException>(() => MirrorTarget.Parse("postgres://crm@db/crm?password=secret"));
    }

    [Fact]
    public void LongNamesStayWithinPostgreSqlsLimitAndApart()
    {
        var a = Schema.Datatypes.ColumnNameOf("cf_" + new string('a', 70) + "_first");
        var b = Schema.Datatypes.ColumnNameOf("cf_" + new string('a', 70) + "_second");

        Assert.Equal(63, a.Length);
        Assert.Equal(63, b.Length);
        Assert.NotEqual(a, b);
        Assert.Equal("crm_people", Schema.Datatypes.TableNameOf("crm/people"));
        Assert.Equal("main_location_email", Schema.Datatypes.ColumnNameOf("main_location[email]"));
    }

    [Theory]
    [InlineData("assigned_to_name", false, true)]
    [InlineData("employer_name", false, true)]
    [InlineData("party_name", false, true)]
    [InlineData("assigned_to_name", true, false)]   // writable: the record's own value
    [InlineData("name", false, false)]
    [InlineData("file_name", false, false)]         // no link beside it
    public void AReadOnlyNameBesideALinkIsARelatedRecordsName(string field, bool writable, bool derived) =>
        Assert.Equal(derived, Schema.MirrorTable.IsDerivedName(field, writable, new HashSet<string> { "assigned_to", "employer_link", "party_id", "name", "file_name" }));
}
