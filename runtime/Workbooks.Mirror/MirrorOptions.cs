namespace Workbooks.Mirror;

/// <summary>What a mirror does with records deleted in the service.</summary>
public enum MirrorDeletions
{
    /// <summary>The row is deleted from the mirror (the default).</summary>
    Remove,

    /// <summary>The row is kept, with <c>is_deleted</c> true and its last values (the first load also copies records deleted
    /// before it).</summary>
    Flag,
}

/// <summary>Configures a <see cref="WorkbooksMirror"/>.</summary>
public sealed class MirrorOptions
{
    /// <summary>
    /// The record types to mirror, each named by its controller path (<c>crm/people</c>), the path's last part
    /// (<c>people</c>), its table name (<c>crm_people</c>) or its class name (<c>Private::Crm::Person</c>). Empty (the
    /// default): every record type whose metadata permits reading it (the <c>index</c> action).
    /// </summary>
    public IList<string> Types { get; } = new List<string>();

    /// <summary>What happens to rows of records deleted in the service.</summary>
    public MirrorDeletions Deletions { get; set; } = MirrorDeletions.Remove;

    /// <summary>How many id ranges the first load reads at once (1 to 64; 8 by default).</summary>
    public int Partitions { get; set; } = 8;

    /// <summary>Rows written per transaction (1 to 10,000; 1,000 by default). The sync position is saved with each.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>Also mirror the related attributes the metadata lists (<c>main_location[email]</c> → column
    /// <c>main_location_email</c>) and the values the service computes from a related record (<c>employer_name</c>).
    /// They change when the related record changes, which does not stamp this record's updated_at, so they are only as
    /// fresh as the last time the record itself changed or was loaded: join the related table instead where exactness
    /// matters.</summary>
    public bool IncludeRelatedAttributes { get; set; }

    /// <summary>Receives progress as the mirror goes (after each batch is committed).</summary>
    public IProgress<MirrorProgress>? Progress { get; set; }

    internal void Validate()
    {
        if (Partitions is < 1 or > 64)
            throw new ArgumentOutOfRangeException(nameof(Partitions), Partitions, "Partitions must be between 1 and 64.");
        if (BatchSize is < 1 or > 10_000)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be between 1 and 10,000.");
        if (!Enum.IsDefined(Deletions))
            throw new ArgumentOutOfRangeException(nameof(Deletions), Deletions, "Deletions must be Remove or Flag.");
    }
}

/// <summary>What the mirror is doing with a table.</summary>
public enum MirrorPhase
{
    /// <summary>Reading every record (the first load, or again after the schema grew).</summary>
    Loading,

    /// <summary>Applying what changed since the last run.</summary>
    Syncing,
}

/// <summary>Progress of one table, reported after each committed batch.</summary>
/// <param name="Table">The table's name (<c>crm_people</c>).</param>
/// <param name="ControllerPath">The record type's controller path (<c>crm/people</c>).</param>
/// <param name="Phase">Loading or syncing.</param>
/// <param name="Records">Records written so far in this phase.</param>
/// <param name="Expected">While loading: how many records the service reported at the start (an estimate: others may
/// insert and delete meanwhile); null while syncing.</param>
/// <param name="Elapsed">Time since the phase began.</param>
public sealed record MirrorProgress(string Table, string ControllerPath, MirrorPhase Phase, long Records, long? Expected, TimeSpan Elapsed)
{
    /// <summary>Records per second so far.</summary>
    public double RecordsPerSecond => Elapsed > TimeSpan.Zero ? Records / Elapsed.TotalSeconds : 0;

    /// <summary>While loading, the estimated time left at the current rate; null when unknown.</summary>
    public TimeSpan? EstimatedRemaining =>
        Expected is { } expected && RecordsPerSecond > 0 && expected >= Records
            ? TimeSpan.FromSeconds((expected - Records) / RecordsPerSecond)
            : null;
}

/// <summary>What one pass did to one table.</summary>
/// <param name="Table">The table's name.</param>
/// <param name="ControllerPath">The record type's controller path.</param>
/// <param name="Loaded">Rows written by a (re)load in this pass.</param>
/// <param name="Upserted">Rows inserted or moved to a newer version by changes in this pass (a version already applied
/// is read again near the sync's horizon, and left alone: it does not count).</param>
/// <param name="Deleted">Rows deleted (or, with <see cref="MirrorDeletions.Flag"/>, flagged) by changes in this pass.</param>
/// <param name="Rows">Rows in the table at the end of the pass.</param>
/// <param name="SchemaChanges">How the table followed the metadata in this pass (created, columns added, retired, retyped).</param>
public sealed record MirrorTableSummary(string Table, string ControllerPath, long Loaded, long Upserted, long Deleted, long Rows, IReadOnlyList<string> SchemaChanges)
{
    /// <summary>"crm_people: 1000 rows (0 loaded, 2 upserted, 1 deleted)".</summary>
    public override string ToString() => FormattableString.Invariant($"{Table}: {Rows} rows ({Loaded} loaded, {Upserted} upserted, {Deleted} deleted)");
}

/// <summary>What one pass of <see cref="WorkbooksMirror.SyncAsync"/> did.</summary>
/// <param name="Tables">One entry per mirrored table, in the order they were synced.</param>
/// <param name="Elapsed">How long the pass took.</param>
public sealed record MirrorSummary(IReadOnlyList<MirrorTableSummary> Tables, TimeSpan Elapsed)
{
    /// <summary>One line per table, for a terminal or a log.</summary>
    public override string ToString() =>
        string.Join(Environment.NewLine, Tables.Select(t => t.ToString())
            .Append(FormattableString.Invariant($"{Tables.Count} tables in {Elapsed.TotalSeconds:0.0} s")));
}
