namespace Workbooks.Query;

/// <summary>
/// Where a parallel read (<see cref="WorkbooksQuery{T, TFields}.ReadInParallelAsync(int, ParallelReadCursor, System.Threading.CancellationToken)"/>)
/// has got to: its id ranges and, for each, the last id handed over. Thread-safe; save <see cref="Current"/> after
/// processing the records read so far, and pass a cursor made from it to resume: ranges read to their end are not read
/// again, the others go on after their last id.
/// </summary>
public sealed class ParallelReadCursor
{
    private readonly Lock _gate = new();
    private ParallelReadPosition _current;

    /// <summary>A read from the beginning: its ranges are chosen when it starts.</summary>
    public ParallelReadCursor() : this(ParallelReadPosition.Start) { }

    /// <summary>Resumes from a saved position.</summary>
    public ParallelReadCursor(ParallelReadPosition position) => _current = position ?? throw new ArgumentNullException(nameof(position));

    /// <summary>The position to save.</summary>
    public ParallelReadPosition Current
    {
        get
        {
            lock (_gate) return _current;
        }
    }

    internal void Begin(IReadOnlyList<IdRange> ranges)
    {
        lock (_gate) _current = new ParallelReadPosition(ranges);
    }

    /// <summary>Records that the record <paramref name="id"/> of range <paramref name="range"/> was handed over (each
    /// range is read in id order, so every id before it in the range has been too).</summary>
    internal void Advance(int range, long id)
    {
        lock (_gate) _current = _current.With(range, _current.Ranges[range] with { After = id });
    }

    /// <summary>Records that range <paramref name="range"/> was read to its end.</summary>
    internal void Complete(int range)
    {
        lock (_gate) _current = _current.With(range, _current.Ranges[range] with { Done = true });
    }
}

/// <summary>A saved parallel-read position: the id ranges and how far each has been read. Small (one entry per range)
/// and serialisable (System.Text.Json handles it as is).</summary>
/// <param name="Ranges">The ranges; empty before the read has started.</param>
public sealed record ParallelReadPosition(IReadOnlyList<IdRange> Ranges)
{
    /// <summary>Not started: the ranges are chosen when the read starts.</summary>
    public static ParallelReadPosition Start { get; } = new([]);

    /// <summary>Whether the read has started and every range was read to its end.</summary>
    public bool IsComplete => Ranges.Count > 0 && Ranges.All(r => r.Done);

    internal ParallelReadPosition With(int index, IdRange range)
    {
        var ranges = Ranges.ToArray();
        ranges[index] = range;
        return new ParallelReadPosition(ranges);
    }
}

/// <summary>One range of a parallel read: ids greater than <paramref name="After"/> and less than
/// <paramref name="Before"/> (null: open, so that ids created during the read are read too).</summary>
/// <param name="After">Ids up to this one have been read (or lie before the range).</param>
/// <param name="Before">The first id of the next range; null for the last range.</param>
/// <param name="Done">Whether the range was read to its end.</param>
public readonly record struct IdRange(long After, long? Before, bool Done);
