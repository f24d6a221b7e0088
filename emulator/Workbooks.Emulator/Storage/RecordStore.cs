using Workbooks.Emulator.Query;
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

    /// <summary>
    /// A store of <paramref name="type"/> (the same record type in a changed schema) holding this store's records,
    /// in the same order, with the same ids; the next id continues where this store's would (ids are never reused).
    /// Fields are matched by name: a field in both keeps its value (converted when its kind changed, see
    /// <see cref="Convert"/>); a new field starts as null, whatever its default_value (defaults are what a create fills
    /// in; existing records are not rewritten, and booleans are not set to false either); a removed field's values are
    /// dropped. The records themselves are not touched: lock_version and updated_at stay as they were.
    /// </summary>
    public RecordStore MigrateTo(RecordTypeDef type, DateTime now)
    {
        var mapping = type.Fields
            .Select(field => (From: Type.Field(field.Name), To: field))
            .Where(m => m.From is not null)
            .Select(m => (From: m.From!, m.To))
            .ToArray();
        var migrated = new RecordStore(type) { _nextId = _nextId };
        migrated._rows.Capacity = _rows.Count;
        foreach (var row in _rows)
        {
            var values = new object?[type.Fields.Count];
            foreach (var (from, to) in mapping)
                values[to.Ordinal] = Convert(from, to, row.Values[from.Ordinal], now);
            var record = new Record(type, values);
            migrated._rows.Add(record);
            migrated._byId[record.Id] = record;
        }
        // Soft-deleted records first, so that where a refcode was reused the live record owns it.
        foreach (var record in migrated._rows.Where(r => r.IsDeleted).Concat(migrated._rows.Where(r => !r.IsDeleted)))
            migrated.IndexRefcode(record, null);
        return migrated;
    }

    /// <summary>
    /// A stored value of <paramref name="from"/> as a value of <paramref name="to"/>: unchanged when both store the
    /// same kind of value; otherwise rendered as the service renders it with the old field and parsed as a client
    /// value of the new one (an integer 42 becomes the decimal 42), null when that text is not a valid value.
    /// </summary>
    internal static object? Convert(FieldDef from, FieldDef to, object? value, DateTime now)
    {
        if (value is null || from.Kind == to.Kind)
            return value;
        var text = ValueText.Render(from, value, OutputFormats.Default, now);
        return text is not null && WireValues.TryParse(to.Kind, text, out var converted, out _) ? converted : null;
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
