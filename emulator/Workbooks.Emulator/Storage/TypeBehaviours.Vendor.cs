using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator.Storage;

/// <summary>
/// The behaviours of the record types the vendor's examples use (notes §3.11 accounting, §3.19 e-mail, §3.20 import).
/// Registered by controller path in <c>TypeBehaviours.cs</c>; the choices the notes leave open are the emulator's and
/// are said so where they are made.
/// </summary>
internal static partial class TypeBehaviours
{
    // ---------- accounting years and periods (notes §2, §3.11) ----------

    /// <summary>The year styles of the notes (§3.11), in the spelling a created year stores.</summary>
    internal static readonly string[] YearStyles = ["Quarters", "Calendar Months", "4-4-5 week pattern"];

    /// <summary>
    /// An accounting year gets its dates and its periods (notes §2: "creating one auto-creates its periods"). Its
    /// <c>year_position</c> places it after the last live year (<c>After Last</c>, the default) or before the first
    /// (<c>Before First</c>); the first year of a database starts on 1 January of the emulator's current year (the
    /// own organisation's financial year start is not in the notes: the emulator's choice). A year of
    /// <c>Quarters</c> or <c>Calendar Months</c> is twelve calendar months (4 or 12 periods); a <c>4-4-5</c> year is
    /// 52 weeks in 12 periods of 4, 4 and 5 weeks. Periods are contiguous and numbered by <c>sub_period</c>.
    /// </summary>
    private static void AccountingYearPeriods(EmulatorDatabase database, Record year)
    {
        var type = year.Type;
        if (type.Field("from_date") is not { Kind: ValueKind.Date } fromField || type.Field("thru_date") is not { Kind: ValueKind.Date } thruField)
            return;
        var style = YearStyle(year["year_style"] as string);
        SetText(year, "year_style", style);
        var before = year["year_position"] is string position && position.Trim().Equals("Before First", StringComparison.OrdinalIgnoreCase);
        SetText(year, "year_position", before ? "Before First" : "After Last");
        if (year.Values[fromField.Ordinal] is not DateOnly from)
        {
            var others = database.Store(type.ControllerPath).Rows
                .Where(r => r.Id != year.Id && !r.IsDeleted && r.Values[fromField.Ordinal] is DateOnly && r.Values[thruField.Ordinal] is DateOnly)
                .ToArray();
            if (others.Length == 0)
                from = new DateOnly(database.Time.GetUtcNow().UtcDateTime.Year, 1, 1);
            else if (before)
            {
                var first = others.Min(r => (DateOnly)r.Values[fromField.Ordinal]!);
                from = style == YearStyles[2] ? first.AddDays(-364) : first.AddMonths(-12);
            }
            else
                from = others.Max(r => (DateOnly)r.Values[thruField.Ordinal]!).AddDays(1);
        }
        var periods = Periods(style, from);
        year.Values[fromField.Ordinal] = from;
        year.Values[thruField.Ordinal] = periods[^1].Thru;
        if (year["name"] is not string { Length: > 0 })
            SetText(year, "name", string.Create(CultureInfo.InvariantCulture, $"FY{from.Year}"));
        if (type.Field("own_organisation_id") is { Kind: ValueKind.Integer } own && year.Values[own.Ordinal] is null && OwnOrganisation(database) is { } organisation)
            year.Values[own.Ordinal] = organisation;
        for (var i = 0; i < periods.Length; i++)
            CreateWith(database, year, "accounting/accounting_periods", PeriodValues(year, periods[i], i));
    }

    /// <summary>A seeded year: the seeded years follow each other from 1 January, one a year up to the current one, their periods made again.</summary>
    private static void SeedAccountingYear(EmulatorDatabase database, Record year)
    {
        var store = database.Store(year.Type.ControllerPath);
        var index = store.Rows.TakeWhile(r => r.Id != year.Id).Count();
        var style = index % 2 == 0 ? YearStyles[1] : YearStyles[0];
        var from = new DateOnly(database.Time.GetUtcNow().UtcDateTime.Year - store.Count + 1 + index, 1, 1);
        var periods = Periods(style, from);
        SetText(year, "year_style", style);
        SetText(year, "year_position", "After Last");
        SetText(year, "name", string.Create(CultureInfo.InvariantCulture, $"FY{from.Year}"));
        Set(year, "from_date", from);
        Set(year, "thru_date", periods[^1].Thru);
        Set(year, "came_from_migration", false);
        Set(year, "own_organisation_id", OwnOrganisation(database));
        ReplaceSeeded(database, year, "accounting/accounting_periods", "accounting_year_id",
            [.. periods.Select((p, i) => PeriodValues(year, p, i))]);
    }

