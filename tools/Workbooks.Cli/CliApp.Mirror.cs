using System.Globalization;
using Workbooks.Mirror;

namespace Workbooks.Cli;

public sealed partial class CliApp
{
    /// <summary>Whether standard error is a terminal: the mirror's live progress line is drawn only there.</summary>
    public bool ErrorIsTerminal { get; init; }

    private async Task<int> MirrorAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = new Dictionary<string, string>(ServiceOptions, StringComparer.Ordinal)
        {
            ["--to"] = "--to", ["--to-password-env"] = "--to-password-env", ["--types"] = "--types", ["--deletions"] = "--deletions",
            ["--partitions"] = "--partitions", ["--watch"] = "--watch",
        };
        var parsed = ParsedArguments.Parse(args, "mirror", options, ["--allow-http-loopback", "--quiet", "--related"]);
        if (parsed.Positionals.Count > 0)
            throw new UsageException($"'mirror' takes no positional argument (got '{parsed.Positionals[0]}'); name the target with --to.");
        var to = parsed.Required("--to", "TARGET (a SQLite file such as crm.db, or a PostgreSQL connection string)");
        if (to.Contains('=', StringComparison.Ordinal) && MirrorTarget.HoldsPassword(to))
            throw new UsageException("--to must not hold a password: put it in an environment variable and name it with --to-password-env VAR.");
        string? databasePassword = null;
        if (parsed.Value("--to-password-env") is { } variable)
            databasePassword = Secret(_environment(variable), $"the environment variable {variable} (from --to-password-env) is not set or empty");
        MirrorTarget target;
        try
        {
            target = MirrorTarget.Parse(to, databasePassword);
        }
        catch (ArgumentException e)
        {
            var message = e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
            if (message.Contains("password", StringComparison.OrdinalIgnoreCase))
                message += " Name it with --to-password-env VAR.";
            throw new UsageException($"--to: {message}", e);
        }
        if (!target.IsPostgreSql && databasePassword is not null)
            throw new UsageException("--to-password-env is for a PostgreSQL target; a SQLite file has no password.");

