using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator.Storage;

/// <summary>One stored record: a value per field of its type, by ordinal. Values are typed (see <see cref="ValueKind"/>).</summary>
internal sealed class Record(RecordTypeDef type, object?[] values)
{
    public RecordTypeDef Type { get; } = type;
    public object?[] Values { get; } = values;

    public long Id => (long)Values[Type.Id.Ordinal]!;
    public int LockVersion
    {
        get => (int)(long)(Values[Type.LockVersion.Ordinal] ?? 0L);
        set => Values[Type.LockVersion.Ordinal] = (long)value;
    }
    public bool IsDeleted
    {
        get => Values[Type.IsDeleted.Ordinal] is true;
        set => Values[Type.IsDeleted.Ordinal] = value;
    }

    public object? this[string field] => Type.Field(field) is { } f ? Values[f.Ordinal] : null;

    public Record Snapshot() => new(Type, (object?[])Values.Clone());
}

/// <summary>The records of one type in one database, ordered by id. Callers hold the database gate.</summary>
internal sealed class RecordStore
{
    private readonly List<Record> _rows = [];
    private readonly Dictionary<long, Record> _byId = [];
    private readonly Dictionary<string, long>? _refcodes;
    private readonly FieldDef? _refcodeField;
    private long _nextId = 1;

    public RecordStore(RecordTypeDef type)
    {
        Type = type;
        _refcodeField = type.Field("refcode");
        if (_refcodeField is not null)
            _refcodes = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
    }

    public RecordTypeDef Type { get; }

    /// <summary>All rows (deleted ones included), ascending by id.</summary>
    public IReadOnlyList<Record> Rows => _rows;

    public int Count => _rows.Count;

    public Record? Find(long id) => _byId.GetValueOrDefault(id);

    public long PeekNextId() => _nextId;

    /// <summary>Adds a record, giving it the next id unless it already has one (seeding may fix ids, e.g. picklist ids).</summary>
    public Record Add(object?[] values)
    {
        var idOrdinal = Type.Id.Ordinal;
        long id;
        if (values[idOrdinal] is long fixedId && fixedId > 0)
        {
            id = fixedId;
            if (_byId.ContainsKey(id))
                throw new InvalidOperationException($"{Type.ClassName} {id} already exists.");
            _nextId = Math.Max(_nextId, id + 1);
        }
        else
        {
            id = _nextId++;
            values[idOrdinal] = id;
        }
        var record = new Record(Type, values);
        if (_rows.Count == 0 || _rows[^1].Id < id)
        {
            _rows.Add(record);
        }
        else
        {
            var index = BinarySearch(id);
            _rows.Insert(~index, record);
        }
        _byId[id] = record;
        IndexRefcode(record, null);
        return record;
    }

    /// <summary>Index of the first row whose id is greater than <paramref name="id"/>.</summary>
    public int FirstIndexAfter(long id)
    {
        var index = BinarySearch(id);
        return index >= 0 ? index + 1 : ~index;
    }

    /// <summary>Whether a refcode is taken by a live record other than <paramref name="exceptId"/>.</summary>
    public bool RefcodeTaken(string refcode, long exceptId) =>
        _refcodes is not null && _refcodes.TryGetValue(refcode, out var owner) && owner != exceptId && _byId.TryGetValue(owner, out var r) && !r.IsDeleted;

    /// <summary>Call after changing a record's values so that the refcode index follows.</summary>
    public void IndexRefcode(Record record, string? previous)
    {
        if (_refcodes is null || _refcodeField is null)
            return;
        if (previous is not null && _refcodes.TryGetValue(previous, out var owner) && owner == record.Id)
            _refcodes.Remove(previous);
        if (record.Values[_refcodeField.Ordinal] is string { Length: > 0 } refcode)
            _refcodes[refcode] = record.Id;
    }

    private int BinarySearch(long id)
    {
        int lo = 0, hi = _rows.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var midId = _rows[mid].Id;
            if (midId == id) return mid;
            if (midId < id) lo = mid + 1;
            else hi = mid - 1;
        }
        return ~lo;
    }
}
