using System.Globalization;
using System.Net.Http;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Workbooks.Cli;

/// <summary>
/// The <c>workbooks</c> command line: argument parsing, the schema commands and the mapping of failures to exit codes.
/// Everything the process touches (output, environment, secret prompt, connection) is passed in, so tests run it in-process.
/// </summary>
public sealed partial class CliApp
{
    /// <summary>Success; for diff and check: no change.</summary>
    public const int ExitOk = 0;
    /// <summary>diff/check: compatible changes only (also normalise --check: the file is not canonical).</summary>
    public const int ExitCompatible = 1;
    /// <summary>diff/check: at least one breaking change.</summary>
    public const int ExitBreaking = 2;
    /// <summary>A failure: unreachable service, bad credentials, missing or malformed file.</summary>
    public const int ExitError = 3;
    /// <summary>The command line is wrong (EX_USAGE).</summary>
    public const int ExitUsage = 64;

    /// <summary>The environment variable read for the API key when no credential option is given.</summary>
    public const string DefaultApiKeyVariable = "WORKBOOKS_API_KEY";

    private static readonly string[] SecretOptions = ["--api-key", "--password", "--apikey", "--key", "-p"];

    private readonly TextWriter _out;
    private readonly TextWriter _err;
    private readonly Func<string, string?> _environment;
    private readonly Func<string, string?> _promptSecret;
    private readonly Func<WorkbooksOptions, CancellationToken, Task<WorkbooksSession>> _connect;
    private readonly List<string> _secrets = [];

    /// <summary>Creates the app.</summary>
    /// <param name="output">Standard output (results: diff lines, JSON, snapshots written to <c>-</c>).</param>
    /// <param name="error">Standard error (progress, errors).</param>
    /// <param name="environment">Reads an environment variable (null when unset).</param>
    /// <param name="promptSecret">Asks for a secret without echo, given the prompt text; returns null when there is no
    /// terminal to ask on.</param>
    /// <param name="connect">Opens a session (defaults to <see cref="WorkbooksSession.ConnectAsync(WorkbooksOptions, CancellationToken)"/>).</param>
    public CliApp(TextWriter output, TextWriter error, Func<string, string?> environment, Func<string, string?> promptSecret,
        Func<WorkbooksOptions, CancellationToken, Task<WorkbooksSession>>? connect = null)
    {
        _out = output ?? throw new ArgumentNullException(nameof(output));
        _err = error ?? throw new ArgumentNullException(nameof(error));
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
        _promptSecret = promptSecret ?? throw new ArgumentNullException(nameof(promptSecret));
        _connect = connect ?? ((options, ct) => WorkbooksSession.ConnectAsync(options, ct));
    }

