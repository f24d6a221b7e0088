using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Workbooks.Packaging.Tests;

/// <summary>
/// Packs the public packages into a temporary feed and builds and runs a fresh consumer project, outside the repository,
/// that uses only PackageReferences to Workbooks.Generator, Workbooks.Runtime and Workbooks.Emulator: the packaged
/// generator must generate the typed client from a <c>WorkbooksSchema</c> item and the packaged runtime must run a typed
/// query against the packaged emulator, started in-process. The packaged <c>workbooks-emulator</c> tool is installed
/// from the feed and run as a server. Every package carries the same metadata (license, project, repository and commit,
/// readme) and every library package has a symbol package whose PDB carries Source Link.
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
    private static readonly string[] PackedProjects =
    [
        "generator/Workbooks.Generator/Workbooks.Generator.csproj",
        "runtime/Workbooks.Runtime/Workbooks.Runtime.csproj",
        "runtime/Workbooks.Engagement/Workbooks.Engagement.csproj",
        "runtime/Workbooks.Extensions.DependencyInjection/Workbooks.Extensions.DependencyInjection.csproj",
        "runtime/Workbooks.Mirror/Workbooks.Mirror.csproj",
        "tools/Workbooks.Cli/Workbooks.Cli.csproj",
        "emulator/Workbooks.Emulator/Workbooks.Emulator.csproj",
        "emulator/Workbooks.Emulator.Tool/Workbooks.Emulator.Tool.csproj",
    ];

    /// <summary>The packages a project references as a library: each comes with a .snupkg.</summary>
    private static readonly string[] LibraryPackages =
        ["Workbooks.Runtime", "Workbooks.Engagement", "Workbooks.Extensions.DependencyInjection", "Workbooks.Mirror", "Workbooks.Emulator"];

    /// <summary>The project and repository URL of every package (Directory.Build.props).</summary>
    private const string ProjectUrl = "https://github.com/workbooks-generated/workbooks-generated";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "workbooks-packaging-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(_root))
                Directory.Delete(_root, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    [Fact]
    [Trait("Category", "Packaging")]
    public async Task PackedGeneratorAndRuntimeWorkInAFreshConsumerProject()
    {
        var repo = Workbooks.Tests.Shared.RepositoryPaths.Root;
        var version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + "." + Environment.ProcessId;
        var feed = Directory.CreateDirectory(Path.Combine(_root, "feed")).FullName;
        var consumer = Directory.CreateDirectory(Path.Combine(_root, "consumer")).FullName;
        var nugetPackages = Directory.CreateDirectory(Path.Combine(_root, "nuget-packages")).FullName;
        Assert.False(IsUnder(consumer, repo), $"the consumer {consumer} must be outside the repository {repo}");

        // Empty props/targets at the temp root: nothing above it (a stray Directory.Build.props in the temp folder's
        // parents) applies to the consumer or to the packing solution.
        foreach (var name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
            await File.WriteAllTextAsync(Path.Combine(_root, name), "<Project />\n");

        // 1. Pack: one solution over the packable projects, built into a private artifacts folder so the
        //    repository's bin/obj (which other test projects are using right now) are not touched.
        var solution = Path.Combine(_root, "packages.slnx");
        await File.WriteAllTextAsync(solution,
            "<Solution>\n" + string.Concat(PackedProjects.Select(p => $"  <Project Path=\"{Path.Combine(repo, p)}\" />\n")) + "</Solution>\n");
        var pack = await RunAsync(repo, TimeSpan.FromMinutes(3), null,
            "pack", solution, "-c", "Release", "--artifacts-path", Path.Combine(_root, "artifacts"),
            $"-p:PackageOutputPath={feed}{Path.DirectorySeparatorChar}", $"-p:Version={version}", "-nologo");
        Assert.True(pack.ExitCode == 0, $"dotnet pack failed ({pack.ExitCode}):\n{pack.Output}");

        AssertPackage(feed, "Workbooks.Generator", version, pack.Output,
            "analyzers/dotnet/cs/Workbooks.Generator.dll", "build/Workbooks.Generator.props", "buildTransitive/Workbooks.Generator.props", "README.md");
        AssertNoEntries(feed, "Workbooks.Generator", version, "lib/");
        AssertPackage(feed, "Workbooks.Runtime", version, pack.Output,
            "lib/net10.0/Workbooks.Runtime.dll", "lib/net10.0/Workbooks.Runtime.xml", "README.md");
        AssertPackage(feed, "Workbooks.Engagement", version, pack.Output,
            "lib/net10.0/Workbooks.Engagement.dll", "lib/net10.0/Workbooks.Engagement.xml", "README.md");
        AssertPackage(feed, "Workbooks.Extensions.DependencyInjection", version, pack.Output,
            "lib/net10.0/Workbooks.Extensions.DependencyInjection.dll", "lib/net10.0/Workbooks.Extensions.DependencyInjection.xml", "README.md");
        AssertPackage(feed, "Workbooks.Mirror", version, pack.Output,
            "lib/net10.0/Workbooks.Mirror.dll", "lib/net10.0/Workbooks.Mirror.xml", "README.md");
        AssertPackage(feed, "Workbooks.Cli", version, pack.Output,
            "tools/net10.0/any/Workbooks.Cli.dll", "tools/net10.0/any/DotnetToolSettings.xml", "tools/net10.0/any/Workbooks.Runtime.dll",
            "tools/net10.0/any/Workbooks.Mirror.dll", "README.md");
        // The emulator library brings the ASP.NET Core framework reference to a plain Microsoft.NET.Sdk project, and the
        // sample schema (its default) into the consumer's output.
        AssertPackage(feed, "Workbooks.Emulator", version, pack.Output,
            "lib/net10.0/Workbooks.Emulator.dll", "lib/net10.0/Workbooks.Emulator.xml", "contentFiles/any/any/schema/sample.types.json", "README.md");
        var emulatorNuspec = ReadNuspec(feed, "Workbooks.Emulator", version);
        Assert.True(emulatorNuspec.Contains("<frameworkReference name=\"Microsoft.AspNetCore.App\" />", StringComparison.Ordinal), emulatorNuspec);
        Assert.Matches("<files include=\"any/any/schema/sample.types.json\" buildAction=\"None\" copyToOutput=\"true\"", emulatorNuspec);
        AssertPackage(feed, "Workbooks.Emulator.Tool", version, pack.Output,
            "tools/net10.0/any/Workbooks.Emulator.Tool.dll", "tools/net10.0/any/Workbooks.Emulator.dll", "tools/net10.0/any/DotnetToolSettings.xml",
            "tools/net10.0/any/schema/sample.types.json", "README.md");
        Assert.Contains("<packageType name=\"DotnetTool\" />", ReadNuspec(feed, "Workbooks.Emulator.Tool", version), StringComparison.Ordinal);
        foreach (var id in LibraryPackages)
            AssertSymbolPackage(feed, id, version, pack.Output);

        // 2. A fresh consumer: PackageReferences only, the temp feed plus nuget.org, an isolated packages folder.
        await File.WriteAllTextAsync(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Workbooks.Generator" Version="{version}" PrivateAssets="all" />
                <PackageReference Include="Workbooks.Runtime" Version="{version}" />
                <PackageReference Include="Workbooks.Emulator" Version="{version}" />
              </ItemGroup>
              <ItemGroup>
                <WorkbooksSchema Include="sample.types.json" Namespace="Acme.Crm" ClientName="AcmeCrm" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="workbooks-test-feed" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.Copy(Path.Combine(repo, "schema", "sample.types.json"), Path.Combine(consumer, "sample.types.json"));
        // The consumer starts the packaged emulator in-process, as a customer's test does. No SchemaPath: the emulator
        // serves its default, the sample schema the package copied into the consumer's output.
        await File.WriteAllTextAsync(Path.Combine(consumer, "Program.cs"), """
            using Acme.Crm;
            using Workbooks;
            using Workbooks.Emulator;

            var person = new Person { PersonFirstName = "Ada" };
            Console.WriteLine("changed: " + string.Join(",", person.ChangedFields));

            await using var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions
            {
                PeopleCount = 40,
                OrganisationCount = 10,
                OtherRecordCount = 2,
            });
            emulator.DefaultDatabase.Insert("crm/people", new Dictionary<string, string?>
            {
                ["person_first_name"] = "Ada",
                ["person_last_name"] = "Lovelace-Packaged",
            });
            Console.WriteLine("emulator: " + emulator.BaseAddress);

            await using var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions
            {
                Service = emulator.BaseAddress,
                ApiKey = emulator.ApiKey,
                AllowInsecureLoopback = true,
                ApplicationName = "PackagingConsumer",
            });
            var crm = new AcmeCrm(session);
            var query = crm.People.Where(p => p.PersonLastName == "Lovelace-Packaged").OrderBy(p => p.Id);
            Console.WriteLine("query: " + query);
            var found = await query.ToListAsync();
            Console.WriteLine("found: " + string.Join(",", found.Select(p => p.PersonFirstName + " " + p.PersonLastName)));
            Console.WriteLine("people: " + await crm.People.CountAsync());
            """);

        // 3. Run it.
        var env = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = nugetPackages,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        };
        var run = await RunAsync(consumer, TimeSpan.FromMinutes(3), env,
            "run", "--project", Path.Combine(consumer, "Consumer.csproj"), "-c", "Release");
        Assert.True(run.ExitCode == 0, $"the consumer failed ({run.ExitCode}):\n{run.Output}");

        Assert.Contains("emulator: http://127.0.0.1:", run.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(consumer, "bin", "Release", "net10.0", "schema", "sample.types.json")), "the emulator package's sample schema is not in the consumer's output");

        Assert.Contains("changed: person_first_name", run.Output, StringComparison.Ordinal);
        Assert.Contains("query: ", run.Output, StringComparison.Ordinal);
        Assert.Contains("Lovelace-Packaged", run.Output, StringComparison.Ordinal);
        Assert.Contains("found: Ada Lovelace-Packaged", run.Output, StringComparison.Ordinal);
        Assert.Contains("people: 41", run.Output, StringComparison.Ordinal);

        // The consumer restored our packages, at this version, into its own packages folder.
        Assert.True(Directory.Exists(Path.Combine(nugetPackages, "workbooks.generator", version)), run.Output);
        Assert.True(Directory.Exists(Path.Combine(nugetPackages, "workbooks.runtime", version)), run.Output);
        Assert.True(Directory.Exists(Path.Combine(nugetPackages, "workbooks.emulator", version)), run.Output);

        // 4. The emulator tool: installed from the feed, run as a server, stopped with SIGTERM.
        var tools = Path.Combine(_root, "tools");
        var install = await RunAsync(consumer, TimeSpan.FromMinutes(2), env,
            "tool", "install", "--tool-path", tools, "Workbooks.Emulator.Tool", "--add-source", feed, "--version", version);
        Assert.True(install.ExitCode == 0, $"dotnet tool install failed ({install.ExitCode}):\n{install.Output}");
        await AssertToolServesAndStopsOnSigtermAsync(Path.Combine(tools, OperatingSystem.IsWindows() ? "workbooks-emulator.exe" : "workbooks-emulator"));
    }

    /// <summary>
    /// Starts the installed <c>workbooks-emulator</c> on a free port (port 0) from a folder without a schema, so that it
    /// serves the sample schema packed with it; waits for its credentials, logs in with the printed API key, and stops it
    /// with SIGTERM: exit code 0.
    /// </summary>
    private async Task AssertToolServesAndStopsOnSigtermAsync(string command)
    {
        Assert.True(File.Exists(command), $"{command} was not installed");
        var start = new ProcessStartInfo(command)
        {
            ArgumentList = { "--urls", "http://127.0.0.1:0", "--people", "5", "--organisations", "5", "--api-key", "packaged-tool-key" },
            WorkingDirectory = _root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The tool's launcher finds the runtime this test runs on: <dotnet root>/shared/Microsoft.NETCore.App/<version>/.
        start.Environment["DOTNET_ROOT"] = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using (var started = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                string? line;
                while ((line = await process.StandardOutput.ReadLineAsync(started.Token).AsTask().WaitAsync(started.Token)) is not null
                       && !line.StartsWith("Press Ctrl+C", StringComparison.Ordinal))
                    lines.Add(line);
                // (stderr is read only once the process has ended: it stays open while the server runs.)
                if (line is null)
                    Assert.Fail($"workbooks-emulator ended before it was ready:\n{string.Join("\n", lines)}\n{await stderr}");
            }
            Assert.Contains("API key: packaged-tool-key", lines);
            var listening = lines.Single(l => l.StartsWith("Workbooks emulator listening on ", StringComparison.Ordinal));
            var baseAddress = new Uri(listening["Workbooks emulator listening on ".Length..].Trim());
            Assert.True(baseAddress.IsLoopback && baseAddress.Port > 0, listening);

            using (var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) })
            {
                http.DefaultRequestHeaders.UserAgent.ParseAdd("Workbooks.Packaging.Tests/1.0");
                using var login = await http.PostAsync("login.api", new FormUrlEncodedContent(
                    [new("api_key", "packaged-tool-key"), new("client", "api"), new("api_version", "1")]));
                var body = await login.Content.ReadAsStringAsync();
                Assert.True(login.StatusCode == HttpStatusCode.OK, $"login.api answered {(int)login.StatusCode}: {body}");
                Assert.Contains("\"authenticity_token\"", body, StringComparison.Ordinal);
            }

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(stopped.Token);
            var rest = await process.StandardOutput.ReadToEndAsync();
            Assert.True(process.ExitCode == 0, $"workbooks-emulator exited with {process.ExitCode} on SIGTERM:\n{rest}\n{await stderr}");
            Assert.Contains("Stopping.", rest, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    private static void AssertPackage(string feed, string id, string version, string packOutput, params string[] expected)
    {
        var entries = Entries(feed, id, version, packOutput);
        foreach (var entry in expected)
            Assert.True(entries.Contains(entry), $"{id} lacks {entry}; it holds:\n{string.Join("\n", entries)}");
        var nuspec = ReadNuspec(feed, id, version);
        foreach (var element in new[]
                 {
                     "<authors>", "<description>", "<tags>", "<readme>README.md</readme>",
                     "<license type=\"expression\">MIT</license>", $"<projectUrl>{ProjectUrl}</projectUrl>",
                 })
            Assert.True(nuspec.Contains(element, StringComparison.Ordinal), $"{id}.nuspec lacks {element}:\n{nuspec}");
        // The repository and the commit the package was built from (Source Link's source control information).
        Assert.True(Regex.IsMatch(nuspec, $"<repository type=\"git\" url=\"{Regex.Escape(ProjectUrl)}\"[^>]* commit=\"[0-9a-f]{{40}}\""),
            $"{id}.nuspec lacks <repository type=\"git\" url=\"{ProjectUrl}\" ... commit=\"...\">:\n{nuspec}");
    }

    /// <summary>The .snupkg next to the package holds the library's portable PDB, and the PDB carries Source Link: a
    /// document map to the sources at the commit named in the .nuspec.</summary>
    private static void AssertSymbolPackage(string feed, string id, string version, string packOutput)
    {
        var path = Path.Combine(feed, $"{id}.{version}.snupkg");
        Assert.True(File.Exists(path), $"{path} was not created:\n{packOutput}");
        var commit = Regex.Match(ReadNuspec(feed, id, version), "commit=\"([0-9a-f]{40})\"").Groups[1].Value;
        using var zip = ZipFile.OpenRead(path);
        var pdb = zip.GetEntry($"lib/net10.0/{id}.pdb");
        Assert.True(pdb is not null, $"{id}.snupkg lacks lib/net10.0/{id}.pdb; it holds:\n{string.Join("\n", zip.Entries.Select(e => e.FullName))}");
        using var stream = new MemoryStream();
        using (var entry = pdb.Open())
            entry.CopyTo(stream);
        // Source Link JSON is stored as UTF-8 in the PDB: {"documents":{"<local root>/*":"<raw content URL>/<commit>/*"}}.
        var bytes = Encoding.Latin1.GetString(stream.ToArray());
        Assert.True(bytes.Contains("{\"documents\":", StringComparison.Ordinal) && commit.Length == 40 && bytes.Contains("/" + commit + "/", StringComparison.Ordinal),
            $"{id}.pdb has no Source Link map to commit {commit}");
    }

    private static void AssertNoEntries(string feed, string id, string version, string prefix)
    {
        var entries = Entries(feed, id, version, "");
        Assert.DoesNotContain(entries, e => e.StartsWith(prefix, StringComparison.Ordinal));
    }

    private static HashSet<string> Entries(string feed, string id, string version, string packOutput)
    {
        var path = Path.Combine(feed, $"{id}.{version}.nupkg");
        Assert.True(File.Exists(path), $"{path} was not created:\n{packOutput}");
        using var zip = ZipFile.OpenRead(path);
        return zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
    }

    private static string ReadNuspec(string feed, string id, string version)
    {
        using var zip = ZipFile.OpenRead(Path.Combine(feed, $"{id}.{version}.nupkg"));
        using var reader = new StreamReader(zip.GetEntry($"{id}.nuspec")!.Open());
        return reader.ReadToEnd();
    }

    private static bool IsUnder(string path, string root)
    {
        var full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return full.StartsWith(Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // The test host's MSBuild/SDK variables must not leak into the child build.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "DOTNET_HOST_PATH" })
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // No build server left behind by the test.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
                start.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        var description = "dotnet " + string.Join(" ", arguments);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            lock (output)
                Assert.Fail($"{description} timed out after {timeout}:\n{output}");
        }
        process.WaitForExit(); // drain the redirected streams
        lock (output)
            return (process.ExitCode, $"> {description}\n{output}");
    }
}
