using Workbooks.Runtime.Tests.TestSupport;

namespace Workbooks.Runtime.Tests.Records;

public sealed class ProjectionEmulator() : EmulatorFixture(people: 30, organisations: 5, others: 1);

/// <summary>The untyped query's projection, and what happens, without the generator's analyzer, when one is not exact.</summary>
public sealed class ProjectionRecordingTests(ProjectionEmulator fixture) : SharedEmulatorTests<ProjectionEmulator>(fixture)
{
    [Fact]
    public async Task AnUntypedProjectionAsksForTheFieldsItsGettersRead()
    {
        var projection = Session.Records("crm/people").Take(3).Select(r => new { Name = r.GetString("name"), Score = r.GetInt64("cf_person_score") });

        var rows = await projection.ToListAsync();

        Assert.Equal(["cf_person_score", "name"], projection.Columns.Order(StringComparer.Ordinal));
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.False(string.IsNullOrEmpty(r.Name)));
        var request = Emu.Control.Requests.Last(r => r.Path == "/crm/people.api");
        Assert.Equal(["cf_person_score", "id", "lock_version", "name"], request.ParameterValues("_select_columns[]").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AProjectionThatDoesMoreThanReadFieldsIsRefusedBeforeAnythingIsSent()
    {
        Emu.Control.ClearRequests();

        var e = Assert.Throws<InvalidOperationException>(() => Session.Records("crm/people").Select(r => r.GetString("name")!.ToUpperInvariant()));

        Assert.StartsWith("This projection does more than read fields (NullReferenceException", e.Message, StringComparison.Ordinal);
        Assert.Contains(".AsAsyncEnumerable().Select(...)", e.Message, StringComparison.Ordinal);
        Assert.Empty(Emu.Control.Requests);
    }

    [Fact]
    public async Task AProjectionThatReadsNoFieldStillRequestsOnlyTheKey()
    {
        var ones = await Session.Records("crm/people").Take(2).Select(_ => 1).ToListAsync();

        Assert.Equal([1, 1], ones);
        var request = Emu.Control.Requests.Last(r => r.Path == "/crm/people.api");
        Assert.Equal(["id", "lock_version"], request.ParameterValues("_select_columns[]").Order(StringComparer.Ordinal));
    }
}
