using Microsoft.AspNetCore.Http;
using Workbooks.Emulator.Http;
using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;
using Workbooks.Emulator.Storage;

namespace Workbooks.Emulator.Extras;

/// <summary>
/// <c>GET accounting/sales_tax_rulesets/resolve</c> (notes §3.21, §5): which sales tax code each ruleset gives a
/// document delivered to, and bought by, a place. A ruleset (<c>accounting/sales_tax_rulesets</c>) belongs to a tax
/// regime and has rules (<c>accounting/sales_tax_rules</c>, tried in <c>position</c> order, then by id); a rule names
/// a delivery and a customer country, county and town, blank for any, and the code it gives. The first rule whose
/// every non-blank place equals the request's (case and surrounding spaces aside) gives the ruleset's
/// <c>resolved_sales_tax_code_id</c>; when none does, the row has no such key (notes: "absent when nothing matches").
/// The request names the rulesets with an ordinary filter (<c>_ff[]=id&amp;_ft[]=eq&amp;_fc[]=2,4</c>; none: all) and
/// must give <c>tax_regime_id</c> (406 otherwise); only rulesets of that regime are answered.
/// </summary>
internal static class SalesTaxResolveHandler
{
    public const string Route = "accounting/sales_tax_rulesets/resolve";

    private const string RulesetsPath = "accounting/sales_tax_rulesets";
    private const string RulesPath = "accounting/sales_tax_rules";

    /// <summary>The places a rule and a request name, by their parameter (and rule field) names.</summary>
    private static readonly string[] Places =
    [
        "delivery_country", "delivery_county_province_state", "delivery_town",
        "customer_country", "customer_county_province_state", "customer_town",
    ];

    public static Task HandleAsync(HttpContext context, CallContext call, ResponseStyle style, EmulatorSchema schema)
    {
        if (call.Method is not ("GET" or "POST"))
            throw new RequestRejectedException(405, $"This resource does not allow {call.Method}.");
        if (!schema.ByControllerPath.TryGetValue(RulesetsPath, out var rulesetType))
            throw new RequestRejectedException(404, $"No such resource: /{Route}.api");
        var p = call.Parameters;
        if (p.Get("tax_regime_id") is not { } regimeText || string.IsNullOrWhiteSpace(regimeText))
            throw new RequestRejectedException(406, "tax_regime_id is required to resolve sales tax rulesets.", "tax_regime_id");
        if (WireValues.LeadingInteger(regimeText.Trim()) is not { } regime)
            throw new RequestRejectedException(406, $"tax_regime_id is not a number: '{regimeText}'.", "tax_regime_id");
        var place = Places.ToDictionary(name => name, name => Normalise(p.Get(name)), StringComparer.Ordinal);

        var rows = new List<(long Id, string? Name, long? Code)>();
        var database = call.Database;
        lock (database.Gate)
        {
            var rulesets = database.Store(rulesetType);
            var terms = FilterCompiler.ReadTerms(p);
            var filter = FilterCompiler.Compile(rulesetType, terms, p.Get("_fm"), database, database.Time.GetUtcNow().UtcDateTime);
            var rules = schema.ByControllerPath.TryGetValue(RulesPath, out var ruleType) ? database.Store(ruleType) : null;
            foreach (var ruleset in rulesets.Rows)
            {
                if (ruleset.IsDeleted || !filter.Predicate(ruleset) || ruleset["tax_regime_id"] is not long r || r != regime)
                    continue;
                rows.Add((ruleset.Id, ruleset["name"] as string, rules is null ? null : Resolve(rules, ruleset.Id, place)));
            }
        }

        return ResponseWriter.WriteJsonAsync(context, 200, style, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("data");
            foreach (var (id, name, code) in rows)
            {
                w.WriteStartObject();
                w.WriteNumber("id", id);
                w.WriteString("name", name);
                w.WriteNumber("tax_regime_id", regime);
                if (code is { } resolved)
                    w.WriteNumber("resolved_sales_tax_code_id", resolved);
                w.WriteEndObject();
            }
            ResponseWriter.EndIndexAnswer(w, rows.Count);
        });
    }

    /// <summary>The code of the first rule of the ruleset that matches the place; null when none does.</summary>
    private static long? Resolve(RecordStore rules, long rulesetId, Dictionary<string, string?> place)
    {
        var candidates = rules.Rows
            .Where(rule => !rule.IsDeleted && rule["sales_tax_ruleset_id"] is long owner && owner == rulesetId)
            .OrderBy(rule => rule["position"] as long? ?? long.MaxValue)
            .ThenBy(rule => rule.Id);
        foreach (var rule in candidates)
        {
            if (rule["sales_tax_code_id"] is not long code)
                continue;
            var matches = Places.All(name => Normalise(rule[name] as string) is not { } wanted
                || string.Equals(wanted, place[name], StringComparison.OrdinalIgnoreCase));
            if (matches)
                return code;
        }
        return null;
    }

    private static string? Normalise(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
