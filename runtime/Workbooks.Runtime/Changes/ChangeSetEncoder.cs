using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Workbooks.Filters;
using Workbooks.Records;

namespace Workbooks.Changes;

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
internal sealed class ChangeOperation
{
    private readonly List<KeyValuePair<string, WireText?>> _fields;

    private ChangeOperation(ChangeKind kind, long id, int lockVersion, List<KeyValuePair<string, WireText?>> fields)
    {
        Kind = kind;
        Id = id;
        LockVersion = lockVersion;
        _fields = fields;
    }

    /// <summary>Create, update or delete.</summary>
    public ChangeKind Kind { get; }

    /// <summary>The object's id (0 for a create).</summary>
    public long Id { get; }

    /// <summary>The object's lock_version (0 for a create).</summary>
    public int LockVersion { get; }

    /// <summary>The fields in order; null values mean "no value" (unchanged). Empty for a delete.</summary>
    public IReadOnlyList<KeyValuePair<string, WireText?>> Fields => _fields;

    /// <summary>The fields as a span (the list is private and never changes after construction).</summary>
    internal ReadOnlySpan<KeyValuePair<string, WireText?>> FieldSpan => CollectionsMarshal.AsSpan(_fields);

    /// <summary>A create with the given fields.</summary>
    public static ChangeOperation Create(IEnumerable<KeyValuePair<string, WireText?>> fields) => new(ChangeKind.Create, 0, 0, Copy(fields));

    /// <summary>An update of an object with the given fields.</summary>
    public static ChangeOperation Update(long id, int lockVersion, IEnumerable<KeyValuePair<string, WireText?>> fields) =>
        new(ChangeKind.Update, id, lockVersion, Copy(fields));

    /// <summary>A delete of an object.</summary>
    public static ChangeOperation Delete(long id, int lockVersion) => new(ChangeKind.Delete, id, lockVersion, new List<KeyValuePair<string, WireText?>>(0));

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
internal static class ChangeSetEncoder
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

        var ops = new ChangeOperation[operations.Count];
        var totalFields = 0;
        for (var i = 0; i < ops.Length; i++)
        {
            var op = operations[i] ?? throw new ArgumentException($"Object {i} of the change set is null.", nameof(operations));
            ops[i] = op;
            totalFields += op.FieldSpan.Length;
        }

