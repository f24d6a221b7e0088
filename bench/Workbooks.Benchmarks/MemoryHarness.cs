using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Sample.Crm;

namespace Workbooks.Benchmarks;

/// <summary>Suite 5: whole-process memory. The emulator runs as a child process (so its 100,000 seeded people do not
/// count); each paging run is a fresh process whose peak working set is measured.</summary>
internal static class MemoryHarness
{
    public const double Bar = 1.2;

    public static async Task<int> RunAsync()
    {
        var emulatorDll = FindEmulator();
        var schema = Support.RepoFile("schema/sample.types.json");
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}/";
        var key = "12345-23456-34567-45678-56789-67890-78901-89012";
        Console.WriteLine($"Emulator: dotnet {emulatorDll} --urls {url} --people 100000 (child process)");
        using var emulator = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { emulatorDll, "--urls", url.TrimEnd('/'), "--people", "100000", "--organisations", "1000", "--api-key", key, "--schema", schema },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        try
        {
            var sw = Stopwatch.StartNew();
            while (true)
            {
                var line = await emulator.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(5));
                if (line is null) throw new InvalidOperationException("The emulator exited: " + await emulator.StandardError.ReadToEndAsync());
                if (line.Contains("listening", StringComparison.OrdinalIgnoreCase)) break;
            }
            _ = emulator.StandardOutput.ReadToEndAsync();
            _ = emulator.StandardError.ReadToEndAsync();
            Console.WriteLine($"Emulator ready after {sw.Elapsed.TotalSeconds:F1} s (pid {emulator.Id}).");

            var results = new List<RunResult>();
            foreach (var n in new[] { 10_000, 100_000 })
            {
                var result = await RunChildAsync(n, url, key);
                results.Add(result);
                Console.WriteLine($"  {n,7:N0} people: peak working set {Mb(result.Peak)} (after-GC baseline {Mb(result.Baseline)}, growth {Mb(result.Peak - result.Baseline)}), managed heap after {Mb(result.HeapAfter)}, {result.Seconds:F1} s, {result.Records:N0} records");
            }
            var ratio = (double)results[1].Peak / results[0].Peak;
            var growthRatio = (double)Math.Max(1, results[1].Peak - results[1].Baseline) / Math.Max(1, results[0].Peak - results[0].Baseline);
            Console.WriteLine();
            Console.WriteLine("| Suite 5: memory | people | peak working set | baseline (after GC) | growth over baseline | ratio (peak) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            Console.WriteLine($"| page 10,000 (baseline) | 10,000 | {Mb(results[0].Peak)} | {Mb(results[0].Baseline)} | {Mb(results[0].Peak - results[0].Baseline)} | 1.00 |");
            Console.WriteLine($"| page 100,000 | 100,000 | {Mb(results[1].Peak)} | {Mb(results[1].Baseline)} | {Mb(results[1].Peak - results[1].Baseline)} | {ratio:F2} |");
            Console.WriteLine($"(growth ratio 100k/10k = {growthRatio:F2})");
            Console.WriteLine(Bars.Line("5 memory", $"peak at 100k ≤ {Bar}× peak at 10k", ratio <= Bar, $"{ratio:F2}×"));
            return 0;
        }
        finally
        {
            if (!emulator.HasExited) { emulator.Kill(); await emulator.WaitForExitAsync(); }
        }
    }

    private static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " MB";

    private sealed record RunResult(long Records, long Baseline, long Peak, long HeapAfter, double Seconds);

    private static async Task<RunResult> RunChildAsync(int n, string url, string key)
    {
        // A fresh process of this program: through the apphost when we run from it, else `dotnet <this dll>`.
        var host = Environment.ProcessPath ?? "dotnet";
        var viaDotnet = Path.GetFileNameWithoutExtension(host) == "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (viaDotnet) start.ArgumentList.Add(typeof(MemoryHarness).Assembly.Location);
        foreach (var arg in new[] { "--memory-run", n.ToString(CultureInfo.InvariantCulture), url, key }) start.ArgumentList.Add(arg);
        using var child = Process.Start(start)!;
        var stdout = await child.StandardOutput.ReadToEndAsync();
        var stderr = await child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync();
        var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The {n} run failed ({child.ExitCode}): {stdout}\n{stderr}");
        var values = line[7..].Split(' ').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        return new RunResult(long.Parse(values["records"], CultureInfo.InvariantCulture), long.Parse(values["baseline"], CultureInfo.InvariantCulture),
            long.Parse(values["peak"], CultureInfo.InvariantCulture), long.Parse(values["heap"], CultureInfo.InvariantCulture),
            double.Parse(values["seconds"], CultureInfo.InvariantCulture));
    }

    /// <summary>The child: connect, warm up (one page), force a GC, reset the peak, then page N people.</summary>
    public static async Task<int> ChildAsync(int n, string url, string key)
    {
        await using var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = new Uri(url), ApiKey = key, AllowInsecureLoopback = true });
        var crm = new SampleCrm(session);
        long sum = 0;
        await foreach (var p in crm.People.PageSize(100).Take(100)) sum += p.Id;

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var baseline = self.WorkingSet64;
        // Reset the kernel's peak RSS (VmHWM) so the peak covers the paging only (Linux; ignored elsewhere).
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }

        var sw = Stopwatch.StartNew();
        long records = 0;
        await foreach (var p in crm.People.PageSize(100).Take(n))
        {
            records++;
            sum += p.Id + (p.Name?.Length ?? 0);
        }
        sw.Stop();
        self.Refresh();
        var peak = Math.Max(self.PeakWorkingSet64, baseline);
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        Console.WriteLine(FormattableString.Invariant($"RESULT records={records} baseline={baseline} peak={peak} heap={heap} seconds={sw.Elapsed.TotalSeconds:F2} checksum={sum}"));
        return records == n ? 0 : 3;
    }

    private static string FindEmulator()
    {
        // The standalone emulator is the Workbooks.Emulator.Tool project (the library has no entry point).
        var local = Path.Combine(AppContext.BaseDirectory, "Workbooks.Emulator.Tool.dll");
        if (File.Exists(local) && File.Exists(Path.Combine(AppContext.BaseDirectory, "Workbooks.Emulator.Tool.runtimeconfig.json"))) return local;
        // bench/Workbooks.Benchmarks/bin/<Configuration>/net10.0/ → emulator/Workbooks.Emulator.Tool/bin/<Configuration>/net10.0/
        var config = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var sibling = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../emulator/Workbooks.Emulator.Tool/bin", config, "net10.0/Workbooks.Emulator.Tool.dll"));
        return File.Exists(sibling) ? sibling : throw new FileNotFoundException("Workbooks.Emulator.Tool.dll not found next to the benchmarks or in the emulator tool's build output.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
