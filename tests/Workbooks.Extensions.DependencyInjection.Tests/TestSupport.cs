using Workbooks.Emulator;

namespace Workbooks.Extensions.DependencyInjection.Tests;

public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Sample => Path.Combine(Root, "schema", "sample.types.json");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "schema", "sample.types.json")))
                return dir.FullName;
        }
        throw new InvalidOperationException("schema/sample.types.json not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// One small emulator serving the sample schema, shared by a test class. Its tests only read seeded records and open
/// (and close) sessions of their own, so none depends on what another changes.
/// </summary>
public sealed class SampleEmulatorFixture : IAsyncLifetime
{
    public WorkbooksEmulator Emulator { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { SchemaPath = Repo.Sample, PeopleCount = 10, OrganisationCount = 10, OtherRecordCount = 2 });

    public async Task DisposeAsync() => await Emulator.DisposeAsync();
}
