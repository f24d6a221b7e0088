using System.Text;
using Workbooks.Emulator;

namespace Workbooks.Cli.Tests;

/// <summary>pull and check against the emulator over HTTP, and the failure paths.</summary>
public sealed class ServiceTests(SchemaEmulatorsFixture emulators) : IClassFixture<SchemaEmulatorsFixture>
{
    private static Dictionary<string, string> KeyEnv(WorkbooksEmulator emu) => new() { ["WB_KEY"] = emu.ApiKey };

    [Fact]
    public async Task PullWritesAFileByteIdenticalToTheCommittedSample()
    {
        var emu = emulators.Sample;
        using var temp = new TempDir();
        var output = temp.File("pulled.types.json");
        var run = await CliRun.RunAsync(KeyEnv(emu), null,
            "schema", "pull", "--service", emu.BaseAddress.ToString(), "--api-key-env", "WB_KEY", "-o", output, "--allow-http-loopback");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(Encoding.UTF8.GetString(WithoutPicklists(File.ReadAllBytes(Repo.Sample))), File.ReadAllText(output));
        // Batches of 20 class names: 52 types arrive in three requests.
        Assert.Contains("fetched 20/52 types", run.Err);
        Assert.Contains("fetched 52/52 types", run.Err);
        Assert.Equal("", run.Out);
        Assert.DoesNotContain(emu.ApiKey, run.All);
        Assert.Empty(run.Prompts);
    }