    /// <summary>Runs one command line and returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?> environment,
        Func<string, string?> promptSecret, CancellationToken cancellationToken = default) =>
        new CliApp(output, error, environment, promptSecret).RunAsync(args, cancellationToken);

    /// <summary>Runs one command line and returns the exit code.</summary>
    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            return await DispatchAsync(args, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await _err.WriteLineAsync($"workbooks: {Redact(e.Message)}").ConfigureAwait(false);
            await _err.WriteLineAsync("Run 'workbooks --help' for usage.").ConfigureAwait(false);
            return ExitUsage;
        }
        catch (Exception e)
        {
            await _err.WriteLineAsync("error: " + Redact(Describe(e))).ConfigureAwait(false);
            return ExitError;
        }
    }

    private async Task<int> DispatchAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length == 0)
            throw new UsageException("no command given.");
        switch (args[0])
        {
            case "-h" or "--help" or "help":
                await _out.WriteAsync(Usage.Main).ConfigureAwait(false);
                return ExitOk;
            case "--version":
                await _out.WriteLineAsync(Version).ConfigureAwait(false);
                return ExitOk;
            case "schema":
                break;
            case "mirror":
                if (args.Skip(1).Any(a => a is "-h" or "--help"))
                {
                    await _out.WriteAsync(Usage.Mirror).ConfigureAwait(false);
                    return ExitOk;
                }
                RefuseSecrets(args.AsSpan(1).ToArray());
                return await MirrorAsync(args.AsSpan(1).ToArray(), cancellationToken).ConfigureAwait(false);
            default:
                throw new UsageException($"unknown command '{args[0]}'.");
        }
        if (args.Length == 1)
            throw new UsageException("'schema' needs a subcommand: pull, diff, check or normalise.");
        var rest = args.AsSpan(2).ToArray();
        var sub = args[1];
        if (sub is "-h" or "--help")
        {
            await _out.WriteAsync(Usage.Main).ConfigureAwait(false);
            return ExitOk;
        }
        if (rest.Any(a => a is "-h" or "--help"))
        {
            await _out.WriteAsync(sub switch
            {
                "pull" => Usage.Pull,
                "diff" => Usage.Diff,
                "check" => Usage.Check,
                "normalise" or "normalize" => Usage.Normalise,
                _ => Usage.Main,
            }).ConfigureAwait(false);
            return ExitOk;
        }
        RefuseSecrets(rest);
        return sub switch
        {
            "pull" => await PullAsync(rest, cancellationToken).ConfigureAwait(false),
            "diff" => await DiffAsync(rest).ConfigureAwait(false),
            "check" => await CheckAsync(rest, cancellationToken).ConfigureAwait(false),
            "normalise" or "normalize" => await NormaliseAsync(rest).ConfigureAwait(false),
            _ => throw new UsageException($"unknown schema subcommand '{sub}' (expected pull, diff, check or normalise)."),
        };
    }

    private static void RefuseSecrets(string[] args)
    {
        foreach (var arg in args)
        {
            var name = arg.Split('=', 2)[0];
            if (SecretOptions.Contains(name, StringComparer.Ordinal))
                throw new UsageException($"{name} is not accepted: secrets never go on the command line. Use --api-key-env VAR or --password-env VAR, or answer the prompt.");
        }
    }

    // ---- commands -------------------------------------------------------------------------------------------------

    private static readonly Dictionary<string, string> ServiceOptions = new(StringComparer.Ordinal)
    {
        ["--service"] = "--service",
        ["--api-key-env"] = "--api-key-env",
        ["--username"] = "--username",
        ["--password-env"] = "--password-env",
        ["--database"] = "--database",
        ["--batch-size"] = "--batch-size",
    };

    private async Task<int> PullAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = new Dictionary<string, string>(ServiceOptions, StringComparer.Ordinal) { ["-o"] = "--output", ["--output"] = "--output" };
        var parsed = ParsedArguments.Parse(args, "schema pull", options, ["--allow-http-loopback", "--picklists"]);
        if (parsed.Positionals.Count > 0)
            throw new UsageException($"'schema pull' takes no positional argument (got '{parsed.Positionals[0]}'); write the snapshot with -o FILE.");
        var output = parsed.Required("--output", "FILE (-o FILE, or -o - for standard output)");
        var (workbooksOptions, batchSize) = ServiceSettings(parsed);

        var snapshot = await FetchAsync(workbooksOptions, batchSize, cancellationToken, parsed.Flag("--picklists")).ConfigureAwait(false);
        await WriteSnapshotAsync(output, snapshot).ConfigureAwait(false);
        if (output != "-")
            await _err.WriteLineAsync($"wrote {output}").ConfigureAwait(false);
        return ExitOk;
    }

    private async Task<int> DiffAsync(string[] args)
    {
        var parsed = ParsedArguments.Parse(args, "schema diff", new Dictionary<string, string>(), ["--json"]);
        if (parsed.Positionals.Count != 2)
            throw new UsageException($"'schema diff' needs two files, OLD and NEW (got {parsed.Positionals.Count}).");
        using var oldDocument = LoadSnapshot(parsed.Positionals[0]);
        using var newDocument = LoadSnapshot(parsed.Positionals[1]);
        return await ReportAsync(SchemaDiff.Compare(oldDocument.RootElement, newDocument.RootElement), parsed.Flag("--json")).ConfigureAwait(false);
    }

    private async Task<int> CheckAsync(string[] args, CancellationToken cancellationToken)
    {
        var parsed = ParsedArguments.Parse(args, "schema check", ServiceOptions, ["--allow-http-loopback", "--json"]);
        if (parsed.Positionals.Count != 1)
            throw new UsageException($"'schema check' needs one file, the committed snapshot (got {parsed.Positionals.Count}).");
        var (workbooksOptions, batchSize) = ServiceSettings(parsed);
        using var committed = LoadSnapshot(parsed.Positionals[0]);
        var live = await FetchAsync(workbooksOptions, batchSize, cancellationToken).ConfigureAwait(false);
        using var liveDocument = SchemaNormaliser.Parse(live);
        return await ReportAsync(SchemaDiff.Compare(committed.RootElement, liveDocument.RootElement), parsed.Flag("--json")).ConfigureAwait(false);
    }

    private async Task<int> NormaliseAsync(string[] args)
    {
        var parsed = ParsedArguments.Parse(args, "schema normalise", new Dictionary<string, string> { ["-o"] = "--output", ["--output"] = "--output" }, ["--check"]);
        if (parsed.Positionals.Count != 1)
            throw new UsageException($"'schema normalise' needs one file (got {parsed.Positionals.Count}).");
        if (parsed.Flag("--check") && parsed.Value("--output") is not null)
            throw new UsageException("--check and -o cannot be combined.");
        var path = parsed.Positionals[0];
        var original = ReadFile(path);
        byte[] normalised;
        try
        {
            normalised = SchemaNormaliser.Normalise(original);
        }
        catch (JsonException e)
        {
            throw Malformed(path, e);
        }
        catch (SnapshotFormatException e)
        {
            throw NotASnapshot(path, e);
        }
        if (parsed.Flag("--check"))
        {
            var canonical = original.AsSpan().SequenceEqual(normalised);
            await _err.WriteLineAsync(canonical ? $"{path} is normalised" : $"{path} is not normalised (run: workbooks schema normalise {path})").ConfigureAwait(false);
            return canonical ? ExitOk : ExitCompatible;
        }
        await WriteSnapshotAsync(parsed.Value("--output") ?? path, normalised).ConfigureAwait(false);
        return ExitOk;
    }

    // ---- pieces ---------------------------------------------------------------------------------------------------

    private async Task<int> ReportAsync(SchemaDiffResult result, bool json)
    {
        if (json)
            result.WriteJson(_out);
        else
            result.WriteText(_out);
        await _out.FlushAsync().ConfigureAwait(false);
        return result.ExitCode;
    }

    private async Task<byte[]> FetchAsync(WorkbooksOptions options, int batchSize, CancellationToken cancellationToken, bool picklists = false)
    {
        try
        {
            var session = await _connect(options, cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                return await SchemaFetcher.FetchNormalisedAsync(session, batchSize, line => _err.WriteLine(line), cancellationToken, picklists).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WorkbooksTransportException or HttpRequestException)
        {
            throw new CliErrorException($"cannot reach {options.Service}: {OneLine(Innermost(e).Message)}", e);
        }
    }

    private (WorkbooksOptions Options, int BatchSize) ServiceSettings(ParsedArguments parsed)
    {
        var serviceText = parsed.Required("--service", "URL");
        if (!Uri.TryCreate(serviceText, UriKind.Absolute, out var service) || (service.Scheme != Uri.UriSchemeHttps && service.Scheme != Uri.UriSchemeHttp))
            throw new UsageException($"--service must be an absolute http(s) URL such as https://secure.workbooks.com/ (got '{serviceText}').");
        if (!service.AbsolutePath.EndsWith('/'))
            service = new Uri(service.GetLeftPart(UriPartial.Path) + "/");

        var batchSize = SchemaFetcher.DefaultBatchSize;
        if (parsed.Value("--batch-size") is { } batchText
            && (!int.TryParse(batchText, NumberStyles.None, CultureInfo.InvariantCulture, out batchSize) || batchSize < 1))
            throw new UsageException($"--batch-size must be a positive whole number (got '{batchText}').");

        var apiKeyVariable = parsed.Value("--api-key-env");
        var username = parsed.Value("--username");
        var passwordVariable = parsed.Value("--password-env");
        var databaseText = parsed.Value("--database");
        if (apiKeyVariable is not null && username is not null)
            throw new UsageException("give either --api-key-env or --username, not both.");
        if (username is null && passwordVariable is not null)
            throw new UsageException("--password-env needs --username.");
        if (username is null && databaseText is not null)
            throw new UsageException("--database needs --username (an API key already names its database).");
        int? database = null;
        if (databaseText is not null)
        {
            if (!int.TryParse(databaseText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
                throw new UsageException($"--database must be a logical database id, a positive whole number (got '{databaseText}').");
            database = id;
        }

        var options = new WorkbooksOptions
        {
            Service = service,
            AllowInsecureLoopback = parsed.Flag("--allow-http-loopback"),
            UserAgent = $"workbooks-cli/{Version} (gzip)",
            LogicalDatabaseId = database,
        };
        if (username is not null)
        {
            options.Username = username;
            options.Password = passwordVariable is not null
                ? Secret(_environment(passwordVariable), $"the environment variable {passwordVariable} (from --password-env) is not set or empty")
                : Secret(_promptSecret($"Password for {username}: "),
                    "no password: pass --password-env VAR naming an environment variable that holds it, or run in a terminal to be prompted");
        }
        else if (apiKeyVariable is not null)
        {
            options.ApiKey = Secret(_environment(apiKeyVariable), $"the environment variable {apiKeyVariable} (from --api-key-env) is not set or empty");
        }
        else
        {
            var fromDefault = _environment(DefaultApiKeyVariable);
            options.ApiKey = !string.IsNullOrWhiteSpace(fromDefault)
                ? Secret(fromDefault, "")
                : Secret(_promptSecret("Workbooks API key: "),
                    $"no API key: pass --api-key-env VAR (or set {DefaultApiKeyVariable}), use --username with --password-env VAR, or run in a terminal to be prompted");
        }

        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            var message = e.Message;
            var paramSuffix = $" (Parameter '{e.ParamName}')";
            if (message.EndsWith(paramSuffix, StringComparison.Ordinal)) message = message[..^paramSuffix.Length];
            if (message.Contains("AllowInsecureLoopback", StringComparison.Ordinal))
                message = $"--service {service} is plain HTTP: pass --allow-http-loopback to talk to a local emulator (anything else must use HTTPS).";
            else if (message.Contains("must use HTTPS", StringComparison.Ordinal))
                message = $"--service {service} must use HTTPS (plain HTTP is only allowed to a loopback address, with --allow-http-loopback).";
            throw new UsageException(message, e);
        }
        return (options, batchSize);
    }

    private string Secret(string? value, string missing)
    {
        if (string.IsNullOrEmpty(value))
            throw new CliErrorException(missing + ".");
        _secrets.Add(value);
        return value;
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliErrorException($"{path}: file not found.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliErrorException($"{path}: cannot read: {e.Message}", e);
        }
    }

    private static JsonDocument LoadSnapshot(string path)
    {
        var bytes = ReadFile(path);
        JsonDocument document;
        try
        {
            document = SchemaNormaliser.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw Malformed(path, e);
        }
        try
        {
            SchemaNormaliser.CheckShape(document.RootElement);
        }
        catch (SnapshotFormatException e)
        {
            document.Dispose();
            throw NotASnapshot(path, e);
        }
        return document;
    }

    private static CliErrorException Malformed(string path, JsonException e)
    {
        var detail = e.Message;
        var cut = detail.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0) cut = detail.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut >= 0) detail = detail[..cut];
        var where = e.LineNumber is { } line
            ? string.Create(CultureInfo.InvariantCulture, $" at line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}")
            : "";
        return new CliErrorException($"{path}: malformed JSON{where}: {detail.TrimEnd('.')}.", e);
    }

    private static CliErrorException NotASnapshot(string path, SnapshotFormatException e) =>
        new($"{path}: not a metadata/types.api snapshot: {e.Message}.", e);

    private async Task WriteSnapshotAsync(string path, byte[] snapshot)
    {
        if (path == "-")
        {
            await _out.WriteAsync(Encoding.UTF8.GetString(snapshot)).ConfigureAwait(false);
            await _out.FlushAsync().ConfigureAwait(false);
            return;
        }
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            await File.WriteAllBytesAsync(temporary, snapshot).ConfigureAwait(false);
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new CliErrorException($"{path}: cannot write: {e.Message}", e);
        }
    }

    /// <summary>One line describing a failure, without a stack trace.</summary>
    private static string Describe(Exception e) => e switch
    {
        CliErrorException => e.Message,
        WorkbooksDatabaseSelectionRequiredException d =>
            $"login failed: no_database_selection_made: the user can use several databases; pass --database ID (one of: {string.Join(", ", d.Databases.Select(x => $"{x.Id} {x.Name}"))}).",
        WorkbooksLoginException l =>
            $"login failed: {(l.FailureReasonText.Length > 0 ? l.FailureReasonText : "no failure_reason given")}{(l.Status is { } s ? $" (HTTP {(int)s})" : "")}{(string.IsNullOrWhiteSpace(l.ServiceMessage) ? "" : $": {OneLine(l.ServiceMessage)}")}",
        WorkbooksTransportException t => $"cannot reach the service: {OneLine(Innermost(t).Message)}",
        Workbooks.Mirror.WorkbooksMirrorException m => OneLine(m.Message),
        WorkbooksException w => OneLine(w.Message) + (string.IsNullOrWhiteSpace(w.ServiceMessage) || w.Message.Contains(w.ServiceMessage, StringComparison.Ordinal) ? "" : $": {OneLine(w.ServiceMessage)}"),
        HttpRequestException h => $"cannot reach the service: {OneLine(Innermost(h).Message)}",
        OperationCanceledException => "cancelled.",
        _ => $"unexpected {e.GetType().Name}: {OneLine(e.Message)}",
    };

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    private string Redact(string text)
    {
        foreach (var secret in _secrets)
        {
            if (secret.Length > 0)
                text = text.Replace(secret, "***", StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>The tool's version.</summary>
    public static string Version { get; } =
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
