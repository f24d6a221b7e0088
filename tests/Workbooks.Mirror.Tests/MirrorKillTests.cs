using System.Data.Common;
using System.Diagnostics;
using Workbooks.Emulator;
using Workbooks.Mirror.Tests.TestSupport;
using Xunit.Abstractions;

namespace Workbooks.Mirror.Tests;

/// <summary>
/// The promise that matters most: a mirror process killed (SIGKILL) at any instant, during its first load or during an
/// incremental run, while another user changes records, resumes to an exact copy. The mirror runs as the real CLI in a
/// child process; the kill points are seeded.
/// </summary>
public abstract class MirrorKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Kills = 20;
    private static readonly string[] Both = ["crm/people", "crm/organisations"];

    protected WorkbooksEmulator Emulator { get; private set; } = null!;

    /// <summary>The --to argument, and the environment the child needs for it.</summary>
    protected abstract Task<(string To, IReadOnlyDictionary<string, string> Environment)> NewTargetAsync();

    protected abstract Task<DbConnection> OpenAsync();

    public virtual async Task InitializeAsync() =>
        Emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 3000, OrganisationCount = 1500, OtherRecordCount = 2 });

    public virtual async Task DisposeAsync() => await Emulator.DisposeAsync();

    [Fact]
    public async Task KilledAtSeededRandomPointsTheMirrorResumesToAnExactCopy()
    {
        var (to, environment) = await NewTargetAsync();
        var random = new Random(20261130);
        int killed = 0, killedLoading = 0, killedSyncing = 0, completed = 0, changes = 0;
        var completedSinceChange = false;
        Churner churner;
        await using (churner = new Churner(Emulator.DefaultDatabase, seed: 5))
        {
            Emulator.Control.Churn = new ConcurrentChurn("crm/organisations", InsertsPerRequest: 1, DeletesPerRequest: 1) { UpdatesPerRequest = 1, Seed = 5 };
            var schemas = new[] { "sample-v2.types.json", "sample.types.json" };
            for (var run = 0; (killed < Kills || killedLoading < 5 || killedSyncing < 5) && run < 200; run++)
            {
                // Now and then, once a run has completed since the last change, an administrator changes the schema
                // (v1 <-> v2): the tables follow and are read again, so kills land in loads as well as in syncs (the
                // changes come when kills during loads are behind, so that both kinds keep coming whatever the speed).
                if (completedSinceChange && killedLoading < killedSyncing + 2)
                {
                    Emulator.ChangeSchemaFromFile(MirrorContractTests.SchemaFile(schemas[changes++ % 2]));
                    completedSinceChange = false;
                }
                using var process = StartMirror(to, environment);
                var delay = random.Next(100, 1500);
                if (process.WaitForExit(delay))
                {
                    Assert.True(process.ExitCode == 0, $"run {run} failed: {await process.StandardError.ReadToEndAsync()}");
                    completed++;
                    completedSinceChange = true;
                    continue;
                }
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                killed++;
                if (await AnyTableLoadingAsync())
                    killedLoading++;
                else
                    killedSyncing++;
            }
            Emulator.Control.Churn = null;
        }

        using (var last = StartMirror(to, environment))
        {
            await last.WaitForExitAsync();
            Assert.True(last.ExitCode == 0, await last.StandardError.ReadToEndAsync());
        }
        await using var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = Emulator.BaseAddress, ApiKey = Emulator.ApiKey, AllowInsecureLoopback = true });
        await using var connection = await OpenAsync();
        var differences = new List<MirrorDifference>();
        foreach (var path in Both)
            differences.Add(await MirrorComparison.CompareAsync(session, connection, path));

        output.WriteLine($"{killed} kills ({killedLoading} while a table was loading, {killedSyncing} while syncing), {completed} runs completed, {changes} schema changes; churn: {churner}");
        foreach (var difference in differences)
            output.WriteLine(difference.ToString());
        Assert.True(killed >= Kills && killedLoading >= 5 && killedSyncing >= 5, $"{killed} kills, {killedLoading} while loading, {killedSyncing} while syncing: at least {Kills}, and both kinds of run must be killed");
        Assert.All(differences, d => Assert.True(d.IsExact, d.ToString()));
    }

    private async Task<bool> AnyTableLoadingAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM workbooks_mirror_state WHERE phase = 'delta'";
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync()) < Both.Length;
        }
        catch (DbException)
        {
            return true; // killed before the state table was made
        }
    }

    /// <summary>The CLI as built in its own folder (next to its own dependencies), in this test run's configuration.</summary>
    private static string CliPath
    {
        get
        {
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // tests/X/bin/<Configuration>/<tfm>
            var root = here.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            var path = Path.Combine(root, "tools", "Workbooks.Cli", "bin", here.Parent.Name, here.Name, "Workbooks.Cli.dll");
            Assert.True(File.Exists(path), $"The CLI is not built at {path}.");
            return path;
        }
    }

    private Process StartMirror(string to, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     CliPath, "mirror", "--service", Emulator.BaseAddress.ToString(),
                     "--allow-http-loopback", "--api-key-env", "WORKBOOKS_TEST_KEY", "--to", to, "--types", "people,organisations",
                     "--partitions", "4", "--quiet",
                 })
            start.ArgumentList.Add(argument);
        start.Environment["WORKBOOKS_TEST_KEY"] = Emulator.ApiKey;
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        if (environment.ContainsKey("WORKBOOKS_TEST_PG_PASSWORD"))
        {
            start.ArgumentList.Add("--to-password-env");
            start.ArgumentList.Add("WORKBOOKS_TEST_PG_PASSWORD");
        }
        return Process.Start(start)!;
    }
}

public sealed class SqliteMirrorKillTests(ITestOutputHelper output) : MirrorKillTests(output)
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mirror-kill-").FullName;
    private string Path => System.IO.Path.Combine(_directory, "crm.db");

    protected override Task<(string To, IReadOnlyDictionary<string, string> Environment)> NewTargetAsync() =>
        Task.FromResult((Path, (IReadOnlyDictionary<string, string>)new Dictionary<string, string>()));

    protected override async Task<DbConnection> OpenAsync() => await MirrorComparison.OpenAsync(Path);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresMirrorKillTests(ITestOutputHelper output, PostgresFixture postgres) : MirrorKillTests(output)
{
    private string _connectionString = "";
    private Npgsql.NpgsqlDataSource? _source;

    protected override async Task<(string To, IReadOnlyDictionary<string, string> Environment)> NewTargetAsync()
    {
        _connectionString = await postgres.Server.CreateDatabaseAsync($"kill_{Guid.NewGuid():N}");
        return (_connectionString, new Dictionary<string, string> { ["WORKBOOKS_TEST_PG_PASSWORD"] = postgres.Server.Password });
    }

    protected override async Task<DbConnection> OpenAsync()
    {
        _source ??= postgres.Server.OpenDataSource(_connectionString);
        return await _source.OpenConnectionAsync();
    }

    public override async Task DisposeAsync()
    {
        if (_source is not null)
            await _source.DisposeAsync();
        await base.DisposeAsync();
    }
}
