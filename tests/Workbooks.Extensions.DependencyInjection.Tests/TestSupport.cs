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

public static class Emulators
{
    public static Task<WorkbooksEmulator> StartAsync(string schemaPath) =>
        WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { SchemaPath = schemaPath, PeopleCount = 10, OrganisationCount = 10, OtherRecordCount = 2 });
}
