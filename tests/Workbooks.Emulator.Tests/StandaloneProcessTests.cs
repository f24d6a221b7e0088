using System.Diagnostics;

namespace Workbooks.Emulator.Tests;

/// <summary>The standalone emulator process (the Workbooks.Emulator.Tool project, the workbooks-emulator tool) takes its
/// options, prints its credentials and stops cleanly on the signals service managers send.</summary>
public sealed class StandaloneProcessTests
{
    /// <summary>The tool's assembly, copied next to the tests by the project reference.</summary>
    private static string ToolDll
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "Workbooks.Emulator.Tool.dll");
            Assert.True(File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")), $"{dll} (and its runtimeconfig.json) not found");
            return dll;
        }
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task TheStandaloneEmulatorStopsCleanlyOnASignal(string signal)
    {
        var dll = ToolDll;
        using var process = Process.Start(new ProcessStartInfo("dotnet", [dll, "--urls", "http://127.0.0.1:0", "--people", "5", "--organisations", "5"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        try
        {
            using var started = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync(started.Token)) is not null && !line.StartsWith("Press Ctrl+C", StringComparison.Ordinal)) { }
            Assert.NotNull(line);

            using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(stopped.Token);

            Assert.Equal(0, process.ExitCode);
            Assert.Contains("Stopping.", await process.StandardOutput.ReadToEndAsync(), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task TheStandaloneEmulatorTakesItsOptionsAndPrintsEveryCredentialOfBothApis()
    {
        var dll = ToolDll;
        using var process = Process.Start(new ProcessStartInfo("dotnet",
            [dll, "--urls", "http://127.0.0.1:0", "--people", "5", "--organisations", "5", "--api-key", "crm-key-1",
             "--user", "ann@example.test:s3cret", "--user", "bob@example.test:an0ther",
             "--engagement-key", "eng-key-1:ws-a,ws-b", "--extraction-seconds", "3", "--objects-per-request", "10"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        try
        {
            using var started = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var lines = new List<string>();
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync(started.Token)) is not null && !line.StartsWith("Press Ctrl+C", StringComparison.Ordinal))
                lines.Add(line);

            Assert.Contains("API key: crm-key-1", lines);
            Assert.Contains(lines, l => l.StartsWith("User: ann@example.test / s3cret", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("User: bob@example.test / an0ther", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("Engagement API key: eng-key-1 (X-API-Key header; workspaces ws-a, ws-b; extraction takes 3 s)", StringComparison.Ordinal));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task AnUnknownOptionExitsWithTwoAndSaysWhatToTry()
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", [ToolDll, "--frobnicate"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Unknown argument '--frobnicate'. Try --help.", error, StringComparison.Ordinal);
    }
}