    private static (string Field, object? Value)[] PeriodValues(Record year, (string Name, DateOnly From, DateOnly Thru) period, int index) =>
    [
        ("accounting_year_id", year.Id), ("name", period.Name), ("from_date", period.From), ("thru_date", period.Thru),
        ("sub_period", (long)(index + 1)), ("full_name", $"{year["name"]} {period.Name}"),
    ];

    /// <summary>The year style a create gave, in its stored spelling (any case; <c>4-4-5</c> alone will do); <c>Calendar Months</c> otherwise.</summary>
    private static string YearStyle(string? given)
    {
        var text = given?.Trim() ?? "";
        if (text.StartsWith("4-4-5", StringComparison.Ordinal))
            return YearStyles[2];
        return YearStyles.FirstOrDefault(s => s.Equals(text, StringComparison.OrdinalIgnoreCase)) ?? YearStyles[1];
    }

    /// <summary>
    /// The periods of a year of <paramref name="style"/> starting on <paramref name="from"/>: <c>Q1</c>…<c>Q4</c>,
    /// months named <c>Jan 2026</c>…, or <c>P1</c>…<c>P12</c> of 4, 4 and 5 weeks (the names are the emulator's choice).
    /// </summary>
    internal static (string Name, DateOnly From, DateOnly Thru)[] Periods(string style, DateOnly from)
    {
        var periods = new List<(string, DateOnly, DateOnly)>();
        var start = from;
        if (style == YearStyles[2])
        {
            for (var i = 0; i < 12; i++)
            {
                var weeks = i % 3 == 2 ? 5 : 4;
                var next = start.AddDays(7 * weeks);
                periods.Add((string.Create(CultureInfo.InvariantCulture, $"P{i + 1}"), start, next.AddDays(-1)));
                start = next;
            }
        }
        else
        {
            var months = style == YearStyles[0] ? 3 : 1;
            for (var i = 0; i < 12 / months; i++)
            {
                var next = start.AddMonths(months);
                var name = months == 3 ? string.Create(CultureInfo.InvariantCulture, $"Q{i + 1}") : start.ToString("MMM yyyy", CultureInfo.InvariantCulture);
                periods.Add((name, start, next.AddDays(-1)));
                start = next;
            }
        }
        return [.. periods];
    }

    /// <summary>The database's own organisation: the emulator takes its first live organisation (the notes do not say which it is).</summary>
    private static long? OwnOrganisation(EmulatorDatabase database) =>
        database.TryStore("crm/organisations")?.Rows.FirstOrDefault(r => !r.IsDeleted)?.Id;

    // ---------- exchange rates (notes §1.9, §2, §3.11) ----------

    /// <summary>The failure the service gives for an update or delete of an exchange rate (notes §1.9, verbatim).</summary>
    internal const string ExchangeRateImmutable = "Update or Delete Operation not supported for Exchange Rates";

    private static string? ExchangeRateRefusal(Record rate, bool delete) => ExchangeRateImmutable;

    private static readonly string[] TermCurrencies = ["EUR", "USD", "JPY", "CHF", "AUD"];

    /// <summary>A seeded exchange rate: GBP to one of a few currencies, a plausible rate, from a date in the past.</summary>
    private static void SeedExchangeRate(EmulatorDatabase database, Record rate)
    {
        var index = (int)(rate.Id % TermCurrencies.Length);
        SetText(rate, "base_currency", "GBP");
        SetText(rate, "term_currency", TermCurrencies[index]);
        decimal[] rates = [1.17m, 1.27m, 188.5m, 1.12m, 1.93m];
        Set(rate, "exchange_rate", rates[index] + (rate.Id % 7) / 100m);
        Set(rate, "from_date", DateOnly.FromDateTime(database.Time.GetUtcNow().UtcDateTime).AddDays(-30 * (int)rate.Id));
        SetText(rate, "name", $"GBP/{TermCurrencies[index]}");
    }

    // ---------- sales tax rulesets (notes §3.21) ----------

