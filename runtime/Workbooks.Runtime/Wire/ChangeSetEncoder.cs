using System.Globalization;
using System.Text;

namespace Workbooks.Wire;

/// <summary>What a change set does to one object (<c>__method[]</c>).</summary>
public enum ChangeKind
{
    /// <summary>Create (<c>POST</c>, id 0, lock_version 0).</summary>
    Create,
    /// <summary>Update (<c>PUT</c>).</summary>
    Update,
    /// <summary>Delete (<c>DELETE</c>).</summary>
    Delete,
}

/// <summary>
/// One object of a change set: the kind, id, lock_version and (for creates and updates) the fields to send in order.
/// A field mapped to null is sent as <c>:no_value:</c> (left unchanged); <see cref="WireText.Null"/> is sent as
/// <c>:null_value:</c> (cleared).
/// </summary>
public sealed class ChangeOperation
{
    private ChangeOperation(ChangeKind kind, long id, int lockVersion, IReadOnlyList<KeyValuePair<string, WireText?>> fields)
    {
        Kind = kind;
        Id = id;
        LockVersion = lockVersion;
        Fields = fields;
    }

    /// <summary>Create, update or delete.</summary>
    public ChangeKind Kind { get; }

    /// <summary>The object's id (0 for a create).</summary>
    public long Id { get; }

    /// <summary>The object's lock_version (0 for a create).</summary>
    public int LockVersion { get; }

    /// <summary>The fields in order; null values mean "no value" (unchanged). Empty for a delete.</summary>
    public IReadOnlyList<KeyValuePair<string, WireText?>> Fields { get; }

    /// <summary>A create with the given fields.</summary>
    public static ChangeOperation Create(IEnumerable<KeyValuePair<string, WireText?>> fields) => new(ChangeKind.Create, 0, 0, Copy(fields));

    /// <summary>An update of an object with the given fields.</summary>
    public static ChangeOperation Update(long id, int lockVersion, IEnumerable<KeyValuePair<string, WireText?>> fields) =>
        new(ChangeKind.Update, id, lockVersion, Copy(fields));

    /// <summary>A delete of an object.</summary>
    public static ChangeOperation Delete(long id, int lockVersion) => new(ChangeKind.Delete, id, lockVersion, []);

    /// <summary>The operation that sends a record's pending changes (or deletes it) with its id and lock_version.</summary>
    /// <param name="record">The record; for <see cref="ChangeKind.Create"/> its id must be 0.</param>
    /// <param name="kind">What to do with it.</param>
    public static ChangeOperation FromRecord(WorkbooksRecord record, ChangeKind kind)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (kind == ChangeKind.Delete) return Delete(record.Id, record.LockVersion);
        var fields = new List<KeyValuePair<string, WireText?>>(record.ChangedFields.Count);
        foreach (var name in record.ChangedFields)
        {
            if (record.TryGetChange(name, out var value)) fields.Add(new(name, value));
        }
        return new ChangeOperation(kind, record.Id, record.LockVersion, fields);
    }

    private static List<KeyValuePair<string, WireText?>> Copy(IEnumerable<KeyValuePair<string, WireText?>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return [.. fields];
    }
}

/// <summary>
/// Encodes a batch of creates, updates and deletes as the service's "square array": the working-set id filter, then
/// per object <c>__method[]</c>, <c>id[]</c>, <c>lock_version[]</c> and every field named by any object of the batch
/// (ordinal order), with <c>:no_value:</c> where an object does not set it and <c>:null_value:</c> to clear it.
/// </summary>
public static class ChangeSetEncoder
{
    /// <summary>The most objects the service accepts in one request.</summary>
    public const int DefaultMaxObjects = 100;

    /// <summary>Sent for a field an object leaves unchanged.</summary>
    public const string NoValue = ":no_value:";