        // Every field's column in the square array, flattened object by object (pooled: it only lives for this call).
        var columnOfField = ArrayPool<int>.Shared.Rent(Math.Max(totalFields, 1));
        int[]? slots = null;
        try
        {
            var columns = MapColumns(ops, columnOfField);
            var idTexts = new string[ops.Length];
            for (var i = 0; i < ops.Length; i++) idTexts[i] = ops[i].Id.ToString(CultureInfo.InvariantCulture);
            var distinctIds = DistinctIds(ops);

            var width = columns.WireKeys.Length;
            var filterPairs = FilterEncoding.IdFilterLength(distinctIds.Count);
            var result = new List<KeyValuePair<string, string>>();
            // Sized once and filled through a span: no growth, no per-Add checks for the thousands of pairs of a batch.
            CollectionsMarshal.SetCount(result, filterPairs + ops.Length * (width + 3));
            var pairs = CollectionsMarshal.AsSpan(result);
            var distinctTexts = ArrayPool<string>.Shared.Rent(Math.Max(distinctIds.Count, 1));
            for (var i = 0; i < distinctIds.Count; i++) distinctTexts[i] = idTexts[distinctIds[i]];
            FilterEncoding.WriteIdFilter(pairs, distinctTexts.AsSpan(0, distinctIds.Count));
            ArrayPool<string>.Shared.Return(distinctTexts, clearArray: true);
            var at = filterPairs;

            // slots[rank] = the index of the object's field in that column, or -1.
            slots = ArrayPool<int>.Shared.Rent(Math.Max(width, 1));
            var wireKeys = columns.WireKeys;
            var rankOf = columns.Rank;
            var offset = 0;
            for (var i = 0; i < ops.Length; i++)
            {
                var op = ops[i];
                pairs[at++] = new("__method[]", Method(op.Kind));
                pairs[at++] = new("id[]", idTexts[i]);
                pairs[at++] = new("lock_version[]", op.LockVersion.ToString(CultureInfo.InvariantCulture));
                if (width == 0) continue;
                var fields = op.FieldSpan;
                var slot = slots.AsSpan(0, width);
                slot.Fill(-1);
                for (var j = 0; j < fields.Length; j++) slot[rankOf[columnOfField[offset + j]]] = j;
                offset += fields.Length;
                for (var rank = 0; rank < slot.Length; rank++)
                {
                    var j = slot[rank];
                    var text = j >= 0 && fields[j].Value is { } v ? v.Text ?? NullValue : NoValue;
                    pairs[at++] = new(wireKeys[rank], text);
                }
            }
            return result;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(columnOfField);
            if (slots is not null) ArrayPool<int>.Shared.Return(slots);
        }
    }

    /// <summary>The square array's columns: the wire keys (<c>name[]</c>) in ordinal order and each column's rank.</summary>
    private readonly record struct Columns(string[] WireKeys, int[] Rank);

    /// <summary>
    /// Validates every object and assigns each field a column (the union of the normalised keys, numbered in first-seen
    /// order), writing it to <paramref name="columnOfField"/>; then orders the columns ordinally.
    /// </summary>
    private static Columns MapColumns(ChangeOperation[] operations, int[] columnOfField)
    {
        // A field name (as given, or normalised) → its column. Every entry maps s → column(NormaliseKey(s)).
        var columnOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new List<string>();
        var lastSetBy = new List<int>(); // per column: 1 + the last object that set it (duplicate check without clearing)
        // Objects of one batch usually name the same fields in the same order with the same string instances: remember
        // the last name and column seen at each position and skip the dictionary when the name is that same instance.
        var widest = 0;
        foreach (var op in operations) widest = Math.Max(widest, op.FieldSpan.Length);
        var previousNames = new string?[widest];
        var previousColumns = new int[widest];
        var offset = 0;
        for (var i = 0; i < operations.Length; i++)
        {
            var op = operations[i];
            Validate(op, i);
            var fields = op.FieldSpan;
            for (var j = 0; j < fields.Length; j++)
            {
                var name = fields[j].Key;
                int column;
                if (ReferenceEquals(previousNames[j], name) && name is not null)
                {
                    column = previousColumns[j];
                }
                else
                {
                    column = Column(name!);
                    previousNames[j] = name;
                    previousColumns[j] = column;
                }
                if (lastSetBy[column] == i + 1)
                    throw new ArgumentException($"Object {i} of the change set sets '{name}' twice.", nameof(operations));
                lastSetBy[column] = i + 1;
                columnOfField[offset + j] = column;
            }
            offset += fields.Length;
        }

        var sorted = keys.ToArray();
        var rank = new int[sorted.Length];
        var inOrder = true;
        for (var k = 1; k < sorted.Length && inOrder; k++) inOrder = string.CompareOrdinal(sorted[k - 1], sorted[k]) < 0;
        if (inOrder)
        {
            for (var k = 0; k < rank.Length; k++) rank[k] = k;
        }
        else
        {
            var columnAt = new int[sorted.Length];
            for (var k = 0; k < columnAt.Length; k++) columnAt[k] = k;
            Array.Sort(sorted, columnAt, StringComparer.Ordinal);
            for (var k = 0; k < columnAt.Length; k++) rank[columnAt[k]] = k;
        }
        var wireKeys = new string[sorted.Length];
        for (var k = 0; k < sorted.Length; k++) wireKeys[k] = sorted[k] + "[]";
        return new Columns(wireKeys, rank);

        int Column(string name)
        {
            if (name is not null && columnOf.TryGetValue(name, out var found)) return found;
            var key = NormaliseKey(name!); // throws for null, empty and malformed names
            if (!ReferenceEquals(key, name) && columnOf.TryGetValue(key, out found))
            {
                columnOf.Add(name!, found); // another spelling of a known key: a[b[c]] and a[b][c]
                return found;
            }
            if (Reserved.Contains(key))
                throw new ArgumentException($"'{name}' cannot be sent as a field: it is set by the change set itself.", nameof(operations));
            var column = keys.Count;
            keys.Add(key);
            lastSetBy.Add(0);
            columnOf.Add(key, column);
            if (!ReferenceEquals(key, name)) columnOf.Add(name!, column);
            return column;
        }
    }

    /// <summary>The objects whose id is the first of its value (creates count as id 0), in order.</summary>
    private static List<int> DistinctIds(ChangeOperation[] ops)
    {
        var first = new List<int>(ops.Length);
        // Batches are usually in increasing id order: only fall back to a set when an id is not above all before it.
        var highest = long.MinValue;
        HashSet<long>? seen = null;
        for (var i = 0; i < ops.Length; i++)
        {
            var id = ops[i].Kind == ChangeKind.Create ? 0 : ops[i].Id;
            if (seen is null)
            {
                if (id > highest)
                {
                    highest = id;
                    first.Add(i);
                    continue;
                }
                seen = new HashSet<long>(ops.Length);
                foreach (var f in first) seen.Add(ops[f].Kind == ChangeKind.Create ? 0 : ops[f].Id);
            }
            if (seen.Add(id)) first.Add(i);
        }
        return first;
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
        FilterEncoding.AppendIdFilter(target, [.. ids.Select(id => id.ToString(CultureInfo.InvariantCulture))]);
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
        if (IsFlat(name, open)) return name; // already a[b][c]: nothing to rebuild
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

    /// <summary>Whether <paramref name="name"/> is <c>a[b][c]…</c> with non-empty segments (its first <c>[</c> at <paramref name="open"/>).</summary>
    private static bool IsFlat(string name, int open)
    {
        if (open == 0 || name.AsSpan(0, open).Contains(']')) return false;
        for (var i = open; i < name.Length;)
        {
            if (name[i] != '[') return false;
            var length = name.AsSpan(i + 1).IndexOfAny('[', ']');
            if (length <= 0 || name[i + 1 + length] != ']') return false; // empty, nested or unclosed: the slow path decides
            i += length + 2;
        }
        return true;
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