        var mirrorOptions = new MirrorOptions { IncludeRelatedAttributes = parsed.Flag("--related") };
        foreach (var type in (parsed.Value("--types") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            mirrorOptions.Types.Add(type);
        mirrorOptions.Deletions = parsed.Value("--deletions") switch
        {
            null or "remove" => MirrorDeletions.Remove,
            "flag" => MirrorDeletions.Flag,
            var other => throw new UsageException($"--deletions must be remove or flag (got '{other}')."),
        };
        if (parsed.Value("--partitions") is { } partitionsText)
        {
            if (!int.TryParse(partitionsText, NumberStyles.None, CultureInfo.InvariantCulture, out var partitions) || partitions is < 1 or > 64)
                throw new UsageException($"--partitions must be a whole number from 1 to 64 (got '{partitionsText}').");
            mirrorOptions.Partitions = partitions;
        }
        TimeSpan? watch = parsed.Value("--watch") is { } watchText
            ? ParseInterval(watchText) is { } interval && interval > TimeSpan.Zero
                ? interval
                : throw new UsageException($"--watch must be an interval such as 30s, 5m or 1h, above zero (got '{watchText}').")
            : null;
        var quiet = parsed.Flag("--quiet");
        var progress = new ProgressLine(_err, ErrorIsTerminal && !quiet);
        mirrorOptions.Progress = progress;

        var (workbooksOptions, _) = ServiceSettings(parsed);
        WorkbooksSession session;
        try
        {
            session = await _connect(workbooksOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WorkbooksTransportException or HttpRequestException)
        {
            throw new CliErrorException($"cannot reach {workbooksOptions.Service}: {OneLine(Innermost(e).Message)}", e);
        }
        await using (session.ConfigureAwait(false))
        {
            var mirror = new WorkbooksMirror(session, target, mirrorOptions);
            if (!quiet)
                await _err.WriteLineAsync($"mirroring into {target.Description}").ConfigureAwait(false);
            if (watch is null)
            {
                var summary = await mirror.SyncAsync(cancellationToken).ConfigureAwait(false);
                progress.Clear();
                if (!quiet)
                    await WriteSummaryAsync(summary).ConfigureAwait(false);
                return ExitOk;
            }
            try
            {
                var passes = 0;
                await mirror.WatchAsync(watch.Value, summary =>
                {
                    progress.Clear();
                    if (!quiet)
                        WriteSummaryAsync(summary, changedOnly: passes++ > 0).GetAwaiter().GetResult();
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                progress.Clear();
                if (!quiet)
                    await _err.WriteLineAsync("stopped; the next run resumes where this one got to.").ConfigureAwait(false);
            }
            return ExitOk;
        }
    }

    /// <summary>The pass's summary; when watching, after the first pass, only the tables that changed and a total.</summary>
    private async Task WriteSummaryAsync(MirrorSummary summary, bool changedOnly = false)
    {
        foreach (var table in summary.Tables)
        {
            foreach (var change in table.SchemaChanges)
                await _err.WriteLineAsync($"schema: {change}").ConfigureAwait(false);
        }
        if (!changedOnly)
        {
            await _out.WriteLineAsync(summary.ToString()).ConfigureAwait(false);
        }
        else
        {
            var changed = summary.Tables.Where(t => t.Loaded + t.Upserted + t.Deleted > 0 || t.SchemaChanges.Count > 0).ToList();
            foreach (var table in changed)
                await _out.WriteLineAsync(table.ToString()).ConfigureAwait(false);
            await _out.WriteLineAsync(FormattableString.Invariant($"{(changed.Count == 0 ? "no changes" : $"{changed.Count} of {summary.Tables.Count} tables changed")} ({DateTimeOffset.Now:HH:mm:ss}, {summary.Elapsed.TotalSeconds:0.0} s)")).ConfigureAwait(false);
        }
        await _out.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>30s, 5m, 1h, 250ms or a number of seconds.</summary>
    internal static TimeSpan? ParseInterval(string text)
    {
        text = text.Trim();
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : text.EndsWith('h') ? (text[..^1], 3600.0)
            : (text, 1.0);
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value >= 0 && value * unit <= TimeSpan.FromDays(1).TotalSeconds
            ? TimeSpan.FromSeconds(value * unit)
            : null;
    }

    /// <summary>One progress line, redrawn in place at most four times a second; nothing when not on a terminal.</summary>
    private sealed class ProgressLine(TextWriter error, bool enabled) : IProgress<MirrorProgress>
    {
        private readonly Lock _gate = new();
        private long _lastDrawn;
        private bool _drawn;

        public void Report(MirrorProgress value)
        {
            if (!enabled)
                return;
            lock (_gate)
            {
                var now = Environment.TickCount64;
                if (_drawn && now - _lastDrawn < 250)
                    return;
                _lastDrawn = now;
                _drawn = true;
                var count = value.Expected is { } expected
                    ? string.Create(CultureInfo.InvariantCulture, $"{value.Records:N0} / {expected:N0}")
                    : string.Create(CultureInfo.InvariantCulture, $"{value.Records:N0}");
                var eta = value.EstimatedRemaining is { } left ? $"  ETA {left:h\\:mm\\:ss}" : "";
                var phase = value.Phase == MirrorPhase.Loading ? "loading" : "syncing";
                error.Write(string.Create(CultureInfo.InvariantCulture, $"\r\u001b[K{value.Table}  {phase}  {count}  {value.RecordsPerSecond:N0} rec/s{eta}"));
                error.Flush();
            }
        }

        public void Clear()
        {
            lock (_gate)
            {
                if (!_drawn)
                    return;
                error.Write("\r\u001b[K");
                error.Flush();
                _drawn = false;
            }
        }
    }
}
