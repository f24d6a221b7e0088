using Sample.Crm;
using Workbooks.Emulator;
using Workbooks.Tests.Shared;

namespace Workbooks.EndToEnd.Tests;

/// <summary>A running application asks whether the live database still matches the snapshot its client was generated from.</summary>
public sealed class DriftTests
{
    private static string Schema(string file) => RepositoryPaths.Combine("schema", file);

    private static async Task<SchemaDriftReport> CheckAgainstAsync(string schemaFile)
    {
        await using var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions
        {
            SchemaPath = Schema(schemaFile), PeopleCount = 5, OrganisationCount = 5, OtherRecordCount = 1,
        });
        await using var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = emulator.BaseAddress, ApiKey = emulator.ApiKey, AllowInsecureLoopback = true });
        var before = emulator.Control.Requests.Count;
        var report = await new SampleCrm(session).CheckSchemaDriftAsync();
        Assert.Equal(1, emulator.Control.Requests.Count - before); // one metadata request
        return report;
    }

    [Fact]
    public async Task TheSnapshotItselfHasNoDrift()
    {
        var report = await CheckAgainstAsync("sample.types.json");
        Assert.False(report.HasBreakingDrift);
        Assert.Empty(report.Breaking);
        Assert.Empty(report.Compatible);
        Assert.Equal("No drift from the snapshot.", report.ToString());
    }

    [Fact]
    public async Task TheV2DatabaseReportsTheRemovedFieldAndTheChangedDatatypeAsBreakingAndTheAddedFieldAsCompatible()
    {
        var report = await CheckAgainstAsync("sample-v2.types.json");

        Assert.True(report.HasBreakingDrift);
        Assert.Equal(
            [
                "Private::Crm::Organisation: the field 'cf_organisation_legacy_code' (string) is gone",
                "Private::Crm::Person: the field 'cf_person_score' changed datatype from integer to decimal",
            ],
            report.Breaking.Order(StringComparer.Ordinal));
        var added = Assert.Single(report.Compatible);
        Assert.StartsWith("Private::Crm::Person: the field 'cf_person_loyalty_tier' (picklist_data) was added", added, StringComparison.Ordinal);
    }
}
