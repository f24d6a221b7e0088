using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Workbooks.Filters;

namespace Workbooks.Mirror.Tests.TestSupport;

/// <summary>How a mirrored table differs from the service: ids missing from it, rows whose values differ (stale), ids it
/// should not have (extra). Both sides are read independently: the service through a fresh query, the table with plain
/// SQL, each value brought to one canonical text per column type.</summary>
public sealed record MirrorDifference(string Table, int ServiceRecords, int Rows, IReadOnlyList<long> Missing, IReadOnlyList<string> Stale, IReadOnlyList<long> Extra)
{
    public bool IsExact => Missing.Count == 0 && Stale.Count == 0 && Extra.Count == 0;

    public override string ToString() =>
        $"{Table}: {ServiceRecords} in the service, {Rows} rows; {Missing.Count} missing, {Stale.Count} stale, {Extra.Count} extra"
        + (IsExact ? "" : $" (missing {string.Join(",", Missing.Take(5))}; stale {string.Join(" | ", Stale.Take(3))}; extra {string.Join(",", Extra.Take(5))})");
}

public static class MirrorComparison
{
    /// <summary>Opens a plain ADO.NET connection to a target, as a reporting tool would.</summary>
    public static async Task<DbConnection> OpenAsync(string sqlitePath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlitePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<MirrorDifference> CompareAsync(WorkbooksSession session, DbConnection connection, string controllerPath, bool flagDeletions = false)
    {
        var table = controllerPath.Replace('/', '_');
        var columns = new List<(string Column, string Field, string Datatype, string Role, string SqlType)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT column_name, field_name, datatype, role, sql_type FROM workbooks_mirror_columns WHERE table_name = @t AND status = 'active'";
            var p = command.CreateParameter();
            p.ParameterName = "@t";
            p.Value = table;
            command.Parameters.Add(p);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
        }
        Assert.NotEmpty(columns);

        var query = session.Records(controllerPath).SelectFields(columns.Select(c => c.Field).Distinct());
        if (flagDeletions)
            query = query.IncludeDeleted();
        var expected = new Dictionary<long, Dictionary<string, string?>>();
        await foreach (var record in query)
            expected[record.Id] = columns.ToDictionary(c => c.Column, c => Expected(record, c.Field, c.Datatype, c.Role));

        var actual = new Dictionary<long, Dictionary<string, string?>>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT {string.Join(", ", columns.Select(c => "\"" + c.Column + "\""))} FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var row = new Dictionary<string, string?>();
                for (var i = 0; i < columns.Count; i++)
                    row[columns[i].Column] = reader.IsDBNull(i) ? null : Actual(reader.GetValue(i), columns[i].SqlType);
                actual[long.Parse(row["id"]!, CultureInfo.InvariantCulture)] = row;
            }
        }

        var missing = expected.Keys.Where(id => !actual.ContainsKey(id)).Order().ToList();
        var extra = actual.Keys.Where(id => !expected.ContainsKey(id)).Order().ToList();
        var stale = new List<string>();
        foreach (var (id, values) in expected)
        {
            if (!actual.TryGetValue(id, out var row))
                continue;
            foreach (var (column, value) in values)
            {
                if (!string.Equals(value, row[column], StringComparison.Ordinal))
                    stale.Add($"{id}.{column}: service '{value}', mirror '{row[column]}'");
            }
        }
        return new MirrorDifference(table, expected.Count, actual.Count, missing, stale, extra);
    }

    private static string? Expected(WorkbooksRecord record, string field, string datatype, string role)
    {
        if (role == "currency_code")
            return record.GetCurrency(field)?.Code;
        return datatype switch
        {
            "integer" or "has_one" => record.GetInt64(field)?.ToString(CultureInfo.InvariantCulture),
            "float" => record.GetDouble(field)?.ToString("R", CultureInfo.InvariantCulture),
            "decimal" => Decimal(record.GetDecimal(field)),
            "currency" => Decimal(record.GetCurrency(field)?.Amount),
            "boolean" => record.GetBoolean(field)?.ToString(),
            "date" => record.GetDate(field)?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "datetime" => record.GetDateTime(field)?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            "time" => record.GetTime(field)?.ToString("HH:mm:ss.fffffff", CultureInfo.InvariantCulture),
            "tag_array" => List(record.GetTags(field)),
            "array" => List(record.GetArray(field)),
            _ => record.GetString(field),
        };
    }

    private static string? Actual(object value, string sqlType) => sqlType.ToLowerInvariant() switch
    {
        "integer" or "bigint" => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        "real" or "double precision" => Convert.ToDouble(value, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture),
        "numeric" => Decimal(value is decimal d ? d : decimal.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, NumberStyles.Float, CultureInfo.InvariantCulture)),
        "boolean" => (value is bool b ? b : Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0).ToString(),
        "date" => value is DateTime dt ? DateOnly.FromDateTime(dt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : value is DateOnly dateOnly ? dateOnly.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : DateOnly.ParseExact((string)value, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        "timestamp" or "timestamptz" => value is DateTime at
            ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)).ToString("O", CultureInfo.InvariantCulture)
            : DateTimeOffset.Parse((string)value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        "time" => value is TimeSpan span ? TimeOnly.FromTimeSpan(span).ToString("HH:mm:ss.fffffff", CultureInfo.InvariantCulture)
            : value is TimeOnly timeOnly ? timeOnly.ToString("HH:mm:ss.fffffff", CultureInfo.InvariantCulture)
            : TimeOnly.Parse((string)value, CultureInfo.InvariantCulture).ToString("HH:mm:ss.fffffff", CultureInfo.InvariantCulture),
        "json" => List(JsonSerializer.Deserialize<string[]>((string)value)),
        "text[]" => List((string[])value),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private static string? Decimal(decimal? value) => value?.ToString("0.############################", CultureInfo.InvariantCulture);

    private static string? List(IReadOnlyList<string>? values) => values is null ? null : string.Join("\u001f", values);
}
