using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;
using Workbooks.Emulator.Storage;

namespace Workbooks.Emulator.Changes;

/// <summary>An attribute reported back in affected_objects, with the datatype it renders as.</summary>
internal readonly record struct ChangedValue(ValueKind Kind, object? Value);

/// <summary>
/// Stage 3 of a change request, under the database's gate: the valid objects applied (all of them only when every
/// object is valid, unless per-object transactions were asked for), each through the one place its kind of change is
/// made: <see cref="EmulatorDatabase.Create"/>, <see cref="EmulatorDatabase.Save"/>, <see cref="EmulatorDatabase.Remove"/>.
/// </summary>
internal static class ChangeApplier
{
    /// <summary>
    /// Applies what may be applied; returns, per object, the attributes to report in affected_objects (null for an
    /// object not applied), or null when nothing was applied at all.
    /// </summary>
    public static Dictionary<string, ChangedValue>?[]? Apply(ObjectOutcome[] outcomes, RecordTypeDef type, RecordStore store, EmulatorDatabase database, ChangeContext context)
    {
        if (!(outcomes.All(o => o.IsValid) || context.PerObjectTransactions))
            return null;
        var applied = new Dictionary<string, ChangedValue>?[outcomes.Length];
        for (var i = 0; i < outcomes.Length; i++)
            if (outcomes[i].IsValid)
                applied[i] = Apply(outcomes[i], type, store, database, context);
        if (outcomes.Any(o => o.IsValid))
            database.ChangeRequestCount++;
        return applied;
    }

    private static Dictionary<string, ChangedValue> Apply(ObjectOutcome outcome, RecordTypeDef type, RecordStore store, EmulatorDatabase database, ChangeContext context) =>
        outcome.Change.Action switch
        {
            ChangeAction.Create => Create(outcome, type, store, database, context),
            ChangeAction.Update => Update(outcome, type, database, context),
            _ => Delete(outcome, database, context),
        };

    private static Dictionary<string, ChangedValue> Create(ObjectOutcome outcome, RecordTypeDef type, RecordStore store, EmulatorDatabase database, ChangeContext context)
    {
        var values = RecordFactory.NewValues(type, context.Now, context.User.UserId, context.ApplicationName);
        foreach (var (field, value) in outcome.Assignments)
            values[field.Ordinal] = value;
        TypeBehaviours.OnWrite(type, values, [.. outcome.Assignments.Select(a => a.Field)], create: true);
        AttachFile(outcome.Change, type, values, database, context);
        var record = database.Create(store, values, context.Asynchronous);
        if (outcome.Change.File is { } file && type.ControllerPath == "upload_files")
            database.Files[record.Id] = file;
        // A new record reports all of its attributes.
        var changed = new Dictionary<string, ChangedValue>(StringComparer.Ordinal);
        foreach (var column in IndexQuery.OutputColumns(type, [], database.Schema))
            changed[column.Name] = new ChangedValue(column.Kind, column.Get(record, database));
        return changed;
    }

    private static Dictionary<string, ChangedValue> Update(ObjectOutcome outcome, RecordTypeDef type, EmulatorDatabase database, ChangeContext context)
    {
        var record = outcome.Record!;
        var changed = new Dictionary<string, ChangedValue>(StringComparer.Ordinal);
        foreach (var (field, value) in outcome.Assignments)
            changed[field.Name] = new ChangedValue(field.Kind, value);
        var nameBefore = type.Field("name") is { } nameField ? record.Values[nameField.Ordinal] : null;
        AttachFile(outcome.Change, type, record.Values, database, context);
        if (outcome.Change.File is { } file && type.ControllerPath == "upload_files")
            database.Files[record.Id] = file;
        database.Save(record, outcome.Assignments, context.User.UserId, context.Asynchronous);
        if (type.Field("name") is { } name && !changed.ContainsKey("name") && !Equals(nameBefore, record.Values[name.Ordinal]))
            changed["name"] = new ChangedValue(name.Kind, record.Values[name.Ordinal]); // derived (a person's name from its parts)
        var result = Identity(record);
        foreach (var (k, v) in changed) result[k] = v with { Value = record[k] }; // as saved (an update's behaviours may change what it wrote)
        result["updated_at"] = new ChangedValue(ValueKind.DateTime, record["updated_at"]);
        result["updated_by"] = new ChangedValue(ValueKind.Integer, record["updated_by"]);
        return result;
    }

    private static Dictionary<string, ChangedValue> Delete(ObjectOutcome outcome, EmulatorDatabase database, ChangeContext context)
    {
        var record = outcome.Record!;
        database.Remove(record, context.User.UserId);
        return Identity(record);
    }

    private static Dictionary<string, ChangedValue> Identity(Record record) => new(StringComparer.Ordinal)
    {
        ["id"] = new ChangedValue(ValueKind.Integer, record.Id),
        ["lock_version"] = new ChangedValue(ValueKind.Integer, (long)record.LockVersion),
    };

    /// <summary>A file given on a record of another type (<c>upload_file[data]</c>) becomes an upload_files record linked by id.</summary>
    private static void AttachFile(ObjectChange change, RecordTypeDef type, object?[] values, EmulatorDatabase database, ChangeContext context)
    {
        if (change.File is not { } file)
            return;
        static void Set(RecordTypeDef t, object?[] v, string name, object? value)
        {
            if (t.Field(name) is { } f) v[f.Ordinal] = value;
        }
        if (type.ControllerPath == "upload_files")
        {
            Set(type, values, "file_name", file.FileName);
            Set(type, values, "name", file.FileName);
            Set(type, values, "file_content_type", file.ContentType);
            Set(type, values, "file_size", (long)file.Content.Length);
            return;
        }
        var uploads = database.TryStore("upload_files");
        if (uploads is null)
            return;
        var uploadValues = RecordFactory.NewValues(uploads.Type, context.Now, context.User.UserId, context.ApplicationName);
        Set(uploads.Type, uploadValues, "file_name", file.FileName);
        Set(uploads.Type, uploadValues, "name", file.FileName);
        Set(uploads.Type, uploadValues, "file_content_type", file.ContentType);
        Set(uploads.Type, uploadValues, "file_size", (long)file.Content.Length);
        var upload = database.Create(uploads, uploadValues);
        database.Files[upload.Id] = file;
        var prefix = change.FileKey is { } key && key.Contains('[', StringComparison.Ordinal) ? key[..key.IndexOf('[', StringComparison.Ordinal)] : "upload_file";
        Set(type, values, prefix + "_id", upload.Id);
        Set(type, values, prefix + "[file_name]", file.FileName);
        Set(type, values, prefix + "[file_content_type]", file.ContentType);
        Set(type, values, prefix + "[file_size]", (long)file.Content.Length);
        Set(type, values, prefix + "[id]", upload.Id);
        Set(type, values, prefix + "[lock_version]", (long)upload.LockVersion);
    }
}