    /// <summary>Sent for a field an object clears.</summary>
    public const string NullValue = ":null_value:";

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal) { "__method", "id", "lock_version", "method" };

    /// <summary>Encodes a batch (the caller chunks batches larger than <paramref name="maxObjects"/>).</summary>
    /// <param name="operations">The objects, in the order the service should apply them (and report them back).</param>
    /// <param name="maxObjects">The largest batch allowed.</param>
    /// <exception cref="ArgumentException">
    /// The batch is empty or too large; a create has an id or lock_version; an update or delete has no id; a field
    /// name is empty, reserved, malformed or given twice for one object.
    /// </exception>
    public static List<KeyValuePair<string, string>> Encode(IReadOnlyList<ChangeOperation> operations, int maxObjects = DefaultMaxObjects)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxObjects, 1);
        if (operations.Count == 0) throw new ArgumentException("A change set needs at least one object.", nameof(operations));
        if (operations.Count > maxObjects)
            throw new ArgumentException($"A change set can hold at most {maxObjects} objects, not {operations.Count}; split it into several requests.", nameof(operations));

        // Validate, and normalise each object's keys.
        var perObject = new Dictionary<string, WireText?>[operations.Count];
        var union = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i] ?? throw new ArgumentException($"Object {i} of the change set is null.", nameof(operations));
            Validate(op, i);
            var map = new Dictionary<string, WireText?>(op.Fields.Count, StringComparer.Ordinal);
            if (op.Kind != ChangeKind.Delete)
            {
                foreach (var (name, value) in op.Fields)
                {
                    var key = NormaliseKey(name);
                    if (Reserved.Contains(key))
                        throw new ArgumentException($"'{name}' cannot be sent as a field: it is set by the change set itself.", nameof(operations));
                    if (!map.TryAdd(key, value))
                        throw new ArgumentException($"Object {i} of the change set sets '{name}' twice.", nameof(operations));
                    union.Add(key);
                }
            }
            perObject[i] = map;
        }

        var result = new List<KeyValuePair<string, string>>(operations.Count * (union.Count + 3) + operations.Count * 3 + 1);
        AppendIdFilter(result, operations);

        var wireKeys = union.Select(k => k + "[]").ToArray();
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i];
            result.Add(new("__method[]", Method(op.Kind)));
            result.Add(new("id[]", op.Id.ToString(CultureInfo.InvariantCulture)));
            result.Add(new("lock_version[]", op.LockVersion.ToString(CultureInfo.InvariantCulture)));
            var k = 0;
            foreach (var key in union)
            {
                var text = perObject[i].TryGetValue(key, out var value) && value is { } v ? (v.Text ?? NullValue) : NoValue;
                result.Add(new(wireKeys[k++], text));
            }
        }
        return result;
    }

    /// <summary>
    /// The working-set filter: <c>_fm=or</c> when there is more than one distinct id, then <c>id eq &lt;id&gt;</c>
    /// per distinct id in first-seen order (creates contribute <c>0</c>).
    /// </summary>
    public static void AppendIdFilter(ICollection<KeyValuePair<string, string>> target, IReadOnlyList<ChangeOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(operations);
        var seen = new HashSet<long>();
        var ids = new List<long>(operations.Count);
        foreach (var op in operations)
        {
            var id = op.Kind == ChangeKind.Create ? 0 : op.Id;
            if (seen.Add(id)) ids.Add(id);
        }
        if (ids.Count > 1) target.Add(new("_fm", "or"));
        foreach (var id in ids)
        {
            target.Add(new("_ff[]", "id"));
            target.Add(new("_ft[]", "eq"));
            target.Add(new("_fc[]", id.ToString(CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>
    /// Normalises a field name for the wire (without the trailing <c>[]</c>): nested keys are flattened,
    /// <c>org_lead_party[main_location[email]]</c> → <c>org_lead_party[main_location][email]</c>; plain names and
    /// <c>main_location[town]</c> are unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty, has unbalanced brackets or an empty segment.</exception>
    public static string NormaliseKey(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var open = name.IndexOf('[', StringComparison.Ordinal);
        if (open < 0)
        {
            if (name.Contains(']', StringComparison.Ordinal)) throw Malformed(name);
            return name;
        }
        var segments = new List<string>();
        var depth = 0;
        var segmentStart = 0;
        var previous = '\0';
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is '[' or ']')
            {
                if (i > segmentStart) segments.Add(name[segmentStart..i]);
                else if (!(previous == ']' && (c == ']' || c == '['))) throw Malformed(name); // an empty segment
                depth += c == '[' ? 1 : -1;
                if (depth < 0) throw Malformed(name);
                segmentStart = i + 1;
            }
            else if (previous == ']')
            {
                throw Malformed(name); // text straight after a closing bracket
            }
            previous = c;
        }
        if (depth != 0 || segmentStart != name.Length) throw Malformed(name);
        var result = new StringBuilder(name.Length + 2).Append(segments[0]);
        for (var i = 1; i < segments.Count; i++) result.Append('[').Append(segments[i]).Append(']');
        return result.ToString();
    }

    private static ArgumentException Malformed(string name) =>
        new($"'{name}' is not a valid field name: use 'field', 'relation[field]' or 'relation[nested[field]]'.", nameof(name));

    private static string Method(ChangeKind kind) => kind switch
    {
        ChangeKind.Create => "POST",
        ChangeKind.Update => "PUT",
        ChangeKind.Delete => "DELETE",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a change kind."),
    };

    private static void Validate(ChangeOperation op, int index)
    {
        switch (op.Kind)
        {
            case ChangeKind.Create:
                if (op.Id != 0 || op.LockVersion != 0)
                    throw new ArgumentException($"Object {index} is a create, so neither its id ({op.Id}) nor its lock_version ({op.LockVersion}) can be set.", nameof(op));
                break;
            case ChangeKind.Update or ChangeKind.Delete:
                if (op.Id <= 0)
                    throw new ArgumentException($"Object {index} is an {(op.Kind == ChangeKind.Update ? "update" : "delete")} and needs the id of an existing object, not {op.Id}.", nameof(op));
                if (op.LockVersion < 0)
                    throw new ArgumentException($"Object {index} has a negative lock_version ({op.LockVersion}).", nameof(op));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op.Kind, "Not a change kind.");
        }
    }
}
