using System.Globalization;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator.Extras;

/// <summary>A report's data view: a named, saved query over one record type.</summary>
internal sealed record DataViewDefinition(long Id, long ReportId, string Name, string ControllerPath, string[] Columns, string? SortColumn);

/// <summary>The reports (data views) every emulated database has.</summary>
internal static class ReportCatalog
{
    public static readonly DataViewDefinition[] Views =
    [
        new(1, 1, "People by town", "crm/people", ["id", "name", "main_location[town]", "main_location[email]", "employer_name"], "main_location[town]"),
        new(2, 2, "Organisations by industry", "crm/organisations", ["id", "name", "industry", "main_location[town]", "organisation_annual_revenue"], "industry"),
        new(3, 3, "Open tasks", "activity/tasks", ["id", "name", "activity_status", "activity_priority", "due_date"], "due_date"),
    ];

    /// <summary>Makes the reporting records agree with the catalogue (names and report ids).</summary>
    public static void Install(EmulatorDatabase database)
    {
        foreach (var (path, pick) in new[] { ("reporting/data_views", (Func<DataViewDefinition, (long, string)>)(v => (v.Id, v.Name))), ("reporting/reports", v => (v.ReportId, v.Name)) })
        {
            var store = database.TryStore(path);
            if (store is null) continue;
            foreach (var view in Views)
            {
                var (id, name) = pick(view);
                if (store.Find(id) is not { } record) continue;
                if (store.Type.Field("name") is { } n) record.Values[n.Ordinal] = name;
                if (path == "reporting/data_views" && store.Type.Field("report_id") is { Kind: ValueKind.Integer } r) record.Values[r.Ordinal] = view.ReportId;
            }
        }
    }

    public static DataViewDefinition? Find(string idOrName) =>
        long.TryParse(idOrName, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? Views.FirstOrDefault(v => v.Id == id)
            : Views.FirstOrDefault(v => string.Equals(v.Name, idOrName, StringComparison.Ordinal));
}