    /// <summary>
    /// The seeded rulesets, the seeded ones made coherent, in turn (a ruleset after the first few is a numbered copy): a name,
    /// a tax regime, and rules tried in <c>position</c> order, each a sales tax code for a place (blank matches any).
    /// Codes and regimes are the emulator's: regime 1 UK VAT (code 5 standard, 12 zero-rated export, 7 reduced), 2 US sales tax.
    /// </summary>
    internal static readonly (string Name, long Regime, (string? DeliveryCountry, string? DeliveryCounty, string? DeliveryTown, string? CustomerCountry, string? CustomerCounty, string? CustomerTown, long Code)[] Rules)[] SeededRulesets =
    [
        ("UK VAT by delivery address", 1, [
            ("United Kingdom", null, null, null, null, null, 5),
            ("Jersey", null, null, null, null, null, 12),
            ("France", null, null, null, null, null, 12),
        ]),
        ("UK VAT reduced rate for Berkshire customers", 1, [
            ("United Kingdom", "Berkshire", "Reading", null, null, null, 7),
            (null, null, null, "United Kingdom", "Berkshire", null, 7),
        ]),
        ("US sales tax by state", 2, [
            ("United States", "California", null, null, null, null, 21),
            ("United States", "New York", "New York", null, null, null, 22),
            ("United States", "New York", null, null, null, null, 23),
        ]),
    ];

    private static void SeedSalesTaxRuleset(EmulatorDatabase database, Record ruleset)
    {
        var index = database.Store(ruleset.Type.ControllerPath).Rows.TakeWhile(r => r.Id != ruleset.Id).Count();
        var (name, regime, rules) = SeededRulesets[index % SeededRulesets.Length];
        SetText(ruleset, "name", index < SeededRulesets.Length ? name : string.Create(CultureInfo.InvariantCulture, $"{name} ({index + 1})"));
        SetText(ruleset, "description", $"Seeded ruleset: {name}");
        Set(ruleset, "tax_regime_id", regime);
        ReplaceSeeded(database, ruleset, "accounting/sales_tax_rules", "sales_tax_ruleset_id",
        [
            .. rules.Select((r, i) => new (string, object?)[]
            {
                ("sales_tax_ruleset_id", ruleset.Id), ("position", (long)(i + 1)), ("sales_tax_code_id", r.Code),
                ("delivery_country", r.DeliveryCountry), ("delivery_county_province_state", r.DeliveryCounty), ("delivery_town", r.DeliveryTown),
                ("customer_country", r.CustomerCountry), ("customer_county_province_state", r.CustomerCounty), ("customer_town", r.CustomerTown),
                ("name", $"{name} rule {i + 1}"),
            }),
        ]);
    }

    // ---------- integrated mailshots (notes §3.19) ----------

    /// <summary>An integrated mailshot gets a mailing list of its own (notes §3.19: <c>mailing_list_id</c>, read only, "auto-created list"), named after it.</summary>
    private static void MailshotMailingList(EmulatorDatabase database, Record mailshot)
    {
        if (mailshot.Type.Field("mailing_list_id") is not { Kind: ValueKind.Integer } link || mailshot.Values[link.Ordinal] is not null)
            return;
        var name = mailshot["name"] as string is { Length: > 0 } n ? n.Trim() : "Mailshot";
        var list = CreateWith(database, mailshot, "email/mailing_lists",
            ("name", $"{name} mailing list"), ("description", $"The mailing list of the integrated mailshot {name}"));
        if (list is not null)
            mailshot.Values[link.Ordinal] = list.Id;
    }

    /// <summary>A seeded mailshot: a draft synchronised with GatorMail, with its own mailing list.</summary>
    private static void SeedMailshot(EmulatorDatabase database, Record mailshot)
    {
        SetText(mailshot, "status", "Draft");
        SetText(mailshot, "sync_with", "GatorMail");
        SetText(mailshot, "mailshot_type", "Refresh Non-Recurring");
        Set(mailshot, "mailing_list_id", null);
        MailshotMailingList(database, mailshot);
    }

    // ---------- e-mails (notes §3.19, §5) ----------

    /// <summary>
    /// E-mails to <c>SEND</c> are delivered the next time the e-mails are looked at (the emulator's choice of "after
    /// delivery", notes §3.19: deterministic, and a client polling as the vendor's example does sees <c>SENT</c> on
    /// its first poll; the answer to the change that asked for it still says <c>SEND</c>). Delivery is a save:
    /// <c>status</c> becomes <c>SENT</c>, <c>rfc822</c> holds the MIME message sent (the one given, for a raw send),
    /// <c>lock_version</c> and <c>updated_at</c> move. A <c>DRAFT</c> stays a draft.
    /// </summary>
    private static void DeliverEmails(EmulatorDatabase database, RecordStore store)
    {
        if (store.Type.Field("status") is not { Kind: ValueKind.Text } status)
            return;
        foreach (var email in store.Rows)
        {
            if (email.IsDeleted || email.Values[status.Ordinal] is not string s || !s.Trim().Equals("SEND", StringComparison.OrdinalIgnoreCase))
                continue;
            Deliver(email, database.Time.GetUtcNow().UtcDateTime);
            database.Touch(email, email["updated_by"] is long by ? (int)by : 3);
        }
    }

