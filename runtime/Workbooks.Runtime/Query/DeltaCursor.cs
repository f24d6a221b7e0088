namespace Workbooks.Query;

/// <summary>Where a delta sync has got to: the last updated_at seen and the ids seen in that second.</summary>
public sealed class DeltaCursor
{
    private readonly Lock _gate = new();
    private DeltaPosition _current;

    /// <summary>Starts from the beginning (every record).</summary>
    public DeltaCursor() : this(new DeltaPosition(null, [])) { }

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

    internal void Advance(DateTimeOffset? updatedAt, long id)
    {
        if (updatedAt is not { } at)
            return;
        lock (_gate)
        {
            if (_current.UpdatedAt is not { } last || at > last)
                _current = new DeltaPosition(at, [id]);
            else if (at == last && !_current.SeenIds.Contains(id))
                _current = new DeltaPosition(last, [.. _current.SeenIds, id]);
        }
    }
}

/// <summary>A saved delta-sync position.</summary>
/// <param name="UpdatedAt">The latest updated_at processed (null: from the beginning).</param>
/// <param name="SeenIds">The ids processed whose updated_at is that second.</param>
public sealed record DeltaPosition(DateTimeOffset? UpdatedAt, IReadOnlyList<long> SeenIds);
