using System.Globalization;
using System.Text;
using System.Text.Json;
using Workbooks.Records;

namespace Workbooks.Mirror.Schema;

/// <summary>What a column holds, whatever the SQL database: one per datatype family (see the table in README.md).</summary>
internal enum ColumnKind
{
    Text,
    Integer,
    Float,
    Decimal,
    Boolean,
    Date,
    DateTime,
    Time,
    TextList,
    CurrencyAmount,
    CurrencyCode,
}

/// <summary>One column of a mirrored table: the field it comes from, its datatype in the metadata and what it holds.</summary>
internal sealed record MirrorColumn(string Name, string Field, string Datatype, ColumnKind Kind)
{
    /// <summary>The field's value as a .NET value (null for null): long, double, decimal, bool, DateOnly, DateTimeOffset,
    /// TimeOnly, string or a list of strings.</summary>
    public object? ValueOf(WorkbooksRecord record) => Kind switch
    {
        ColumnKind.Text => record.GetString(Field),
        ColumnKind.Integer => record.GetInt64(Field),
        ColumnKind.Float => record.GetDouble(Field),
        ColumnKind.Decimal => record.GetDecimal(Field),
        ColumnKind.Boolean => record.GetBoolean(Field),
        ColumnKind.Date => record.GetDate(Field),
        ColumnKind.DateTime => record.GetDateTime(Field),
        ColumnKind.Time => record.GetTime(Field),
        ColumnKind.TextList => Datatype == "tag_array" ? record.GetTags(Field) : record.GetArray(Field),
        ColumnKind.CurrencyAmount => record.GetCurrency(Field)?.Amount,
        ColumnKind.CurrencyCode => record.GetCurrency(Field)?.Code,
        _ => throw new InvalidOperationException($"No reader for {Kind}."),
    };
}

/// <summary>
/// The mapping of the service's 23 field datatypes to columns (documented in README.md: keep the two in step).
/// </summary>
internal static class Datatypes
{
    /// <summary>The column kinds of a datatype: none for write-only datatypes, two for currency.</summary>
    public static IReadOnlyList<(string Suffix, ColumnKind Kind)> ColumnsOf(string datatype) => datatype switch
    {
        "file_upload" => [], // write-only: the service never returns it
        "integer" or "has_one" => [("", ColumnKind.Integer)],
        "float" => [("", ColumnKind.Float)],
        "decimal" => [("", ColumnKind.Decimal)],
        "currency" => [("", ColumnKind.CurrencyAmount), ("_currency", ColumnKind.CurrencyCode)],
        "boolean" => [("", ColumnKind.Boolean)],
        "date" => [("", ColumnKind.Date)],
        "datetime" => [("", ColumnKind.DateTime)],
        "time" => [("", ColumnKind.Time)],
        "tag_array" or "array" => [("", ColumnKind.TextList)],
        // string, text, uri, breadcrumb, picklist_data, picklist_url, binary, icon_class, time_duration,
        // time_interval, time_relative, and any datatype a later service version adds: the text as served.
        _ => [("", ColumnKind.Text)],
    };

    /// <summary>A field name as a SQL identifier: lower case, <c>employer[name]</c> → <c>employer_name</c>, anything
    /// else outside [a-z0-9_] → <c>_</c>.</summary>
    public static string ColumnNameOf(string field)
    {
        var builder = new StringBuilder(field.Length);
        foreach (var c in field.ToLowerInvariant())
        {
            if (c == ']')
                continue;
            builder.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' ? c : '_');
        }
        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
            builder.Insert(0, '_');
        return Limit(builder.ToString());
    }

    /// <summary>PostgreSQL keeps 63 bytes of an identifier: a longer name keeps its first 54 characters and a hash of the
    /// whole, so that two long names stay apart (the same in SQLite, so that both targets name columns alike).</summary>
    public static string Limit(string identifier)
    {
        const int Max = 63;
        if (identifier.Length <= Max)
            return identifier;
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(identifier));
        return identifier[..54] + "_" + Convert.ToHexStringLower(hash)[..8];
    }

    /// <summary>A controller path as a table name: <c>crm/people</c> → <c>crm_people</c>.</summary>
    public static string TableNameOf(string controllerPath) => ColumnNameOf(controllerPath.Trim('/'));
}

