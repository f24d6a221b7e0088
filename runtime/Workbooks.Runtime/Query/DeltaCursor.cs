namespace Workbooks.Query;

/// <summary>
/// Where a delta sync has got to (see <see cref="WorkbooksQuery{T, TFields}.ChangesSinceAsync"/>): the latest
/// updated_at read, and the versions read in that second. Thread-safe; save <see cref="Current"/> to resume.
/// </summary>
public sealed class DeltaCursor
{
    private readonly Lock _gate = new();
    private DeltaPosition _current;

    /// <summary>Starts from the beginning (every record).</summary>
    public DeltaCursor() : this(DeltaPosition.Start) { }

    /// <summary>Resumes from a saved position.</summary>
    public DeltaCursor(DeltaPosition position) => _current = position ?? throw new ArgumentNullException(nameof(position));

    /// <summary>The position to save.</summary>
    public DeltaPosition Current
    {
        get
        {
            lock (_gate) return _current;
        }
    }

    internal void Advance(DateTimeOffset updatedAt, long id, int lockVersion)
    {
        lock (_gate)
        {
            if (_current.UpdatedAt is not { } last || updatedAt > last)
                _current = new DeltaPosition(updatedAt, [new DeltaVersion(id, lockVersion)]);
            else if (updatedAt == last)
                _current = new DeltaPosition(last, [.. _current.Seen.Where(v => v.Id != id), new DeltaVersion(id, lockVersion)]);
            // An older second cannot come after a newer one in updated_at order; the cursor never moves back.
        }
    }
}

/// <summary>A saved delta-sync position: small (one second's versions) and serialisable (System.Text.Json handles it as is).</summary>
/// <param name="UpdatedAt">The latest updated_at read (null: from the beginning).</param>
/// <param name="Seen">The record versions read whose updated_at is that second.</param>
public sealed record DeltaPosition(DateTimeOffset? UpdatedAt, IReadOnlyList<DeltaVersion> Seen)
{
    /// <summary>The beginning: every record.</summary>
    public static DeltaPosition Start { get; } = new(null, []);

    /// <summary>Every record changed at or after <paramref name="updatedAt"/>.</summary>
    public static DeltaPosition Since(DateTimeOffset updatedAt) => new(updatedAt, []);
}

/// <summary>One version of a record: its id and lock_version (which every change and deletion moves on).</summary>
/// <param name="Id">The record's id.</param>
/// <param name="LockVersion">Its lock_version when it was read.</param>
public readonly record struct DeltaVersion(long Id, int LockVersion);
