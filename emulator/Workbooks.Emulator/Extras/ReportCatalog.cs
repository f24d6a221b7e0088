using System.Globalization;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator.Extras;

/// <summary>A report's data view: a named, saved query over one record type.</summary>
internal sealed record DataViewDefinition(long Id, long ReportId, string Name, string ControllerPath, string[] Columns, string? SortColumn);

/// <summary>A report: a named group of data views (one report has many views; a view belongs to one report).</summary>
internal sealed record ReportDefinition(long Id, string Name, string Category, string Description);

/// <summary>
/// The reports and data views every emulated database has; the seeder creates exactly these records in
/// <c>reporting/reports</c> and <c>reporting/data_views</c>, so every listed view can be run. Besides the emulator's own
/// first three, they are the ones the documentation and examples name: <c>Orders per month</c> and
/// <c>Test reports with multiple views</c> (notes §3.24; the examples look a report up by name, list its views by
/// <c>report_id</c> and run each), and the view <c>Opportunities Amount vs Date v2: Summary</c> run by name (notes §2).
/// A view is an index query (columns and a sort), not an aggregation: "Orders per month" lists the orders by date.
/// </summary>
internal static class ReportCatalog
{
    public static readonly ReportDefinition[] Reports =
    [
        new(1, "People by town", "Contacts", "Everyone, with their town and e-mail address"),
        new(2, "Organisations by industry", "Contacts", "Organisations, their industry and revenue"),
        new(3, "Open tasks", "Activities", "Tasks by due date"),
        new(4, "Orders per month", "Sales", "Sales orders by order date"),
        new(5, "Test reports with multiple views", "Test", "A report with more than one data view"),
        new(6, "Opportunities Amount vs Date", "Sales", "Opportunity values against their dates"),
        new(7, "Cases by queue", "Service", "Cases, the queue they are in and the customer who raised them"),
    ];

    public static readonly DataViewDefinition[] Views =
    [
        new(1, 1, "People by town", "crm/people", ["id", "name", "main_location[town]", "main_location[email]", "employer_name"], "main_location[town]"),
        new(2, 2, "Organisations by industry", "crm/organisations", ["id", "name", "industry", "main_location[town]", "organisation_annual_revenue"], "industry"),
        new(3, 3, "Open tasks", "activity/tasks", ["id", "name", "activity_status", "activity_priority", "due_date"], "due_date"),
        new(4, 4, "Orders per month", "accounting/sales_orders", ["id", "object_ref", "name", "document_date", "document_status", "document_currency_net_value"], "document_date"),
        new(5, 5, "Test reports with multiple views: people", "crm/people", ["id", "name", "employer_name", "main_location[telephone]"], "name"),
        new(6, 5, "Test reports with multiple views: organisations", "crm/organisations", ["id", "name", "main_location[town]", "main_location[telephone]"], "name"),
        new(7, 6, "Opportunities Amount vs Date v2: Summary", "crm/opportunities", ["id", "name", "document_date", "opportunity_stage", "document_currency_net_value"], "document_date"),
        new(8, 7, "Cases by queue", "crm/cases", ["id", "object_ref", "name", "queue[name]", "record_state", "contact_email", "contact_phone_number"], "queue[name]"),
    ];

    /// <summary>Makes the reporting records agree with the catalogue (names and report ids).</summary>
    public static void Install(EmulatorDatabase database)
    {
        if (database.TryStore("reporting/reports") is { } reports && reports.Type.Field("name") is { } reportName)
        {
            foreach (var report in Reports)
            {
                if (reports.Find(report.Id) is { } record)
                    record.Values[reportName.Ordinal] = report.Name;
            }
        }
        if (database.TryStore("reporting/data_views") is { } views)
        {
            foreach (var view in Views)
            {
                if (views.Find(view.Id) is not { } record) continue;
                if (views.Type.Field("name") is { } n) record.Values[n.Ordinal] = view.Name;
                if (views.Type.Field("report_id") is { Kind: ValueKind.Integer } r) record.Values[r.Ordinal] = view.ReportId;
            }
        }
    }

    public static DataViewDefinition? Find(string idOrName) =>
        long.TryParse(idOrName, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? Views.FirstOrDefault(v => v.Id == id)
            : Views.FirstOrDefault(v => string.Equals(v.Name, idOrName, StringComparison.Ordinal));
}