/// <summary>A record type as a table: its columns from the metadata, in the metadata's order.</summary>
internal sealed class MirrorTable
{
    /// <summary>Fields every mirrored table needs whatever the metadata lists: the key, the version and the delta clock.</summary>
    private static readonly (string Name, string Datatype)[] Required =
        [("id", "integer"), ("lock_version", "integer"), ("updated_at", "datetime"), ("is_deleted", "boolean")];

    private MirrorTable(string controllerPath, string className, IReadOnlyList<MirrorColumn> columns)
    {
        ControllerPath = controllerPath;
        ClassName = className;
        Name = Datatypes.TableNameOf(controllerPath);
        Columns = columns;
    }

    public string ControllerPath { get; }
    public string ClassName { get; }
    public string Name { get; }
    public IReadOnlyList<MirrorColumn> Columns { get; }

    /// <summary>The same table with other columns (the names stored in the target database).</summary>
    public MirrorTable WithColumns(IReadOnlyList<MirrorColumn> columns) => new(ControllerPath, ClassName, columns);

    /// <summary>The fields to ask the service for (each once).</summary>
    public IReadOnlyList<string> Fields => Columns.Select(c => c.Field).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// A read-only <c>…_name</c> field next to the link it names (<c>employer_name</c> beside <c>employer_link</c>,
    /// <c>assigned_to_name</c> beside <c>assigned_to</c>, <c>party_name</c> beside <c>party_id</c>): a related record's
    /// name shown on this one, which changes with that record (a rename), not with this one's updated_at. With the
    /// related attributes (<c>employer[name]</c>), such values are what a delta sync cannot see change.
    /// </summary>
    public static bool IsDerivedName(string field, bool writable, ISet<string> fields)
    {
        if (writable || !field.EndsWith("_name", StringComparison.Ordinal) || field.Length <= "_name".Length)
            return false;
        var link = field[..^"_name".Length];
        return fields.Contains(link) || fields.Contains(link + "_id") || fields.Contains(link + "_link");
    }

    /// <summary>Builds the table of one record type of <c>/metadata/types.api</c>.</summary>
    public static MirrorTable FromMetadata(JsonElement type, bool includeRelated)
    {
        var controllerPath = type.GetProperty("controller_path").GetString()!.Trim('/');
        var className = type.TryGetProperty("class_name", out var cn) && cn.ValueKind == JsonValueKind.String ? cn.GetString()! : controllerPath;
        var fields = new List<(string Name, string Datatype)>();
        var related = new HashSet<string>(StringComparer.Ordinal);
        if (type.TryGetProperty("fields", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            var names = list.EnumerateArray().Where(f => f.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
                .Select(f => f.GetProperty("name").GetString()!).ToHashSet(StringComparer.Ordinal);
            foreach (var field in list.EnumerateArray())
            {
                if (field.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
                {
                    var datatype = field.TryGetProperty("datatype", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "string";
                    var name = n.GetString()!;
                    fields.Add((name, datatype));
                    var writable = field.TryGetProperty("is_createable", out var c) && c.ValueKind == JsonValueKind.True
                        || field.TryGetProperty("is_updateable", out var u) && u.ValueKind == JsonValueKind.True;
                    if (name.Contains('[', StringComparison.Ordinal) || IsDerivedName(name, writable, names))
                        related.Add(name);
                }
            }
        }
        foreach (var required in Required)
        {
            if (!fields.Exists(f => f.Name == required.Name))
                fields.Add(required);
        }

        var columns = new List<MirrorColumn>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var seenFields = new HashSet<string>(StringComparer.Ordinal);
        // Plain fields first, so that a related attribute never takes a plain field's column name.
        foreach (var (name, datatype) in fields.OrderBy(f => related.Contains(f.Name) ? 1 : 0))
        {
            if (!seenFields.Add(name) || (!includeRelated && related.Contains(name)))
                continue;
            foreach (var (suffix, kind) in Datatypes.ColumnsOf(datatype))
            {
                var column = Datatypes.Limit(Datatypes.ColumnNameOf(name) + suffix);
                for (var n = 2; !taken.Add(column); n++)
                    column = Datatypes.Limit(string.Create(CultureInfo.InvariantCulture, $"{Datatypes.ColumnNameOf(name)}{suffix}_{n}"));
                columns.Add(new MirrorColumn(column, name, datatype, kind));
            }
        }
        return new MirrorTable(controllerPath, className, columns);
    }
}
