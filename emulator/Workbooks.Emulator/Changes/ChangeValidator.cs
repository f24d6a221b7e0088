using System.Globalization;
using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;
using Workbooks.Emulator.Storage;

namespace Workbooks.Emulator.Changes;

/// <summary>
/// One object of a change request once validated: the record it changes (update and delete), the typed values to
/// assign, and its errors by field (a stale lock_version among them). Valid when it has no errors.
/// </summary>
internal sealed class ObjectOutcome(ObjectChange change)
{
    public ObjectChange Change { get; } = change;
    public Record? Record { get; set; }
    public List<(FieldDef Field, object? Value)> Assignments { get; } = [];
    public Dictionary<string, List<string>> Errors { get; } = new(StringComparer.Ordinal);
    public bool Stale { get; set; }

    /// <summary>Why the service refuses this change of this record (<see cref="TypeBehaviours.Refusal"/>), or null.</summary>
    public string? Refusal { get; set; }

    public bool IsValid => Errors.Count == 0;

    public void Error(string field, string message)
    {
        if (!Errors.TryGetValue(field, out var list)) Errors[field] = list = [];
        list.Add(message);
    }
}

/// <summary>
/// Stage 2 of a change request, under the database's gate: each object checked against the records (in the working
/// set the filter selects, at the lock_version given) and its values against the fields (settable, parseable, not
/// blank when required, refcodes unique). Nothing is changed; every problem becomes an error of its object.
/// </summary>
internal static class ChangeValidator
{
    private const string NullValue = ":null_value:";
    public const string StaleMessage = "This record cannot be saved since it has already been updated elsewhere.";

    public static ObjectOutcome[] Validate(IReadOnlyList<ObjectChange> changes, RecordTypeDef type, RecordStore store, CompiledFilter? filter, ChangeContext context)
    {
        var outcomes = new ObjectOutcome[changes.Count];
        var refcodesInRequest = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < changes.Count; i++)
        {
            var outcome = outcomes[i] = new ObjectOutcome(changes[i]);
            CheckTarget(outcome, type, store, filter);
            if (outcome.Change.Action != ChangeAction.Delete)
                CheckValues(outcome, type, store, context, refcodesInRequest);
        }
        return outcomes;
    }

    /// <summary>A creation names no id; an update or a delete names a live record of the working set, at its lock_version.</summary>
    private static void CheckTarget(ObjectOutcome outcome, RecordTypeDef type, RecordStore store, CompiledFilter? filter)
    {
        var change = outcome.Change;
        if (change.Action == ChangeAction.Create)
        {
            if (change.Id != 0 || change.LockVersion != 0)
                outcome.Error("id", "Neither 'id' nor 'lock_version' can be set to create an object");
            return;
        }
        var record = store.Find(change.Id);
        if (record is null || record.IsDeleted || filter is null || !filter.Predicate(record))
        {
            outcome.Error("id", string.Create(CultureInfo.InvariantCulture,
                $"{type.HumanName} {change.IdText} was not found in the working set: it does not exist, was deleted, or the request's filter does not select it."));
            return;
        }
        outcome.Record = record;
        if (record.LockVersion != change.LockVersion)
        {
            outcome.Stale = true;
            outcome.Error("lock_version", StaleMessage);
        }
        if ((outcome.Refusal = TypeBehaviours.Refusal(record, change.Action == ChangeAction.Delete)) is { } refusal)
            outcome.Error("base", refusal);
    }

    /// <summary>The values of a creation or an update, parsed into assignments; a creation also gets every required field.</summary>
    private static void CheckValues(ObjectOutcome outcome, RecordTypeDef type, RecordStore store, ChangeContext context, HashSet<string> refcodesInRequest)
    {
        var change = outcome.Change;
        var create = change.Action == ChangeAction.Create;
        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, field, raw) in change.Cells)
        {
            if (field is null)
            {
                if (key.EndsWith("[data]", StringComparison.Ordinal) || key == "data")
                    continue;
                if (context.StrictAttributeChecking)
                    outcome.Error(key, $"'{key}' is not an attribute of {type.HumanName}");
                continue;
            }
            given.Add(field.Name);
            if (field.Name is "id" or "lock_version")
                continue;
            if (field.IsReadOnlyDatatype || (create ? !field.IsCreateable : !field.IsUpdateable))
            {
                outcome.Error(field.Name, create ? "cannot be set when creating a record" : "cannot be changed");
                continue;
            }
            if (raw == NullValue)
            {
                if (field.Required || !field.IsNullable)
                    outcome.Error(field.Name, "can't be blank");
                else
                    outcome.Assignments.Add((field, null));
                continue;
            }
            if (!WireValues.TryParse(field.Kind, raw, out var value, out var error))
            {
                outcome.Error(field.Name, $"{error}: '{raw}'");
                continue;
            }
            if (field.Required && value is null or "")
            {
                outcome.Error(field.Name, "can't be blank");
                continue;
            }
            if (field.Name == "refcode" && value is string { Length: > 0 } refcode)
            {
                if (store.RefcodeTaken(refcode, outcome.Record?.Id ?? 0) || refcodesInRequest.Contains(refcode))
                    outcome.Error("refcode", $"'{refcode}' is already used");
                else
                    refcodesInRequest.Add(refcode);
            }
            outcome.Assignments.Add((field, value));
        }
        if (!create)
            return;
        foreach (var field in type.Fields)
        {
            if (field.Required && !given.Contains(field.Name) && field.DefaultValue is null && !outcome.Errors.ContainsKey(field.Name)
                && !(type.ControllerPath == "upload_files" && change.File is not null && field.Name.StartsWith("file_", StringComparison.Ordinal)))
                outcome.Error(field.Name, "can't be blank");
        }
    }
}
