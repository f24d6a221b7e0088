using System.Globalization;
using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator;

/// <summary>
/// One logical database of the emulator. Tests use it to arrange data and to assert on what the service stored,
/// without going through HTTP. Every method is thread-safe.
/// </summary>
public sealed class EmulatorDatabase
{
    private readonly Dictionary<string, Storage.RecordStore> _stores = new(StringComparer.Ordinal);

    internal EmulatorDatabase(EmulatorDatabaseInfo info, EmulatorSchema schema, TimeProvider time)
    {
        Info = info;
        Schema = schema;
        Time = time;
        foreach (var type in schema.Types)
            _stores.TryAdd(type.ControllerPath, new Storage.RecordStore(type));
    }

    /// <summary>The database's id and name.</summary>
    public EmulatorDatabaseInfo Info { get; }

    internal EmulatorSchema Schema { get; }
    internal TimeProvider Time { get; }

    /// <summary>The lock every read and change of this database takes.</summary>
    internal Lock Gate { get; } = new();

    /// <summary>Contents of upload_files records, by record id.</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<long, Changes.StoredFile> Files { get; } = new();

    /// <summary>Incremented on every successful change request (useful to assert that a change was not replayed).</summary>
    public long ChangeRequestCount { get; internal set; }

    internal Storage.RecordStore Store(string controllerPath) => _stores[controllerPath];
    internal Storage.RecordStore? TryStore(string controllerPath) => _stores.GetValueOrDefault(controllerPath);
    internal Storage.RecordStore? StoreOfClass(string className) =>
        Schema.ByClassName.TryGetValue(className, out var t) ? _stores[t.ControllerPath] : null;

    /// <summary>The controller paths of every record type, e.g. <c>crm/people</c>.</summary>
    public IReadOnlyCollection<string> ControllerPaths => _stores.Keys;

    /// <summary>How many records of a type exist (not counting soft-deleted ones unless asked).</summary>
    public int Count(string controllerPath, bool includeDeleted = false)
    {
        lock (Gate)
        {
            var store = Store(controllerPath);
            return includeDeleted ? store.Count : store.Rows.Count(r => !r.IsDeleted);
        }
    }

    /// <summary>The ids of the live records of a type, ascending.</summary>
    public IReadOnlyList<long> Ids(string controllerPath)
    {
        lock (Gate)
            return Store(controllerPath).Rows.Where(r => !r.IsDeleted).Select(r => r.Id).ToArray();
    }

    /// <summary>The ids of every record of a type, soft-deleted ones included, ascending.</summary>
    public IReadOnlyList<long> AllIds(string controllerPath)
    {
        lock (Gate)
            return Store(controllerPath).Rows.Select(r => r.Id).ToArray();
    }

    /// <summary>A record's values in wire form (as the index API would render them), or null when it does not exist.</summary>
    public IReadOnlyDictionary<string, string?>? Get(string controllerPath, long id)
    {
        lock (Gate)
        {
            var record = Store(controllerPath).Find(id);
            if (record is null)
                return null;
            var now = Time.GetUtcNow().UtcDateTime;
            return record.Type.Fields.ToDictionary(f => f.Name, f => ValueText.Render(f, record.Values[f.Ordinal], OutputFormats.Default, now), StringComparer.Ordinal);
        }
    }

    /// <summary>Inserts a record as another user would (values in wire form); returns its id.</summary>
    public long Insert(string controllerPath, IReadOnlyDictionary<string, string?> values)
    {
        lock (Gate)
        {
            var store = Store(controllerPath);
            var record = Storage.RecordFactory.NewValues(store.Type, Time.GetUtcNow().UtcDateTime, userId: 3, application: "Other user");
            Assign(record, values, store.Type);
            Storage.TypeBehaviours.OnWrite(store.Type, record, Assigned(store.Type, values), create: true);
            return store.Add(record).Id;
        }
    }

    /// <summary>Updates a record as another user would (bumping its lock_version). Returns false when it does not exist.</summary>
    public bool Update(string controllerPath, long id, IReadOnlyDictionary<string, string?> values)
    {
        lock (Gate)
        {
            var store = Store(controllerPath);
            var record = store.Find(id);
            if (record is null || record.IsDeleted)
                return false;
            var previousRefcode = record["refcode"] as string;
            Assign(record.Values, values, record.Type);
            Storage.TypeBehaviours.OnWrite(record.Type, record.Values, Assigned(record.Type, values), create: false);
            Touch(record);
            store.IndexRefcode(record, previousRefcode);
            return true;
        }
    }

    /// <summary>Soft-deletes a record as another user would. Returns false when it does not exist or is already deleted.</summary>
    public bool Delete(string controllerPath, long id)
    {
        lock (Gate)
        {
            var record = Store(controllerPath).Find(id);
            if (record is null || record.IsDeleted)
                return false;
            record.IsDeleted = true;
            Touch(record);
            return true;
        }
    }

    internal void Touch(Storage.Record record, int userId = 3)
    {
        record.LockVersion++;
        var type = record.Type;
        record.Values[type.FieldsByName["updated_at"].Ordinal] = TruncateToSecond(Time.GetUtcNow().UtcDateTime);
        record.Values[type.FieldsByName["updated_by"].Ordinal] = (long)userId;
    }

    internal static DateTime TruncateToSecond(DateTime value) =>
        new(value.Ticks - value.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    private static FieldDef[] Assigned(RecordTypeDef type, IReadOnlyDictionary<string, string?> values) =>
        [.. values.Keys.Select(type.Field).OfType<FieldDef>()];

    private static void Assign(object?[] record, IReadOnlyDictionary<string, string?> values, RecordTypeDef type)
    {
        foreach (var (name, text) in values)
        {
            var field = type.Field(name) ?? throw new ArgumentException($"{type.ClassName} has no field '{name}'.", nameof(values));
            if (text is null)
            {
                record[field.Ordinal] = null;
                continue;
            }
            if (!WireValues.TryParse(field.Kind, text, out var value, out var error))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} {error}: '{text}'"), nameof(values));
            record[field.Ordinal] = value;
        }
    }
}
