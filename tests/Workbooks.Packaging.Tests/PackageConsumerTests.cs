using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Workbooks.Emulator;

namespace Workbooks.Packaging.Tests;

/// <summary>
/// Packs the public packages into a temporary feed and builds and runs a fresh consumer project, outside the repository,
/// that uses only PackageReferences to Workbooks.Generator and Workbooks.Runtime: the packaged generator must generate
/// the typed client from a <c>WorkbooksSchema</c> item and the packaged runtime must run a typed query against an emulator.
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
    ];

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
        var repo = FindRepositoryRoot();
        var version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + "." + Environment.ProcessId;
        var feed = Directory.CreateDirectory(Path.Combine(_root, "feed")).FullName;
        var consumer = Directory.CreateDirectory(Path.Combine(_root, "consumer")).FullName;
        var nugetPackages = Directory.CreateDirectory(Path.Combine(_root, "nuget-packages")).FullName;
        Assert.False(IsUnder(consumer, repo), $"the consumer {consumer} must be outside the repository {repo}");

        // Empty props/targets at the temp root: nothing above it (a stray Directory.Build.props in the temp folder's
        // parents) applies to the consumer or to the packing solution.
        foreach (var name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
            await File.WriteAllTextAsync(Path.Combine(_root, name), "<Project />\n");

        // 1. Pack: one solution over the six packable projects, built into a private artifacts folder so the
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
        await File.WriteAllTextAsync(Path.Combine(consumer, "Program.cs"), """
            using Acme.Crm;
            using Workbooks;

            var person = new Person { PersonFirstName = "Ada" };
            Console.WriteLine("changed: " + string.Join(",", person.ChangedFields));

            await using var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions
            {
                Service = new Uri(args[0]),
                ApiKey = args[1],
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

        // 3. Run it against an in-process emulator.
        await using var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions
        {
            SchemaPath = Path.Combine(repo, "schema", "sample.types.json"),
            PeopleCount = 40,
            OrganisationCount = 10,
            OtherRecordCount = 2,
        });
        emulator.DefaultDatabase.Insert("crm/people", new Dictionary<string, string?>
        {
            ["person_first_name"] = "Ada",
            ["person_last_name"] = "Lovelace-Packaged",
        });

        var env = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = nugetPackages,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        };
        var run = await RunAsync(consumer, TimeSpan.FromMinutes(3), env,
            "run", "--project", Path.Combine(consumer, "Consumer.csproj"), "-c", "Release", "--", emulator.BaseAddress.ToString(), emulator.ApiKey);
        Assert.True(run.ExitCode == 0, $"the consumer failed ({run.ExitCode}):\n{run.Output}");

        Assert.Contains("changed: person_first_name", run.Output, StringComparison.Ordinal);
        Assert.Contains("query: ", run.Output, StringComparison.Ordinal);
        Assert.Contains("Lovelace-Packaged", run.Output, StringComparison.Ordinal);
        Assert.Contains("found: Ada Lovelace-Packaged", run.Output, StringComparison.Ordinal);
        Assert.Contains("people: 41", run.Output, StringComparison.Ordinal);

        // The consumer restored our packages, at this version, into its own packages folder.
        Assert.True(Directory.Exists(Path.Combine(nugetPackages, "workbooks.generator", version)), run.Output);
        Assert.True(Directory.Exists(Path.Combine(nugetPackages, "workbooks.runtime", version)), run.Output);
    }

    private static void AssertPackage(string feed, string id, string version, string packOutput, params string[] expected)
    {
        var entries = Entries(feed, id, version, packOutput);
        foreach (var entry in expected)
            Assert.True(entries.Contains(entry), $"{id} lacks {entry}; it holds:\n{string.Join("\n", entries)}");
        var nuspec = ReadNuspec(feed, id, version);
        foreach (var element in new[] { "<authors>", "<description>", "<tags>", "<readme>README.md</readme>" })
            Assert.True(nuspec.Contains(element, StringComparison.Ordinal), $"{id}.nuspec lacks {element}:\n{nuspec}");
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

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Workbooks.Generated.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Workbooks.Generated.sln not found above " + AppContext.BaseDirectory);
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
