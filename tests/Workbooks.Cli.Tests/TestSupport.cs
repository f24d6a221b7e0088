using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Workbooks.Cli;
using Workbooks.Emulator;

namespace Workbooks.Cli.Tests;

public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Sample => Path.Combine(Root, "schema", "sample.types.json");
    public static string SampleV2 => Path.Combine(Root, "schema", "sample-v2.types.json");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "schema", "sample.types.json")))
                return dir.FullName;
        }
        throw new InvalidOperationException("schema/sample.types.json not found above " + AppContext.BaseDirectory);
    }

    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>One CLI run in-process: captured stdout/stderr, a fake environment and prompt.</summary>
public sealed class CliRun
{
    public required int ExitCode { get; init; }
    public required string Out { get; init; }
    public required string Err { get; init; }
    public List<string> Prompts { get; } = [];

    public string All => Out + Err;

    public static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string>? environment, Func<string, string?>? prompt, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var prompts = new List<string>();
        var code = await CliApp.RunAsync(args, stdout, stderr,
            name => environment is not null && environment.TryGetValue(name, out var v) ? v : null,
            text => { prompts.Add(text); return prompt?.Invoke(text); });
        var run = new CliRun { ExitCode = code, Out = stdout.ToString(), Err = stderr.ToString() };
        run.Prompts.AddRange(prompts);
        return run;
    }

    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(null, null, args);

    public IEnumerable<string> ChangeLines => Out.Split('\n').Where(l => l.StartsWith("BREAKING", StringComparison.Ordinal) || l.StartsWith("compatible", StringComparison.Ordinal));
}

public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("workbooks-cli-tests-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// Two small emulators shared by a test class, one serving the sample schema and one serving sample-v2. The CLI only
/// reads metadata and logs in (or fails to), so no test depends on what another does.
/// </summary>
public sealed class SchemaEmulatorsFixture : IAsyncLifetime
{
    public WorkbooksEmulator Sample { get; private set; } = null!;

    public WorkbooksEmulator SampleV2 { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var sample = StartAsync(Repo.Sample);
        var sampleV2 = StartAsync(Repo.SampleV2);
        Sample = await sample;
        SampleV2 = await sampleV2;
    }

    public async Task DisposeAsync()
    {
        if (Sample is not null)
            await Sample.DisposeAsync();
        if (SampleV2 is not null)
            await SampleV2.DisposeAsync();
    }

    private static Task<WorkbooksEmulator> StartAsync(string schemaPath) =>
        WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { SchemaPath = schemaPath, PeopleCount = 10, OrganisationCount = 10, OtherRecordCount = 2 });
}

public static class Snapshots
{
    /// <summary>The sample with one field added to a type: a purely additive change.</summary>
    public static string WithAddedField(string path)
    {
        var root = JsonNode.Parse(System.IO.File.ReadAllText(path))!;
        var person = root["data"]!.AsArray().First(t => (string?)t!["class_name"] == "Private::Crm::Person")!;
        person["fields"]!.AsArray().Add(new JsonObject
        {
            ["datatype"] = "string",
            ["default_value"] = null,
            ["is_createable"] = true,
            ["is_filterable"] = true,
            ["is_nullable"] = true,
            ["is_updateable"] = true,
            ["name"] = "cf_person_nickname",
            ["required"] = false,
            ["title"] = "Nickname",
        });
        return root.ToJsonString();
    }
}
