using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Workbooks.Records;

/// <summary>
/// The fields of one record type: their wire names, which of them may not be sent on a create or an update, and the
/// order the service sends them in. A record read through a shape keeps its JSON as sent plus one offset per known field,
/// so reading a page costs one pass over its bytes and a field is decoded only when it is read.
/// </summary>
/// <remarks>
/// Generated record classes declare a shape seeded with the schema's fields. Fields the schema does not know (a custom
/// field added after generation) are learned as they arrive, up to a bound, and kept on every record in any case. The
/// shape also remembers which field followed which in the last record, so matching a property name usually costs one
/// comparison of its bytes. A shape is safe to share between threads.
/// </remarks>
public sealed class RecordShape
{
    /// <summary>Slot of <c>id</c> in every shape.</summary>
    internal const int IdSlot = 0;

    /// <summary>Slot of <c>lock_version</c> in every shape.</summary>
    internal const int LockVersionSlot = 1;

    private const int MaxStackName = 256;

    private readonly object _gate = new();
    private readonly int _maxFields;
    private Table _table;

    /// <summary>Creates a shape for a record type.</summary>
    /// <param name="fields">The wire names of the type's fields (<c>id</c> and <c>lock_version</c> are always included).</param>
    /// <param name="notCreateable">Fields that may not be sent when creating a record.</param>
    /// <param name="notUpdateable">Fields that may not be sent when updating a record.</param>
    /// <param name="maxLearnedFields">How many fields the schema does not name are learned (and then matched as fast
    /// as known ones); records carrying more are still read completely, only their lookups are slower.</param>
    public RecordShape(IEnumerable<string> fields, IEnumerable<string>? notCreateable = null, IEnumerable<string>? notUpdateable = null,
        int maxLearnedFields = 256)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLearnedFields);
        var names = new List<string> { "id", "lock_version" };
        foreach (var name in fields)
        {
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(fields));
            if (!names.Contains(name, StringComparer.Ordinal))
                names.Add(name);
        }
        _maxFields = names.Count + maxLearnedFields;
        var capacity = Math.Max(8, names.Count + Math.Min(maxLearnedFields, 8));
        _table = new Table(new string[capacity], new byte[capacity][], NewNext(capacity + 1), new Dictionary<string, int>(StringComparer.Ordinal), 0);
        foreach (var name in names)
            Add(name);
        NotCreateable = Freeze(notCreateable);
        NotUpdateable = Freeze(notUpdateable);
    }

    /// <summary>A shape that knows no fields up front and learns every field it sees (for untyped records).</summary>
    /// <param name="maxLearnedFields">How many distinct fields are learned.</param>
    public static RecordShape Learning(int maxLearnedFields = 1024) => new([], maxLearnedFields: maxLearnedFields);

    /// <summary>The fields known so far, in slot order (those named up front first).</summary>
    public IReadOnlyList<string> Fields
    {
        get
        {
            var table = Volatile.Read(ref _table);
            return table.Names.AsSpan(0, table.Count).ToArray();
        }
    }

    /// <summary>Fields that may not be sent when creating a record.</summary>
    public IReadOnlySet<string> NotCreateable { get; }

    /// <summary>Fields that may not be sent when updating a record.</summary>
    public IReadOnlySet<string> NotUpdateable { get; }

    internal Table Current => Volatile.Read(ref _table);

    /// <summary>The slot of a field, or -1 when the shape does not know it.</summary>
    internal int SlotOf(string name)
    {
        // Callers (generated properties above all) pass the same string instances again and again: remember the last
        // slot found per instance, keyed by identity, so a property read costs no hashing of its name.
        var cache = _byInstance;
        var at = RuntimeHelpers.GetHashCode(name) & (cache.Length - 1);
        if (cache[at] is { } hit && ReferenceEquals(hit.Name, name))
            return hit.Slot;
        if (!Current.Index.TryGetValue(name, out var slot))
            return -1;
        cache[at] = new KnownName(name, slot); // a benign race: entries are immutable and any one of them is right
        return slot;
    }

    private readonly KnownName?[] _byInstance = new KnownName?[128];

    private sealed record KnownName(string Name, int Slot);

    /// <summary>
    /// The slot of a property name (<paramref name="quotedName"/>: its JSON string token, quotes included), when the
    /// predicted one (checked by the caller, on the hot path) did not match: a lookup, learning the name when there is
    /// room, remembered as the prediction after <paramref name="previous"/> in <paramref name="table"/> (or a newer table
    /// when the name was just learned). -1 when the name is not known and cannot be learned; a slot at or beyond the
    /// table's count means the caller should reload <see cref="Current"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The name is not valid UTF-8 or has an invalid escape.</exception>
    internal int Find(ReadOnlySpan<byte> quotedName, Table table, int previous)
    {
        var slot = Lookup(quotedName);
        if (slot >= table.Count)
            table = Current;
        if (slot >= 0)
            table.Next[previous + 1] = slot; // a benign race: a stale prediction only costs a lookup
        return slot;
    }

    private int Lookup(ReadOnlySpan<byte> quotedName)
    {
        // The reader unescapes and validates the name exactly as it would anywhere else in a document. Unescaped or not,
        // a name never decodes to more UTF-16 chars than it has bytes.
        var reader = new Utf8JsonReader(quotedName);
        reader.Read();
        var length = quotedName.Length;
        char[]? rented = null;
        Span<char> chars = length <= MaxStackName ? stackalloc char[MaxStackName] : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            var written = reader.CopyString(chars);
            var name = chars[..written];
            if (Current.Index.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var slot))
                return slot;
            return Learn(name.ToString());
        }
        finally
        {
            if (rented is not null)
                ArrayPool<char>.Shared.Return(rented);
        }
    }

    private int Learn(string name)
    {
        lock (_gate)
        {
            if (_table.Index.TryGetValue(name, out var slot))
                return slot;
            return _table.Count >= _maxFields ? -1 : Add(name);
        }
    }

    private int Add(string name)
    {
        var table = _table;
        var slot = table.Count;
        var names = table.Names;
        var utf8 = table.Utf8;
        var next = table.Next;
        if (slot == names.Length)
        {
            var capacity = Math.Min(_maxFields, names.Length * 2);
            names = new string[capacity];
            utf8 = new byte[capacity][];
            next = NewNext(capacity + 1);
            table.Names.AsSpan().CopyTo(names);
            table.Utf8.AsSpan().CopyTo(utf8);
            table.Next.AsSpan().CopyTo(next);
        }
        // Slots below Count never change, so the arrays are shared with older tables; the index is copied, because
        // readers look names up in it without a lock.
        names[slot] = name;
        utf8[slot] = Encoding.UTF8.GetBytes(name);
        var index = new Dictionary<string, int>(table.Index, StringComparer.Ordinal) { [name] = slot };
        Volatile.Write(ref _table, new Table(names, utf8, next, index, slot + 1));
        return slot;
    }

    private static int[] NewNext(int length)
    {
        var next = new int[length];
        next.AsSpan().Fill(-1);
        return next;
    }

    private static HashSet<string> Freeze(IEnumerable<string>? names) =>
        names is null ? new HashSet<string>(StringComparer.Ordinal) : new HashSet<string>(names, StringComparer.Ordinal);

    /// <summary>
    /// An immutable view of the known fields: slots below <see cref="Count"/> never change and <see cref="Index"/> is
    /// never written once published. <see cref="Next"/> maps a slot + 1 (0: the start of a record) to the slot that
    /// followed it last time.
    /// </summary>
    internal sealed record Table(string[] Names, byte[][] Utf8, int[] Next, Dictionary<string, int> Index, int Count);
}
