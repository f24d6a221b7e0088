using System.Diagnostics;
using System.Runtime.InteropServices;
using Workbooks.Emulator;
using Workbooks.Tests.Shared;

namespace Workbooks.EndToEnd.Tests;

/// <summary>
/// The generated client published native AOT (samples/AotConsumer: a projection, a find, a unit of work) gives no trim or
/// AOT warning, and the native program does its job against the emulator over HTTP.
/// </summary>
public sealed class AotConsumerTests
{
    private static string Repository() => RepositoryPaths.Root;

    [Fact]
    public async Task TheGeneratedClientPublishesNativeAotWithoutWarningsAndRuns()
    {
        var output = Directory.CreateTempSubdirectory("aot-consumer-").FullName;
        try
        {
            var rid = RuntimeInformation.RuntimeIdentifier;
            var (code, log) = await RunAsync("dotnet", TimeSpan.FromMinutes(5), null,
                "publish", Path.Combine(Repository(), "samples", "AotConsumer", "AotConsumer.csproj"), "-c", "Release", "-r", rid, "-o", output, "--nologo");
            Assert.True(code == 0, log);
            Assert.DoesNotContain("warning IL", log, StringComparison.Ordinal); // trim (IL2xxx) and AOT (IL3xxx) analysis
            Assert.True(File.Exists(Path.Combine(output, "AotConsumer")), log);
            Assert.False(File.Exists(Path.Combine(output, "AotConsumer.dll")), "a native AOT publish leaves no managed program: " + log);

            await using var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 20, OrganisationCount = 5, OtherRecordCount = 1 });
            var (exit, printed) = await RunAsync(Path.Combine(output, "AotConsumer"), TimeSpan.FromMinutes(1),
                new Dictionary<string, string> { ["WORKBOOKS_SERVICE"] = emulator.BaseAddress.ToString(), ["WORKBOOKS_API_KEY"] = emulator.ApiKey });

            Assert.True(exit == 0, printed);
            var lines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(3, lines.Count(l => l.StartsWith("projection: ", StringComparison.Ordinal) && l.Contains(" works for ", StringComparison.Ordinal)));
            var first = emulator.DefaultDatabase.Get("crm/people", emulator.DefaultDatabase.Ids("crm/people")[0])!;
            Assert.Contains($"find: {first["name"]} lock_version {first["lock_version"]}", lines);
            Assert.Contains(lines, l => l.StartsWith("unit of work: True organisation 6 person 21 employer_link 6", StringComparison.Ordinal));
            Assert.Contains("step 1: crm/organisations, 1 record (#0): 1 request, one transaction", lines);
            Assert.Contains("step 2: crm/people, 1 record (#1): 1 request, one transaction", lines);
            Assert.Equal("6", emulator.DefaultDatabase.Get("crm/people", 21)!["employer_link"]);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in {timeout}: {await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
