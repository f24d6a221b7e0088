using System.Collections.Concurrent;
using Workbooks.Emulator.Schema;
using Workbooks.Emulator.Storage;

namespace Workbooks.Emulator.Query;

/// <summary>A column a request can select, sort or filter on: a stored field, or a path through an association.</summary>
internal abstract class Column(string name, ValueKind kind, FieldDef? field)
{
    public string Name { get; } = name;
    public ValueKind Kind { get; } = kind;
    /// <summary>The stored field, when the column is one (filterability is checked on it).</summary>
    public FieldDef? Field { get; } = field;
    public abstract object? Get(Record record, EmulatorDatabase database);
}

internal sealed class StoredColumn(FieldDef field) : Column(field.Name, field.Kind, field)
{
    private readonly int _ordinal = field.Ordinal;
    public override object? Get(Record record, EmulatorDatabase database) => record.Values[_ordinal];
}

internal sealed class ConstantColumn(string name, object? value, ValueKind kind) : Column(name, kind, null)
{
    public override object? Get(Record record, EmulatorDatabase database) => value;
}

/// <summary><c>employer[name]</c>: follow the association's foreign key to the target record, then read <c>name</c> there.</summary>
internal sealed class RelatedColumn(string name, ValueKind kind, FieldDef foreignKey, FieldDef? typeField, string[] targetClasses, string rest)
    : Column(name, kind, null)
{
    private sealed record Resolved(RecordTypeDef Type, Column? Column);

    private Resolved? _last;

    public override object? Get(Record record, EmulatorDatabase database)
    {
        if (record.Values[foreignKey.Ordinal] is not long id)
            return null;
        var className = typeField is not null && record.Values[typeField.Ordinal] is string t && t.Length > 0 ? t : targetClasses[0];
        var store = database.StoreOfClass(className);
        var target = store?.Find(id);
        if (target is null || target.IsDeleted)
            return null;
        // Resolved once per target type: polymorphic associations have a few.
        // (One reference, swapped atomically: databases of one schema share this column under different locks.)
        var last = _last;
        if (last is null || !ReferenceEquals(last.Type, store!.Type))
            _last = last = new Resolved(store!.Type, ColumnResolver.Resolve(store.Type, rest, database.Schema));
        return last.Column?.Get(target, database);
    }
}

internal static class ColumnResolver
{
    private static readonly ConcurrentDictionary<(RecordTypeDef, string), Column?> Cache = new();

    public static readonly string[] PermissionColumns = ["_can_chaccess", "_can_chown", "_can_delete", "_can_modify", "_can_read"];

    public static Column? Resolve(RecordTypeDef type, string name, EmulatorSchema schema) =>
        Cache.GetOrAdd((type, name), key => Build(key.Item1, key.Item2, schema));

    /// <summary>Drops the columns resolved for record types of a schema no longer served (a schema change).</summary>
    public static void Forget(IReadOnlyList<RecordTypeDef> types)
    {
        var forgotten = new HashSet<RecordTypeDef>(types, ReferenceEqualityComparer.Instance);
        foreach (var key in Cache.Keys)
            if (forgotten.Contains(key.Item1))
                Cache.TryRemove(key, out _);
    }

    private static Column? Build(RecordTypeDef type, string name, EmulatorSchema schema)
    {
        if (type.Field(name) is { } field)
            return TypeBehaviours.DerivedColumn(type, field, schema) ?? new StoredColumn(field);
        if (PermissionColumns.Contains(name))
            return new ConstantColumn(name, true, ValueKind.Boolean);
        // Normalise a[b][c] to a[b[c]] before looking for an association path.
        var normalised = NormaliseNestedKey(name);
        if (normalised != name && type.Field(normalised) is { } nf)
            return new StoredColumn(nf);
        var open = normalised.IndexOf('[', StringComparison.Ordinal);
        if (open <= 0 || !normalised.EndsWith(']'))
            return null;
        var associationName = normalised[..open];
        var rest = normalised[(open + 1)..^1];
        if (!type.Associations.TryGetValue(associationName, out var association) || association.ForeignKeyName is null)
            return null;
        if (type.Field(association.ForeignKeyName) is not { } foreignKey)
            return null;
        var targets = association.ClassNames.Where(schema.ByClassName.ContainsKey).ToArray();
        if (targets.Length == 0)
            return null;
        var inner = Resolve(schema.ByClassName[targets[0]], rest, schema);
        if (inner is null)
            return null;
        var typeFieldName = association.ForeignKeyName.EndsWith("_id", StringComparison.Ordinal) ? association.ForeignKeyName[..^3] + "_type" : association.Name + "_type";
        return new RelatedColumn(normalised, inner.Kind, foreignKey, association.Polymorphic ? type.Field(typeFieldName) : null, targets, rest);
    }

    /// <summary><c>org_lead_party[main_location][email]</c> → <c>org_lead_party[main_location[email]]</c> (the output form).</summary>
    public static string NormaliseNestedKey(string key)
    {
        var first = key.IndexOf('[', StringComparison.Ordinal);
        if (first < 0 || !key.Contains("][", StringComparison.Ordinal))
            return key;
        var segments = key[first..].Split(['[', ']'], StringSplitOptions.RemoveEmptyEntries);
        var result = key[..first];
        foreach (var segment in segments)
            result += "[" + segment;
        return result + new string(']', segments.Length);
    }
}