    /// <summary>The committed sample without its picklists extension, normalised: what a plain pull writes.</summary>
    private static byte[] WithoutPicklists(byte[] snapshot)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(snapshot)!.AsObject();
        node.Remove("picklists");
        return SchemaNormaliser.Normalise(Encoding.UTF8.GetBytes(node.ToJsonString()));
    }

    [Fact]
    public async Task PullWithPicklistsCapturesTheEntriesOfThePicklistsTheFieldsUse()
    {
        var emu = emulators.Sample;
        using var temp = new TempDir();
        var output = temp.File("with-picklists.types.json");

        var run = await CliRun.RunAsync(KeyEnv(emu), null,
            "schema", "pull", "--service", emu.BaseAddress.ToString(), "--api-key-env", "WB_KEY", "-o", output, "--allow-http-loopback", "--picklists");

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("captured the entries of 26 picklists", run.Err, StringComparison.Ordinal);
        var pulled = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(output))!["picklists"]!.AsArray();
        Assert.DoesNotContain(pulled, p => (int)p!["picklist_id"]! == 33); // Case Priorities store entry ids, not text
        // The committed sample keeps three of them, exactly as pulled.
        var committed = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Repo.Sample))!["picklists"]!.AsArray();
        Assert.Equal(3, committed.Count);
        foreach (var picklist in committed)
            Assert.Contains(pulled, p => System.Text.Json.Nodes.JsonNode.DeepEquals(p, picklist));
        // Still a normalised snapshot.
        Assert.Equal(File.ReadAllBytes(output), SchemaNormaliser.Normalise(File.ReadAllBytes(output)));
    }

    [Fact]
    public async Task PullWithUsernameAndPasswordFromTheEnvironmentAndSmallBatches()
    {
        var emu = emulators.SampleV2;
        var user = emu.Users[1]; // two databases: needs --database
        var env = new Dictionary<string, string> { ["WB_PASSWORD"] = user.Password };
        var run = await CliRun.RunAsync(env, null,
            "schema", "pull", "--service", emu.BaseAddress.ToString(), "--username", user.Username, "--password-env", "WB_PASSWORD",
            "--database", user.DatabaseIds[0].ToString(System.Globalization.CultureInfo.InvariantCulture), "--batch-size", "10", "--allow-http-loopback", "-o", "-");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(Encoding.UTF8.GetString(WithoutPicklists(File.ReadAllBytes(Repo.SampleV2))), run.Out);
        Assert.Contains("fetched 10/53 types", run.Err);
        Assert.Contains("fetched 53/53 types", run.Err);
        Assert.DoesNotContain(user.Password, run.All);
    }

    [Fact]
    public async Task PasswordComesFromThePromptWhenNoVariableIsGiven()
    {
        var emu = emulators.Sample;
        var user = emu.Users[0];
        using var temp = new TempDir();
        var run = await CliRun.RunAsync(null, _ => user.Password,
            "schema", "pull", "--service", emu.BaseAddress.ToString(), "--username", user.Username, "--allow-http-loopback", "-o", temp.File("p.json"));
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal([$"Password for {user.Username}: "], run.Prompts);
        Assert.DoesNotContain(user.Password, run.All);
    }

    [Fact]
    public async Task NoSecretAndNoTerminalFailsClearly()
    {
        var run = await CliRun.RunAsync(null, _ => null,
            "schema", "pull", "--service", "http://127.0.0.1:1/", "--allow-http-loopback", "-o", "x.json");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("no API key", run.Err);
        Assert.Contains("WORKBOOKS_API_KEY", run.Err);
        Assert.Single(run.Err.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task CheckAgainstAServiceServingV2ReportsDriftAndExits2()
    {
        var emu = emulators.SampleV2;
        var run = await CliRun.RunAsync(KeyEnv(emu), null,
            "schema", "check", "--service", emu.BaseAddress.ToString(), "--api-key-env", "WB_KEY", "--allow-http-loopback", Repo.Sample);
        Assert.True(run.ExitCode == 2, run.All);
        Assert.Equal(4, run.ChangeLines.Count());
        Assert.Equal(2, run.ChangeLines.Count(l => l.StartsWith("BREAKING", StringComparison.Ordinal)));
        Assert.DoesNotContain(emu.ApiKey, run.All);
    }

    [Fact]
    public async Task CheckAgainstTheSameSnapshotExits0()
    {
        var emu = emulators.Sample;
        var run = await CliRun.RunAsync(new Dictionary<string, string> { ["WORKBOOKS_API_KEY"] = emu.ApiKey }, null,
            "schema", "check", Repo.Sample, "--service", emu.BaseAddress.ToString(), "--allow-http-loopback");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("No changes.", run.Out);
        Assert.DoesNotContain(emu.ApiKey, run.All);
    }

    [Fact]
    public async Task BadApiKeyExits3NamingTheFailureReasonAndNeverPrintsTheKey()
    {
        var emu = emulators.Sample;
        const string canary = "31337-27182-81828-45904-52353-60287-47135-26624";
        using var temp = new TempDir();
        var run = await CliRun.RunAsync(new Dictionary<string, string> { ["WB_KEY"] = canary }, null,
            "schema", "pull", "--service", emu.BaseAddress.ToString(), "--api-key-env", "WB_KEY", "--allow-http-loopback", "-o", temp.File("x.json"));
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("unrecognised_name_or_password", run.Err);
        Assert.Single(run.Err.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain(canary, run.All);
        Assert.DoesNotContain("   at ", run.All);
        Assert.False(File.Exists(temp.File("x.json")));
    }

    [Fact]
    public async Task BadPasswordExits3AndNeverPrintsIt()
    {
        var emu = emulators.Sample;
        const string canary = "Canary-Passw0rd-7f3a9";
        var run = await CliRun.RunAsync(new Dictionary<string, string> { ["PW"] = canary }, null,
            "schema", "check", "--service", emu.BaseAddress.ToString(), "--username", emu.Users[0].Username, "--password-env", "PW", "--allow-http-loopback", Repo.Sample);
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("unrecognised_name_or_password", run.Err);
        Assert.DoesNotContain(canary, run.All);
    }

    [Fact]
    public async Task UnreachableServiceExits3WithOneLine()
    {
        var port = Repo.ClosedPort();
        var run = await CliRun.RunAsync(new Dictionary<string, string> { ["WB_KEY"] = "12345-12345-12345-12345-12345-12345-12345-12345" }, null,
            "schema", "pull", "--service", $"http://127.0.0.1:{port}/", "--api-key-env", "WB_KEY", "--allow-http-loopback", "-o", "unused.json");
        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith($"error: cannot reach http://127.0.0.1:{port}/", run.Err, StringComparison.Ordinal);
        Assert.Single(run.Err.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("12345-12345-12345", run.All);
        Assert.DoesNotContain("   at ", run.All);
    }

    [Fact]
    public async Task MalformedJsonExits3WithLineAndColumn()
    {
        using var temp = new TempDir();
        var path = temp.File("broken.json");
        File.WriteAllText(path, "{\n  \"data\": [\n    {\"class_name\": \"A\",}\n  ]\n}\n", new UTF8Encoding(false));
        var run = await CliRun.RunAsync("schema", "diff", Repo.Sample, path);
        Assert.Equal(3, run.ExitCode);
        Assert.Contains($"{path}: malformed JSON at line 3, column ", run.Err);
        Assert.Single(run.Err.TrimEnd('\n').Split('\n'));

        var normalise = await CliRun.RunAsync("schema", "normalise", path);
        Assert.Equal(3, normalise.ExitCode);
        Assert.Contains("line 3", normalise.Err);
    }

    [Fact]
    public async Task JsonThatIsNotASnapshotAndMissingFilesExit3()
    {
        using var temp = new TempDir();
        var path = temp.File("array.json");
        File.WriteAllText(path, "[1, 2]\n");
        var run = await CliRun.RunAsync("schema", "diff", path, Repo.Sample);
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("not a metadata/types.api snapshot", run.Err);

        var missing = await CliRun.RunAsync("schema", "diff", Repo.Sample, temp.File("nope.json"));
        Assert.Equal(3, missing.ExitCode);
        Assert.Equal($"error: {temp.File("nope.json")}: file not found.\n", missing.Err);
    }
}

public sealed class UsageTests
{
    [Theory]
    [InlineData]
    [InlineData("frobnicate")]
    [InlineData("schema")]
    [InlineData("schema", "explode")]
    [InlineData("schema", "diff", "only-one.json")]
    [InlineData("schema", "diff", "a.json", "b.json", "--bogus")]
    [InlineData("schema", "pull", "--service", "https://example.invalid/")]
    [InlineData("schema", "pull", "-o", "x.json")]
    [InlineData("schema", "pull", "--service", "not a url", "-o", "x.json")]
    [InlineData("schema", "pull", "--service", "http://127.0.0.1:9/", "-o", "x.json", "--api-key-env", "K")]
    [InlineData("schema", "pull", "--service", "http://example.com/", "-o", "x.json", "--api-key-env", "K", "--allow-http-loopback")]
    [InlineData("schema", "pull", "--service", "https://example.invalid/", "-o", "x.json", "--api-key-env", "K", "--username", "u")]
    [InlineData("schema", "pull", "--service", "https://example.invalid/", "-o", "x.json", "--password-env", "P")]
    [InlineData("schema", "pull", "--service", "https://example.invalid/", "-o", "x.json", "--username", "u", "--database", "abc")]
    [InlineData("schema", "pull", "--service", "https://example.invalid/", "-o", "x.json", "--batch-size", "0")]
    [InlineData("schema", "pull", "--service", "https://example.invalid/", "-o")]
    [InlineData("schema", "check", "--service", "https://example.invalid/")]
    [InlineData("schema", "normalise")]
    [InlineData("schema", "normalise", "a.json", "--check", "-o", "b.json")]
    public async Task UsageErrorsExit64(params string[] args)
    {
        var run = await CliRun.RunAsync(new Dictionary<string, string> { ["K"] = "12345-12345-12345-12345-12345-12345-12345-12345" }, _ => "pw", args);
        Assert.True(run.ExitCode == 64, run.All);
        Assert.StartsWith("workbooks: ", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("12345-12345", run.All);
    }

    [Theory]
    [InlineData("--api-key")]
    [InlineData("--password")]
    public async Task SecretsOnTheCommandLineAreRefusedWithoutEcho(string option)
    {
        var run = await CliRun.RunAsync("schema", "pull", "--service", "https://example.invalid/", "-o", "x.json", $"{option}=hunter2-canary");
        Assert.Equal(64, run.ExitCode);
        Assert.Contains("never go on the command line", run.Err);
        Assert.DoesNotContain("hunter2-canary", run.All);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("schema", "pull", "--help")]
    [InlineData("schema", "diff", "-h")]
    [InlineData("--version")]
    public async Task HelpAndVersionExit0(params string[] args)
    {
        var run = await CliRun.RunAsync(args);
        Assert.Equal(0, run.ExitCode);
        Assert.NotEmpty(run.Out);
    }

    [Fact]
    public void ParserAcceptsInlineValuesAndDoubleDash()
    {
        var parsed = ParsedArguments.Parse(["--output=a.json", "x", "--", "--not-an-option"], "t", new Dictionary<string, string> { ["--output"] = "--output" }, []);
        Assert.Equal("a.json", parsed.Value("--output"));
        Assert.Equal(["x", "--not-an-option"], parsed.Positionals);
        Assert.Throws<UsageException>(() => ParsedArguments.Parse(["--output", "a", "--output", "b"], "t", new Dictionary<string, string> { ["--output"] = "--output" }, []));
    }
}
