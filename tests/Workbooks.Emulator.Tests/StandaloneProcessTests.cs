using System.Diagnostics;
using Workbooks.Emulator;

namespace Workbooks.Emulator.Tests;

/// <summary>The standalone emulator process stops cleanly on the signals service managers send.</summary>
public sealed class StandaloneProcessTests
{
    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task TheStandaloneEmulatorStopsCleanlyOnASignal(string signal)
    {
        var dll = typeof(WorkbooksEmulator).Assembly.Location;
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
}