    private static void Deliver(Record email, DateTime when)
    {
        SetText(email, "status", "SENT");
        if (email["rfc822"] is not string { Length: > 0 })
            SetText(email, "rfc822", Rfc822(email, when));
    }

    /// <summary>A seeded e-mail: most were sent (with their message), every fifth is a draft.</summary>
    private static void SeedEmail(EmulatorDatabase database, Record email)
    {
        SetText(email, "to_addresses", string.Create(CultureInfo.InvariantCulture, $"customer{email.Id}@example.com"));
        SetText(email, "cc_addresses", "");
        SetText(email, "bcc_addresses", "");
        SetText(email, "render_with_placeholders", "");
        Set(email, "rfc822", null);
        SetText(email, "status", email.Id % 5 == 0 ? "DRAFT" : "SEND");
        if (email.Id % 5 != 0)
            Deliver(email, email["updated_at"] as DateTime? ?? database.Time.GetUtcNow().UtcDateTime);
    }

    /// <summary>
    /// The message an e-mail is sent as: RFC 822 headers and a <c>multipart/alternative</c> body (plain text and HTML)
    /// whose parts are separated by <c>--mimepart_…</c> boundaries (notes §3.19: the message "contains
    /// <c>--mimepart</c> boundaries"). A templated e-mail's body names its template and placeholders: the emulator
    /// does not render templates.
    /// </summary>
    internal static string Rfc822(Record email, DateTime when)
    {
        var boundary = "mimepart_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{email.Id}/{when.Ticks}"))).AsSpan(0, 12));
        var subject = email["subject"] as string is { Length: > 0 } s ? s
            : email["render_with_template_name"] as string is { Length: > 0 } t ? t : "(no subject)";
        var text = email["render_with_template_name"] is string { Length: > 0 } template
            ? $"Rendered with the template '{template}'" + (email["render_with_placeholders"] is string { Length: > 0 } placeholders ? $" and the placeholders {placeholders}" : "") + "."
            : subject;
        var sb = new StringBuilder();
        void Header(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
                sb.Append(name).Append(": ").Append(value.Trim()).Append("\r\n");
        }
        Header("Date", when.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture));
        Header("From", email["from_address"] as string);
        Header("To", email["to_addresses"] as string);
        Header("Cc", email["cc_addresses"] as string);
        Header("Message-ID", string.Create(CultureInfo.InvariantCulture, $"<email-{email.Id}.{when.Ticks}@emulator.workbooks.example>"));
        Header("Subject", subject);
        Header("Mime-Version", "1.0");
        Header("Content-Type", $"multipart/alternative; boundary=\"{boundary}\"; charset=UTF-8");
        Header("Content-Transfer-Encoding", "7bit");
        sb.Append("\r\n");
        sb.Append("--").Append(boundary).Append("\r\n");
        sb.Append("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n").Append(text).Append("\r\n\r\n");
        sb.Append("--").Append(boundary).Append("\r\n");
        sb.Append("Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n<html><body><p>")
            .Append(System.Net.WebUtility.HtmlEncode(text)).Append("</p></body></html>\r\n\r\n");
        sb.Append("--").Append(boundary).Append("--\r\n");
        return sb.ToString();
    }

    // ---------- import jobs (notes §3.20, §5) ----------

    /// <summary>The statuses of an import job. The notes name <c>API_QUEUED</c> (what a client writes) and <c>QUEUED</c> (what it reads back); the others are the emulator's.</summary>
    internal const string ImportNew = "NEW", ImportApiQueued = "API_QUEUED", ImportQueued = "QUEUED", ImportRunning = "RUNNING", ImportCompleted = "COMPLETED";

    /// <summary>How long a scheduled import job stays <c>QUEUED</c>, and then <c>RUNNING</c>, by the emulator's clock (the emulator's choice).</summary>
    internal static readonly TimeSpan ImportStep = TimeSpan.FromSeconds(2);

    /// <summary>An import job's type (from <c>create_with_import_type</c>, else <c>People</c>) and its descriptor, which begins with it (notes §3.20).</summary>
    private static void ImportJobDescriptor(EmulatorDatabase database, Record job)
    {
        var importType = job["create_with_import_type"] as string is { Length: > 0 } t ? t.Trim() : job["imp_profile[imp_type]"] as string is { Length: > 0 } p ? p : "People";
        SetText(job, "imp_profile[imp_type]", importType);
        var file = job["imp_file[file_name]"] as string;
        var descriptor = string.Create(CultureInfo.InvariantCulture, $"{importType} import {job.Id}") + (string.IsNullOrEmpty(file) ? "" : $" ({file})");
        SetText(job, "descriptor", descriptor);
        if (job["name"] is not string { Length: > 0 })
            SetText(job, "name", descriptor);
        if (job["status"] is not string { Length: > 0 })
            SetText(job, "status", ImportNew);
    }

    /// <summary>A seeded import job ran long ago.</summary>
    private static void SeedImportJob(EmulatorDatabase database, Record job)
    {
        string[] types = ["People", "Organisations", "Products"];
        SetText(job, "create_with_import_type", types[job.Id % types.Length]);
        SetText(job, "imp_profile[imp_type]", "");
        SetText(job, "descriptor", "");
        SetText(job, "name", "");
        Set(job, "run_after_imp_job_id", null);
        ImportJobDescriptor(database, job);
        SetText(job, "status", ImportCompleted);
    }

    /// <summary>Scheduling (notes §3.20): a job updated to <c>API_QUEUED</c> is <c>QUEUED</c>, and the change's answer says so.</summary>
    private static void ImportJobScheduled(EmulatorDatabase database, Record job)
    {
        if (job["status"] is string status && status.Trim().Equals(ImportApiQueued, StringComparison.OrdinalIgnoreCase))
            SetText(job, "status", ImportQueued);
    }

    private static bool IsScheduled(Record job) => job["status"] is ImportQueued or ImportRunning;

    /// <summary>A job cannot be deleted while it is scheduled (notes §3.20); the message is the emulator's.</summary>
    private static string? ImportJobRefusal(Record job, bool delete) =>
        delete && IsScheduled(job)
            ? $"An import job cannot be deleted while it is scheduled (its status is {job["status"]}): wait until it has run."
            : null;

    /// <summary>
    /// Scheduled jobs move on as the emulator's clock passes: <c>QUEUED</c> for <see cref="ImportStep"/> (and until the
    /// job it runs after, <c>run_after_imp_job_id</c>, has completed), then <c>RUNNING</c> for another step, then
    /// <c>COMPLETED</c>. Each move is a save by the service (notes §5: a job's <c>lock_version</c> "changes asynchronously").
    /// </summary>
    private static void RunImportJobs(EmulatorDatabase database, RecordStore store)
    {
        if (store.Type.Field("status") is not { Kind: ValueKind.Text } statusField || store.Type.Field("updated_at") is not { } updatedAt)
            return;
        var now = database.Time.GetUtcNow().UtcDateTime;
        foreach (var job in store.Rows)
        {
            if (job.IsDeleted || !IsScheduled(job) || job.Values[updatedAt.Ordinal] is not DateTime since)
                continue;
            while (now >= since + ImportStep)
            {
                var status = (string)job.Values[statusField.Ordinal]!;
                if (status == ImportQueued && job["run_after_imp_job_id"] is long previous && store.Find(previous) is { IsDeleted: false } before && before["status"] is not ImportCompleted)
                    break;
                var next = status switch { ImportQueued => ImportRunning, ImportRunning => ImportCompleted, _ => null };
                if (next is null)
                    break;
                job.Values[statusField.Ordinal] = next;
                database.Touch(job, job["updated_by"] is long by ? (int)by : 3);
                since += ImportStep;
            }
        }
    }

    // ---------- helpers ----------

    private static void Set(Record record, string name, object? value)
    {
        if (record.Type.Field(name) is { } field && Fits(field, value))
            record.Values[field.Ordinal] = value;
    }

    private static void SetText(Record record, string name, string? value) => Set(record, name, value);

    /// <summary>
    /// The records of <paramref name="controllerPath"/> that <paramref name="parent"/>, a seeded record, comes with:
    /// the seeded ones the seeder linked to it (made up at random) take the given values, in id order; missing ones
    /// are created, seeded ones left over are deleted. So a seeded parent has exactly the children its creation would
    /// have given it.
    /// </summary>
    private static void ReplaceSeeded(EmulatorDatabase database, Record parent, string controllerPath, string foreignKey, (string Field, object? Value)[][] children)
    {
        if (database.TryStore(controllerPath) is not { } store || store.Type.Field(foreignKey) is not { } key)
            return;
        var seeded = store.Rows.Where(r => !r.IsDeleted && Equals(r.Values[key.Ordinal], parent.Id)).ToArray();
        for (var i = 0; i < children.Length; i++)
        {
            if (i < seeded.Length)
            {
                foreach (var (name, value) in children[i])
                    Set(seeded[i], name, value);
            }
            else
                CreateWith(database, parent, controllerPath, children[i]);
        }
        foreach (var extra in seeded.Skip(children.Length))
            extra.IsDeleted = true;
    }
}
