using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Workbooks.Mirror.Tests.TestSupport;

/// <summary>
/// A real, throw-away PostgreSQL server for tests: its own cluster (made by <c>initdb</c>) in a fresh temporary
/// directory, listening on a free port on 127.0.0.1 only, with password (SCRAM-SHA-256) authentication for a
/// superuser whose random password is never put on a command line or in <see cref="ConnectionString"/>. Disposing it
/// stops the server at once and deletes the directory.
/// </summary>
/// <remarks>
/// PostgreSQL refuses to run as root, so when the tests run as root every PostgreSQL command runs as the
/// <c>postgres</c> system user (made by the Debian package) through <c>runuser</c>, and the directory belongs to it.
/// PostgreSQL missing is a failure that says how to install it, never a skip.
/// </remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string SystemUser = "postgres";
    private const string SuperUser = "workbooks_test";
    private const int StartAttempts = 5;
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly string _binDirectory;
    private readonly string _directory;
    private readonly bool _runAsSystemUser;
    private readonly NpgsqlDataSource _admin;
    private readonly EventHandler _onProcessExit;
    private int _disposed;

    private PostgresServer(string binDirectory, string directory, bool runAsSystemUser, int port, string password)
    {
        _binDirectory = binDirectory;
        _directory = directory;
        _runAsSystemUser = runAsSystemUser;
        Port = port;
        Password = password;
        ConnectionString = BuildConnectionString(port, "postgres");
        _admin = OpenDataSource(ConnectionString);
        // Best effort for a test run that ends without disposing its fixtures (the process is asked to exit): no
        // server is left behind. Nothing helps against a killed process; the directory is in /tmp then.
        _onProcessExit = (_, _) => StopAsync().AsTask().GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
    }

    /// <summary>The TCP port the server listens on (127.0.0.1 only).</summary>
    public int Port { get; }

    /// <summary>The superuser's password; it is in no connection string this class hands out.</summary>
    public string Password { get; }

    /// <summary>The connection string of the <c>postgres</c> database, without the password.</summary>
    public string ConnectionString { get; }

    /// <summary>The superuser's name.</summary>
    public static string UserName => SuperUser;

    /// <summary>
    /// Makes a throw-away cluster and starts a server on it; the caller disposes the server. Throws, with where it
    /// looked, when PostgreSQL is not installed, and with the tail of the server log when the server does not start.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(CancellationToken ct = default)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("The throw-away PostgreSQL server for tests runs on Linux (and other Unix systems) only.");
        var binDirectory = FindBinDirectory();
        var runAsSystemUser = IsRoot();
        var directory = CreateDirectory(runAsSystemUser);
        try
        {
            var password = RandomNumberGenerator.GetHexString(32, lowercase: true);
            await InitClusterAsync(binDirectory, directory, runAsSystemUser, password, ct);
            var port = await StartServerAsync(binDirectory, directory, runAsSystemUser, ct);
            return new PostgresServer(binDirectory, directory, runAsSystemUser, port, password);
        }
        catch
        {
            await StopServerAsync(binDirectory, directory, runAsSystemUser);
            DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>
    /// Creates a fresh, empty database and returns its connection string (without the password): a test that wants
    /// a database no other test sees asks for one with a name of its own (lower-case letters, digits and underscores).
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken ct = default)
    {
        if (!Regex.IsMatch(name, "^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant))
            throw new ArgumentException($"'{name}' is not a plain lower-case PostgreSQL identifier.", nameof(name));
        await using var command = _admin.CreateCommand($"CREATE DATABASE \"{name}\"");
        await command.ExecuteNonQueryAsync(ct);
        return BuildConnectionString(Port, name);
    }

    /// <summary>A data source for a connection string this server handed out, with the password set; the caller disposes it.</summary>
    public NpgsqlDataSource OpenDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.Password = Password;
        return builder.Build();
    }

    /// <summary>Stops the server at once (it is throw-away: nothing is flushed) and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        await StopAsync();
    }

    private async ValueTask StopAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _admin.DisposeAsync();
        await StopServerAsync(_binDirectory, _directory, _runAsSystemUser);
        DeleteDirectory(_directory);
    }

    private static string BuildConnectionString(int port, string database) => new NpgsqlConnectionStringBuilder
    {
        Host = IPAddress.Loopback.ToString(),
        Port = port,
        Username = SuperUser,
        Database = database,
    }.ConnectionString;

    // ---- Finding PostgreSQL ----

    /// <summary>
    /// The directory holding <c>initdb</c> and <c>pg_ctl</c>: <c>pg_config --bindir</c> when that has them, else the
    /// highest <c>/usr/lib/postgresql/*/bin</c> (Debian), else the PATH. <c>.ci/run</c> searches the same way.
    /// </summary>
    private static string FindBinDirectory()
    {
        var looked = new List<string>();

        var pgConfig = FindOnPath("pg_config");
        if (pgConfig is null)
        {
            looked.Add("pg_config --bindir (no pg_config on PATH)");
        }
        else
        {
            var bindir = RunPgConfigBindir(pgConfig);
            looked.Add($"{pgConfig} --bindir ({(string.IsNullOrEmpty(bindir) ? "no answer" : bindir)})");
            if (!string.IsNullOrEmpty(bindir) && HasServerBinaries(bindir))
                return bindir;
        }

        const string debianRoot = "/usr/lib/postgresql";
        looked.Add($"{debianRoot}/*/bin");
        if (Directory.Exists(debianRoot))
        {
            var highest = Directory.EnumerateDirectories(debianRoot)
                .Select(d => (Version: ParseVersion(Path.GetFileName(d)), Bin: Path.Combine(d, "bin")))
                .Where(v => v.Version is not null && HasServerBinaries(v.Bin))
                .OrderByDescending(v => v.Version)
                .FirstOrDefault();
            if (highest.Bin is not null)
                return highest.Bin;
        }

        var initdb = FindOnPath("initdb");
        looked.Add("initdb on PATH");
        if (initdb is not null && Path.GetDirectoryName(initdb) is { } pathDirectory && HasServerBinaries(pathDirectory))
            return pathDirectory;

        throw new InvalidOperationException(
            $"PostgreSQL is not installed: apt-get install postgresql (no initdb/pg_ctl found; looked at: {string.Join("; ", looked)}; PATH={Environment.GetEnvironmentVariable("PATH")}).");
    }

    private static bool HasServerBinaries(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl"));

    private static Version? ParseVersion(string name)
    {
        var parts = name.Split('.');
        if (parts.Length > 2 || !parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit)))
            return null;
        return new Version(int.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0);
    }

    private static string? RunPgConfigBindir(string pgConfig)
    {
        try
        {
            var info = new ProcessStartInfo(pgConfig, "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(info);
            if (process is null)
                return null;
            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }
            _ = errors.GetAwaiter().GetResult();
            return process.ExitCode == 0 ? output.Trim() : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }

    private static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    private static bool IsRoot()
    {
        if (Environment.UserName == "root")
            return true;
        try
        {
            return OperatingSystem.IsLinux() && GetEffectiveUserId() == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // ---- The directory ----

    [UnsupportedOSPlatform("windows")]
    private static string CreateDirectory(bool runAsSystemUser)
    {
        // The postgres user must be able to reach it, so under /tmp (not a TMPDIR of root's) when running as root.
        // Short, because the unix socket's path must fit in 107 bytes.
        var parent = runAsSystemUser ? "/tmp" : Path.GetTempPath();
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        while (true)
        {
            var directory = Path.Combine(parent, "wbpg-" + RandomNumberGenerator.GetHexString(12, lowercase: true));
            if (Directory.Exists(directory) || File.Exists(directory))
                continue;
            Directory.CreateDirectory(directory, ownerOnly);
            return directory;
        }
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover directory under /tmp is harmless; failing a test run over it is not worth it.
        }
    }

    // ---- initdb, pg_ctl ----

    [UnsupportedOSPlatform("windows")]
    private static async Task InitClusterAsync(string binDirectory, string directory, bool runAsSystemUser, string password, CancellationToken ct)
    {
        // initdb reads the password from a file (first line) only its owner can read: never from a command line.
        var passwordFile = Path.Combine(directory, "pwfile");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        await using (var stream = new FileStream(passwordFile, options))
        await using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            await writer.WriteLineAsync(password.AsMemory(), ct);

        if (runAsSystemUser)
        {
            var chown = await RunAsync("chown", ["-R", $"{SystemUser}:{SystemUser}", directory], asSystemUser: false, directory, ct);
            if (chown.ExitCode != 0)
                throw new InvalidOperationException($"Could not give {directory} to the '{SystemUser}' user (PostgreSQL refuses to run as root): chown exited with {chown.ExitCode}: {chown.Output}");
        }

        var dataDirectory = Path.Combine(directory, "data");
        var initdb = await RunAsync(
            Path.Combine(binDirectory, "initdb"),
            [
                "-D", dataDirectory, "-U", SuperUser, "--pwfile=" + passwordFile,
                "--auth=scram-sha-256", "-E", "UTF8", "--locale=C",
                "--no-sync", // throw-away: no need to wait for the disk
            ],
            runAsSystemUser, directory, ct);
        File.Delete(passwordFile);
        if (initdb.ExitCode != 0)
            throw new InvalidOperationException($"initdb exited with {initdb.ExitCode}:{Environment.NewLine}{initdb.Output}");

        // The cluster is throw-away: durability settings are off (a crash loses it anyway), which makes tests fast.
        var settings = new StringBuilder()
            .AppendLine()
            .AppendLine("# Workbooks.Mirror.Tests: a throw-away cluster, so no durability at all (a crash loses nothing we keep).")
            .AppendLine("listen_addresses = '127.0.0.1'")
            .AppendLine(CultureInfo.InvariantCulture, $"unix_socket_directories = '{directory.Replace("'", "''", StringComparison.Ordinal)}'")
            .AppendLine("fsync = off")
            .AppendLine("synchronous_commit = off")
            .AppendLine("full_page_writes = off")
            .AppendLine("max_connections = 100")
            .AppendLine("shared_buffers = 32MB")
            .AppendLine("password_encryption = 'scram-sha-256'")
            .ToString();
        await File.AppendAllTextAsync(Path.Combine(dataDirectory, "postgresql.conf"), settings, ct);
    }

    /// <summary>Starts the server on a free port, trying another when the chosen one was taken meanwhile; returns the port.</summary>
    private static async Task<int> StartServerAsync(string binDirectory, string directory, bool runAsSystemUser, CancellationToken ct)
    {
        var dataDirectory = Path.Combine(directory, "data");
        var log = Path.Combine(directory, "server.log");
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            if (File.Exists(log))
                File.Delete(log);
            var start = await RunAsync(
                Path.Combine(binDirectory, "pg_ctl"),
                ["-D", dataDirectory, "-l", log, "-w", "-t", "60", "-o", $"-p {port.ToString(CultureInfo.InvariantCulture)}", "start"],
                runAsSystemUser, directory, ct);
            if (start.ExitCode == 0)
                return port;

            // A server that did not answer in time may still be running: stop it before trying again or giving up.
            await StopServerAsync(binDirectory, directory, runAsSystemUser);
            var serverLog = ReadTail(log);
            if (attempt < StartAttempts && serverLog.Contains("Address already in use", StringComparison.Ordinal))
                continue;
            throw new InvalidOperationException(
                $"PostgreSQL did not start (pg_ctl exited with {start.ExitCode}, port {port}, attempt {attempt}):{Environment.NewLine}{start.Output}{Environment.NewLine}" +
                $"Tail of the server log:{Environment.NewLine}{serverLog}");
        }
    }

    private static async Task StopServerAsync(string binDirectory, string directory, bool runAsSystemUser)
    {
        var dataDirectory = Path.Combine(directory, "data");
        if (!File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
            return;
        try
        {
            // Immediate: the cluster is thrown away, so there is nothing to flush.
            await RunAsync(Path.Combine(binDirectory, "pg_ctl"), ["-D", dataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"], runAsSystemUser, directory, CancellationToken.None);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            // Fall through to killing it.
        }
        KillPostmaster(dataDirectory);
    }

    /// <summary>When <c>pg_ctl stop</c> did not do it, the postmaster still named in its pid file is killed (its children follow it).</summary>
    private static void KillPostmaster(string dataDirectory)
    {
        try
        {
            var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
            if (!File.Exists(pidFile))
                return;
            var firstLine = File.ReadLines(pidFile).FirstOrDefault();
            if (!int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
                return;
            using var process = Process.GetProcessById(pid);
            if (process.ProcessName.StartsWith("postgres", StringComparison.Ordinal))
                process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
        {
            // Gone already.
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static string ReadTail(string log, int lines = 40)
    {
        try
        {
            return File.Exists(log) ? string.Join(Environment.NewLine, File.ReadLines(log).TakeLast(lines)) : "(no log was written)";
        }
        catch (IOException e)
        {
            return $"(could not read the log: {e.Message})";
        }
    }

    private sealed record CommandResult(int ExitCode, string Output);

    /// <summary>
    /// Runs a command (as the postgres user through <c>runuser</c> when asked), in <paramref name="workingDirectory"/>
    /// (which that user can enter), and returns its exit code and its output and errors together.
    /// </summary>
    private static async Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, bool asSystemUser, string workingDirectory, CancellationToken ct)
    {
        var info = new ProcessStartInfo
        {
            FileName = asSystemUser ? FindRunuser() : file,
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asSystemUser)
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add(SystemUser);
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(file);
        }
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        // Messages in English (the port-taken check reads them), and no PG* variables of the caller's steering the tools.
        info.Environment["LC_ALL"] = "C";
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(name);

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName}.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CommandTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            var text = (await output + await errors).Trim();
            return new CommandResult(process.ExitCode, text);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (ct.IsCancellationRequested)
                throw;
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} did not finish within {CommandTimeout}.");
        }
    }

    private static string FindRunuser() =>
        new[] { "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser" }.FirstOrDefault(File.Exists)
        ?? FindOnPath("runuser")
        ?? throw new InvalidOperationException("Running as root, so PostgreSQL must run as the 'postgres' user, but runuser (util-linux) was not found.");
}
