using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator.Storage;

/// <summary>
/// What the service derives from other fields, in one place, so that derived fields follow their sources on every
/// change made through the API (the seeder writes the same values the same way).
/// </summary>
internal static class TypeBehaviours
{
    /// <summary>
    /// A person's <c>name</c> from its parts, when a write changes a part and does not set the name itself (or creates
    /// the person without one): the first and last names, as the service's examples show them (<c>Richard Richards</c>;
    /// the guide does not say whether the middle name is part of it, and the seeder leaves it out too).
    /// </summary>
    public static void OnWrite(RecordTypeDef type, object?[] values, IReadOnlyCollection<FieldDef> assigned, bool create)
    {
        if (type.Field("name") is not { } name || type.Field("person_first_name") is not { } first || type.Field("person_last_name") is not { } last)
            return;
        if (assigned.Contains(name))
            return;
        if (!create && !assigned.Contains(first) && !assigned.Contains(last))
            return;
        values[name.Ordinal] = PersonName(values[first.Ordinal] as string, values[last.Ordinal] as string);
    }

    public static string? PersonName(string? first, string? last)
    {
        var joined = string.Join(' ', new[] { first, last }.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!.Trim()));
        return joined.Length == 0 ? null : joined;
    }

    /// <summary>
    /// A column the service computes on every read instead of storing: <c>employer_name</c> is the employer's name now
    /// (it follows a change of <c>employer_link</c> and a rename of the organisation). Null: a stored column.
    /// </summary>
    public static Column? DerivedColumn(RecordTypeDef type, FieldDef field, EmulatorSchema schema) =>
        field.Name == "employer_name" && type.Associations.ContainsKey("employer") && ColumnResolver.Resolve(type, "employer[name]", schema) is { } employerName
            ? new RenamedColumn(field, employerName)
            : null;

    private sealed class RenamedColumn(FieldDef field, Column inner) : Column(field.Name, field.Kind, field)
    {
        public override object? Get(Record record, EmulatorDatabase database) => inner.Get(record, database);
    }
}
