namespace Workbooks.Query;

/// <summary>
/// Where a delta sync has got to (see <see cref="WorkbooksQuery{T, TFields}.ChangesSinceAsync"/>). Thread-safe; save
/// <see cref="Current"/> to resume.
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

    /// <summary>
    /// Records a version read at <paramref name="updatedAt"/>. Reads are in updated_at order, so everything stamped
    /// before it has been read, except changes made while the sync ran, which are stamped at or after the service's
    /// clock when it began (<paramref name="began"/>): the horizon moves to the earlier of the two, never back.
    /// </summary>
    internal void Advance(DateTimeOffset updatedAt, long id, int lockVersion, DateTimeOffset? began)
    {
        lock (_gate)
        {
            var horizon = began is { } b && b < updatedAt ? b : updatedAt;
            if (_current.UpdatedAt is { } previous && previous > horizon)
                horizon = previous;
            var seen = new List<DeltaVersion>(_current.Seen.Count + 1);
            foreach (var version in _current.Seen)
            {
                if (version.Id != id && version.UpdatedAt >= horizon)
                    seen.Add(version);
            }
            if (updatedAt >= horizon)
                seen.Add(new DeltaVersion(id, lockVersion, updatedAt));
            _current = new DeltaPosition(horizon, seen);
        }
    }
}

/// <summary>
/// A saved delta-sync position: every version stamped before <see cref="UpdatedAt"/> has been read, and
/// <see cref="Seen"/> lists the versions read that are stamped at or after it. Small (a few seconds of changes) and
/// serialisable (System.Text.Json handles it as is).
/// </summary>
/// <param name="UpdatedAt">The horizon (null: from the beginning).</param>
/// <param name="Seen">The versions read stamped at or after the horizon.</param>
public sealed record DeltaPosition(DateTimeOffset? UpdatedAt, IReadOnlyList<DeltaVersion> Seen)
{
    /// <summary>
    /// How far behind the service's <c>Date</c> header the horizon stays: the header is set when the service answers
    /// (and some servers refresh it once a second), while the changes to fear are stamped from when it ran the query.
    /// </summary>
    public static TimeSpan SafetyMargin { get; } = TimeSpan.FromSeconds(2);

    /// <summary>The beginning: every record.</summary>
    public static DeltaPosition Start { get; } = new(null, []);

    /// <summary>Every record changed at or after <paramref name="updatedAt"/>.</summary>
    public static DeltaPosition Since(DateTimeOffset updatedAt) => new(updatedAt, []);
}

/// <summary>One version of a record: its id, its lock_version (which every change and deletion moves on) and when it was stamped.</summary>
/// <param name="Id">The record's id.</param>
/// <param name="LockVersion">Its lock_version when it was read.</param>
/// <param name="UpdatedAt">Its updated_at when it was read.</param>
public readonly record struct DeltaVersion(long Id, int LockVersion, DateTimeOffset UpdatedAt);
