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
    /// <summary>
    /// The schema and the stores of its record types, swapped as one reference (under <see cref="Gate"/>) when the
    /// schema changes, so that even a reader without the gate never pairs one schema with the other's stores.
    /// </summary>
    private sealed record State(EmulatorSchema Schema, Dictionary<string, Storage.RecordStore> Stores);

    private volatile State _state;

    internal EmulatorDatabase(EmulatorDatabaseInfo info, EmulatorSchema schema, TimeProvider time)
    {
        Info = info;
        Time = time;
        var stores = new Dictionary<string, Storage.RecordStore>(StringComparer.Ordinal);
        foreach (var type in schema.Types)
            stores.TryAdd(type.ControllerPath, new Storage.RecordStore(type));
        _state = new State(schema, stores);
    }

    /// <summary>The database's id and name.</summary>
    public EmulatorDatabaseInfo Info { get; }

    /// <summary>The schema the stores follow (it changes with <see cref="MigrateTo"/>; read it under the gate).</summary>
    internal EmulatorSchema Schema => _state.Schema;
    internal TimeProvider Time { get; }

    /// <summary>The lock every read and change of this database takes.</summary>
    internal Lock Gate { get; } = new();

    /// <summary>Contents of upload_files records, by record id.</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<long, Changes.StoredFile> Files { get; } = new();

    /// <summary>Incremented on every successful change request (useful to assert that a change was not replayed).</summary>
    public long ChangeRequestCount { get; internal set; }

    /// <summary>Whether the database is seeded: from then on, records created change the metadata where the service's would.</summary>
    internal bool Seeded { get; set; }

    /// <summary>Changes to the metadata caused by records created, applied once the gate is released (<see cref="ApplySchemaGrowth"/>).</summary>
    internal List<SchemaGrowth> PendingSchemaGrowth { get; } = [];

    /// <summary>Serves the grown schema (set by the service): called with the growth taken from <see cref="PendingSchemaGrowth"/>.</summary>
    internal Action<IReadOnlyList<SchemaGrowth>>? GrowSchema { get; set; }

    /// <summary>
    /// Applies the metadata changes that records created since the last call caused (a custom record type's own
    /// controller path, a custom field on its record type), so that the next request sees them. Called without the gate.
    /// </summary>
    internal void ApplySchemaGrowth()
    {
        SchemaGrowth[] growth;
        lock (Gate)
        {
            if (PendingSchemaGrowth.Count == 0)
                return;
            growth = [.. PendingSchemaGrowth];
            PendingSchemaGrowth.Clear();
        }
        GrowSchema?.Invoke(growth);
    }

    internal Storage.RecordStore Store(string controllerPath) =>
        _state.Stores.TryGetValue(controllerPath, out var store) ? store
            : throw new KeyNotFoundException($"Database {Info.Id} has no record type '{controllerPath}'.");

    /// <summary>
    /// The store of a record type the caller looked up in a schema, provided that the database still follows that
    /// schema. Call it under the gate, before anything else touches the database: when the schema changed since the
    /// type was looked up it throws <see cref="Query.SchemaChangedException"/> and nothing has been read or changed.
    /// This is where a request meets the records, so what the service did to them in the background since they were
    /// last looked at is done here first (<see cref="Storage.TypeBehaviours.BeforeAccess"/>).
    /// </summary>
    internal Storage.RecordStore Store(RecordTypeDef type)
    {
        if (!_state.Stores.TryGetValue(type.ControllerPath, out var store) || !ReferenceEquals(store.Type, type))
            throw new Query.SchemaChangedException(type.HumanNamePlural);
        Storage.TypeBehaviours.BeforeAccess(this, store);
        return store;
    }

    internal Storage.RecordStore? TryStore(string controllerPath) => _state.Stores.GetValueOrDefault(controllerPath);
    internal Storage.RecordStore? StoreOfClass(string className)
    {
        var state = _state;
        return state.Schema.ByClassName.TryGetValue(className, out var t) ? state.Stores.GetValueOrDefault(t.ControllerPath) : null;
    }

    /// <summary>The controller paths of every record type, e.g. <c>crm/people</c>.</summary>
    public IReadOnlyCollection<string> ControllerPaths => _state.Stores.Keys;

    /// <summary>
    /// Makes the stores follow another schema, keeping the data (the caller holds the gate). Record types are matched
    /// by controller path: a type in both keeps its records (ids, lock_version, updated_at, is_deleted: the records are
    /// not touched, so nothing looks changed to an incremental reader), a new type starts empty (it is not seeded), a
    /// type the schema no longer has is dropped. Fields are matched by name: see <see cref="Storage.RecordStore.MigrateTo"/>.
    /// </summary>
    internal void MigrateTo(EmulatorSchema schema)
    {
        var current = _state;
        if (ReferenceEquals(current.Schema, schema))
            return;
        var now = Time.GetUtcNow().UtcDateTime;
        var stores = new Dictionary<string, Storage.RecordStore>(StringComparer.Ordinal);
        foreach (var type in schema.Types)
        {
            // The first type of a controller path wins, as in the schema's own lookups.
            if (stores.ContainsKey(type.ControllerPath))
                continue;
            stores[type.ControllerPath] = current.Stores.TryGetValue(type.ControllerPath, out var previous)
                ? previous.MigrateTo(type, now)
                : new Storage.RecordStore(type);
        }
        if (!stores.ContainsKey("upload_files"))
            Files.Clear();
        _state = new State(schema, stores);
    }

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
            var store = Store(controllerPath);
            Storage.TypeBehaviours.BeforeAccess(this, store);
            var record = store.Find(id);
            if (record is null)
                return null;
            var now = Time.GetUtcNow().UtcDateTime;
            return record.Type.Fields.ToDictionary(f => f.Name, f => ValueText.Render(f, record.Values[f.Ordinal], OutputFormats.Default, now), StringComparer.Ordinal);
        }
    }

    /// <summary>Inserts a record as another user would (values in wire form); returns its id.</summary>
    public long Insert(string controllerPath, IReadOnlyDictionary<string, string?> values)
    {
        long id;
        lock (Gate)
        {
            var store = Store(controllerPath);
            var record = Storage.RecordFactory.NewValues(store.Type, Time.GetUtcNow().UtcDateTime, userId: 3, application: "Other user");
            Assign(record, values, store.Type);
            Storage.TypeBehaviours.OnWrite(store.Type, record, Assigned(store.Type, values), create: true);
            id = Create(store, record).Id;
        }
        ApplySchemaGrowth();
        return id;
    }

    /// <summary>
    /// The one place a new record is stored (change requests, <see cref="Insert"/>, a file attached on create, and the
    /// records a creation brings with it): adds it to its store, gives it its object_ref, then does what the service
    /// does when a record of its type is created (<see cref="Storage.TypeBehaviours.AfterCreate"/>). The caller holds
    /// the gate. (The seeder stores in bulk and runs the same behaviours once it has linked its records.)
    /// </summary>
    internal Storage.Record Create(Storage.RecordStore store, object?[] values, bool asynchronous = false)
    {
        var record = store.Add(values);
        Storage.RecordFactory.Stamp(store.Type, record.Values, record.Id);
        Storage.TypeBehaviours.AfterCreate(this, record);
        if (asynchronous)
            Storage.TypeBehaviours.AfterAsynchronousWrite(this, record);
        return record;
    }

    /// <summary>
    /// Updates a record as another user would (bumping its lock_version). Returns false when it does not exist, or
    /// when the service refuses to change it (an exchange rate).
    /// </summary>
    public bool Update(string controllerPath, long id, IReadOnlyDictionary<string, string?> values)
    {
        lock (Gate)
        {
            var store = Store(controllerPath);
            var record = store.Find(id);
            if (record is null || record.IsDeleted || Storage.TypeBehaviours.Refusal(record, delete: false) is not null)
                return false;
            Save(record, Parse(values, record.Type), userId: 3);
            return true;
        }
    }

    /// <summary>
    /// Soft-deletes a record as another user would. Returns false when it does not exist or is already deleted, or
    /// when the service refuses to delete it (an exchange rate, a scheduled import job).
    /// </summary>
    public bool Delete(string controllerPath, long id)
    {
        lock (Gate)
        {
            var record = Store(controllerPath).Find(id);
            if (record is null || record.IsDeleted || Storage.TypeBehaviours.Refusal(record, delete: true) is not null)
                return false;
            Remove(record, userId: 3);
            return true;
        }
    }

    /// <summary>
    /// The one place a stored record is updated (change requests and <see cref="Update"/>): the values assigned, what
    /// the service derives from them (<see cref="Storage.TypeBehaviours.OnWrite"/>), the save stamped and what follows an
    /// update of its type (<see cref="Touch"/>), its refcode indexed. The caller holds the gate and has checked the
    /// record may be changed (<see cref="Storage.TypeBehaviours.Refusal"/>).
    /// </summary>
    /// <param name="record">The stored record.</param>
    /// <param name="assignments">The values the update gives.</param>
    /// <param name="userId">Who updates it.</param>
    /// <param name="asynchronous">Whether the update was asked to happen in the background (<c>_asynchronous_cf</c>).</param>
    internal void Save(Storage.Record record, IReadOnlyList<(FieldDef Field, object? Value)> assignments, int userId, bool asynchronous = false)
    {
        var previousRefcode = record["refcode"] as string;
        foreach (var (field, value) in assignments)
            record.Values[field.Ordinal] = value;
        Storage.TypeBehaviours.OnWrite(record.Type, record.Values, [.. assignments.Select(a => a.Field)], create: false);
        Touch(record, userId);
        Store(record.Type.ControllerPath).IndexRefcode(record, previousRefcode);
        if (asynchronous)
            Storage.TypeBehaviours.AfterAsynchronousWrite(this, record);
    }

    /// <summary>The one place a stored record is deleted (change requests and <see cref="Delete"/>): soft-deleted, and the
    /// save stamped (<see cref="Touch"/>). The caller holds the gate and has checked the record may be deleted.</summary>
    internal void Remove(Storage.Record record, int userId)
    {
        record.IsDeleted = true;
        Touch(record, userId);
    }

    /// <summary>
    /// A stored record was saved (an update or a delete: change requests, <see cref="Update"/>, <see cref="Delete"/>,
    /// and the service's own background work): its lock_version moves, updated_at/by are stamped, and what the service
    /// does after an update of its type runs (<see cref="Storage.TypeBehaviours.AfterUpdate"/>). The caller holds the gate.
    /// </summary>
    internal void Touch(Storage.Record record, int userId = 3)
    {
        record.LockVersion++;
        var type = record.Type;
        record.Values[type.FieldsByName["updated_at"].Ordinal] = TruncateToSecond(Time.GetUtcNow().UtcDateTime);
        record.Values[type.FieldsByName["updated_by"].Ordinal] = (long)userId;
        Storage.TypeBehaviours.AfterUpdate(this, record);
    }

    internal static DateTime TruncateToSecond(DateTime value) =>
        new(value.Ticks - value.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    private static FieldDef[] Assigned(RecordTypeDef type, IReadOnlyDictionary<string, string?> values) =>
        [.. values.Keys.Select(type.Field).OfType<FieldDef>()];

    private static void Assign(object?[] record, IReadOnlyDictionary<string, string?> values, RecordTypeDef type)
    {
        foreach (var (field, value) in Parse(values, type))
            record[field.Ordinal] = value;
    }

    private static List<(FieldDef Field, object? Value)> Parse(IReadOnlyDictionary<string, string?> values, RecordTypeDef type)
    {
        var parsed = new List<(FieldDef, object?)>(values.Count);
        foreach (var (name, text) in values)
        {
            var field = type.Field(name) ?? throw new ArgumentException($"{type.ClassName} has no field '{name}'.", nameof(values));
            if (text is null)
            {
                parsed.Add((field, null));
                continue;
            }
            if (!WireValues.TryParse(field.Kind, text, out var value, out var error))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} {error}: '{text}'"), nameof(values));
            parsed.Add((field, value));
        }
        return parsed;
    }
}
