using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator.Storage;

/// <summary>
/// What the service derives from other fields and what it does when a record is created, in one place, so that
/// derived fields follow their sources on every change made through the API or <see cref="EmulatorDatabase"/>, and
/// records created with another (a campaign's membership statuses…) exist however that other was created. The
/// seeder writes the same values the same way (see <see cref="AfterSeed"/>). The registries below, keyed by controller
/// path, say per record type what happens on create (<c>OnCreate</c>), on seeding (<c>OnSeed</c>), which updates and
/// deletes the service refuses (<c>Refusals</c>), what follows an update (<c>OnUpdate</c>) and what the service does in
/// the background (<c>InBackground</c>); the behaviours of the vendor's record types are in TypeBehaviours.Vendor.cs.
/// </summary>
internal static partial class TypeBehaviours
{
    /// <summary>
    /// What the service does when a record of a type is created, by controller path: one entry per record type.
    /// <see cref="CreateBehaviour.AfterCreate"/> runs once the record is stored (it has its id), from
    /// <see cref="EmulatorDatabase.Create"/>, the one place records are created.
    /// </summary>
    private static readonly FrozenDictionary<string, CreateBehaviour> OnCreate = new Dictionary<string, CreateBehaviour>(StringComparer.Ordinal)
    {
        ["crm/campaigns"] = new(CampaignMembershipStatuses, []),
        ["project/projects"] = new(ProjectTaskStatusesPicklist, ["task_statuses_picklist_id"]),
        ["admin/custom_fields"] = new(CustomFieldColumn, ["status", "name", "value_column_name"]),
        ["admin/custom_record_types"] = new(CustomRecordTypeClassName, ["resource_type"]),
        ["accounting/accounting_years"] = new(AccountingYearPeriods, ["from_date", "thru_date", "own_organisation_id"]),
        ["email/integrated_mailshots"] = new(MailshotMailingList, ["mailing_list_id"]),
        ["import/imp_jobs"] = new(ImportJobDescriptor, ["descriptor", "imp_profile[imp_type]"]),
        ["admin/picklist_entries"] = new(DemoteOtherDefaults, []),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Seeded records of a type made coherent, by controller path, where dropping the derived fields and running
    /// <see cref="CreateBehaviour.AfterCreate"/> (the default of <see cref="AfterSeed"/>) is not enough: the seeder
    /// made every field up at random (an accounting year's dates, an e-mail's status). Runs in id order, once the
    /// seeded records are linked.
    /// </summary>
    private static readonly FrozenDictionary<string, Action<EmulatorDatabase, Record>> OnSeed = new Dictionary<string, Action<EmulatorDatabase, Record>>(StringComparer.Ordinal)
    {
        ["accounting/accounting_years"] = SeedAccountingYear,
        ["accounting/exchange_rates"] = SeedExchangeRate,
        ["accounting/sales_tax_rulesets"] = SeedSalesTaxRuleset,
        ["email/emails"] = SeedEmail,
        ["email/integrated_mailshots"] = SeedMailshot,
        ["import/imp_jobs"] = SeedImportJob,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Changes the service refuses, by controller path: given the stored record and whether the change is a delete,
    /// the message of the failure (null: allowed). <see cref="Changes.ChangeHandler"/> reports it as the object's
    /// failure (under <c>errors</c> and in <c>failures</c>) and changes nothing; <see cref="EmulatorDatabase.Update"/>
    /// and <see cref="EmulatorDatabase.Delete"/> refuse it too.
    /// </summary>
    private static readonly FrozenDictionary<string, Func<Record, bool, string?>> Refusals = new Dictionary<string, Func<Record, bool, string?>>(StringComparer.Ordinal)
    {
        ["accounting/exchange_rates"] = ExchangeRateRefusal,
        ["import/imp_jobs"] = ImportJobRefusal,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// What the service does after a stored record was saved by an update (not a create, not a delete), by controller
    /// path: runs from <see cref="EmulatorDatabase.Touch"/>, where every update ends, so the change request's answer
    /// reports the result (an import job scheduled with <c>API_QUEUED</c> reads <c>QUEUED</c>).
    /// </summary>
    private static readonly FrozenDictionary<string, Action<EmulatorDatabase, Record>> OnUpdate = new Dictionary<string, Action<EmulatorDatabase, Record>>(StringComparer.Ordinal)
    {
        ["import/imp_jobs"] = ImportJobScheduled,
        ["admin/picklist_entries"] = DemoteOtherDefaults,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// What the service does in the background, by controller path, done when the records are next looked at
    /// (<see cref="EmulatorDatabase.Store(RecordTypeDef)"/>, under the gate, before the request reads or changes
    /// anything): an e-mail to SEND is delivered, a scheduled import job moves on as time passes. A client only sees
    /// the service through requests, so this is what it would see of work done asynchronously.
    /// </summary>
    private static readonly FrozenDictionary<string, Action<EmulatorDatabase, RecordStore>> InBackground = new Dictionary<string, Action<EmulatorDatabase, RecordStore>>(StringComparer.Ordinal)
    {
        ["email/emails"] = DeliverEmails,
        ["import/imp_jobs"] = RunImportJobs,
        ["admin/custom_fields"] = FinishCustomFields,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// What the service does differently when asked to create or update in the background (the request parameter
    /// <c>_asynchronous_cf=true</c>, notes §3.15), by controller path: runs after the create or update, and the
    /// background work (<see cref="InBackground"/>) finishes it later.
    /// </summary>
    private static readonly FrozenDictionary<string, Action<EmulatorDatabase, Record>> OnAsynchronousWrite = new Dictionary<string, Action<EmulatorDatabase, Record>>(StringComparer.Ordinal)
    {
        ["admin/custom_fields"] = CustomFieldInBackground,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <param name="AfterCreate">Fills in what the service derives on the new record and creates the records that
    /// come with it. A value the create already gave (possible through <see cref="EmulatorDatabase.Insert"/>) is kept.</param>
    /// <param name="DerivedFields">The fields <paramref name="AfterCreate"/> fills in (the seeder leaves them to it).</param>
    private sealed record CreateBehaviour(Action<EmulatorDatabase, Record> AfterCreate, string[] DerivedFields);

    /// <summary>The default membership statuses of a campaign (notes §3.9: "defaults include Interested, Not Interested").</summary>
    internal static readonly string[] DefaultCampaignMembershipStatuses = ["Interested", "Not Interested"];

    /// <summary>
    /// The entries of a new project's task-status picklist, the first one the default. The notes (§3.13) only say that
    /// a project has its own picklist (<c>parent_type</c> <c>Private::Project::Project</c>); these values are the
    /// emulator's choice (the project-status picklist's default is <c>Not Started</c> too).
    /// </summary>
    internal static readonly string[] DefaultProjectTaskStatuses = ["Not Started", "In Progress", "Complete"];

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

    /// <summary>Runs what the service does when <paramref name="record"/> (just stored, under the gate) was created.</summary>
    public static void AfterCreate(EmulatorDatabase database, Record record)
    {
        if (OnCreate.TryGetValue(record.Type.ControllerPath, out var behaviour))
            behaviour.AfterCreate(database, record);
    }

    /// <summary>Whether creating (or seeding) a record of <paramref name="type"/> does anything more than storing it.</summary>
    public static bool HasCreateBehaviour(RecordTypeDef type) => OnCreate.ContainsKey(type.ControllerPath) || OnSeed.ContainsKey(type.ControllerPath);

    /// <summary>Why the service refuses to update (or delete) <paramref name="record"/>; null when it does not.</summary>
    public static string? Refusal(Record record, bool delete) =>
        Refusals.TryGetValue(record.Type.ControllerPath, out var refusal) ? refusal(record, delete) : null;

    /// <summary>Runs what the service does once <paramref name="record"/> was saved by an update (called by <see cref="EmulatorDatabase.Touch"/>).</summary>
    public static void AfterUpdate(EmulatorDatabase database, Record record)
    {
        if (!record.IsDeleted && OnUpdate.TryGetValue(record.Type.ControllerPath, out var behaviour))
            behaviour(database, record);
    }

    /// <summary>Runs what the service does when a create or an update of <paramref name="record"/> was asked to happen in the background.</summary>
    public static void AfterAsynchronousWrite(EmulatorDatabase database, Record record)
    {
        if (!record.IsDeleted && OnAsynchronousWrite.TryGetValue(record.Type.ControllerPath, out var behaviour))
            behaviour(database, record);
    }

    /// <summary>Catches up with what the service did in the background to the records of <paramref name="store"/> (the caller holds the gate).</summary>
    public static void BeforeAccess(EmulatorDatabase database, RecordStore store)
    {
        if (InBackground.TryGetValue(store.Type.ControllerPath, out var behaviour))
            behaviour(database, store);
    }

    /// <summary>
    /// A seeded record as if it had been created through the service: the seeder made a value up for every field,
    /// so the ones the service derives on create are dropped and derived again, and the records that come with it
    /// are created (a seeded campaign has its membership statuses, a seeded project its own task-status picklist).
    /// </summary>
    public static void AfterSeed(EmulatorDatabase database, Record record)
    {
        if (OnSeed.TryGetValue(record.Type.ControllerPath, out var seed))
        {
            seed(database, record);
            return;
        }
        if (!OnCreate.TryGetValue(record.Type.ControllerPath, out var behaviour))
            return;
        foreach (var name in behaviour.DerivedFields)
            if (record.Type.Field(name) is { } field)
                record.Values[field.Ordinal] = null;
        behaviour.AfterCreate(database, record);
    }

    /// <summary>
    /// A campaign comes with its default membership statuses (notes §3.9): a <c>crm/campaign_membership_status</c>
    /// record per status, linked by <c>marketing_campaign_id</c>, its <c>name</c> the status too.
    /// </summary>
    private static void CampaignMembershipStatuses(EmulatorDatabase database, Record campaign)
    {
        foreach (var status in DefaultCampaignMembershipStatuses)
            CreateWith(database, campaign, "crm/campaign_membership_status", ("marketing_campaign_id", campaign.Id), ("status", status), ("name", status));
    }

    /// <summary>
    /// A project gets a task-status picklist of its own (notes §3.13: <c>task_statuses_picklist_id</c> is read only,
    /// "a picklist whose <c>parent_type</c> is <c>Private::Project::Project</c>"), with its entries.
    /// </summary>
    private static void ProjectTaskStatusesPicklist(EmulatorDatabase database, Record project)
    {
        if (project.Type.Field("task_statuses_picklist_id") is not { Kind: ValueKind.Integer } link || project.Values[link.Ordinal] is not null)
            return;
        var projectName = project["name"] as string;
        var picklist = CreateWith(database, project, "admin/picklists",
            ("name", string.IsNullOrWhiteSpace(projectName) ? "Project Task Statuses" : $"{projectName.Trim()} Task Statuses"),
            ("description", string.IsNullOrWhiteSpace(projectName) ? "Task statuses of a project" : $"Task statuses of the project {projectName.Trim()}"),
            ("parent_type", project.Type.ClassName));
        if (picklist is null)
            return;
        for (var i = 0; i < DefaultProjectTaskStatuses.Length; i++)
        {
            CreateWith(database, project, "admin/picklist_entries",
                ("picklist_id", picklist.Id), ("value", DefaultProjectTaskStatuses[i]), ("name", DefaultProjectTaskStatuses[i]),
                ("display_order", (long)(i + 1)), ("default_value", i == 0));
        }
        project.Values[link.Ordinal] = picklist.Id;
    }

    /// <summary>
    /// A custom field created synchronously is usable at once (notes §3.15, §5): <c>status</c> <c>Available</c>, its
    /// <c>name</c> its title, and the <c>value_column_name</c> to use on the owning records: <c>cf_</c>, the owning class's
    /// name in snake case, <c>_</c>, the title in snake case (notes §3.16: <c>Registration Plate</c> on <c>Vehicle</c> →
    /// <c>cf_vehicle_registration_plate</c>; §3.15's <c>@cf_sales_lead_hubspot_profile@</c> for a sales lead). A column
    /// name the owning type already has (in the schema, or another custom field of it) gets a suffix <c>_2</c>,
    /// <c>_3</c>… (the emulator's choice: the notes do not say what the service does). Once the database is seeded, the
    /// field is added to the owning type's metadata (<see cref="SchemaGrowth.CustomField"/>).
    /// </summary>
    /// <summary>
    /// A picklist has one default entry: an entry created or updated as the default (<c>default_value</c> true) makes
    /// the picklist's other entries not the default (notes §3.14: "creating a new default demotes the old one"; the
    /// vendor's project example checks the old one "should no longer be the default"). The demoted entries are not
    /// saved as changes of their own (their lock_version stays).
    /// </summary>
    private static void DemoteOtherDefaults(EmulatorDatabase database, Record entry)
    {
        if (entry.Type.Field("default_value") is not { Kind: ValueKind.Boolean } isDefault || entry.Values[isDefault.Ordinal] is not true
            || entry["picklist_id"] is not long picklist)
            return;
        foreach (var other in database.Store(entry.Type.ControllerPath).Rows)
        {
            if (other.Id != entry.Id && !other.IsDeleted && other["picklist_id"] is long p && p == picklist && other.Values[isDefault.Ordinal] is true)
                other.Values[isDefault.Ordinal] = false;
        }
    }

    /// <summary>The <c>status</c> of a custom field being created or altered in the background (the emulator's word:
    /// the notes only say to poll until <c>Available</c>).</summary>
    internal const string CustomFieldPending = "Pending";

    /// <summary>How long the emulator's background creation or alteration of a custom field takes.</summary>
    internal static readonly TimeSpan CustomFieldDelay = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A custom field created or updated with <c>_asynchronous_cf=true</c> is not usable at once: its <c>status</c> is
    /// <see cref="CustomFieldPending"/> until the background work finishes (<see cref="FinishCustomFields"/>).
    /// </summary>
    private static void CustomFieldInBackground(EmulatorDatabase database, Record field) => Set(field, "status", CustomFieldPending);

    /// <summary>
    /// Custom fields pending for <see cref="CustomFieldDelay"/> since their last save become <c>Available</c>. Their
    /// lock_version does not move: the vendor's example waits for <c>Available</c>, then updates (and later deletes)
    /// with the lock_version of the create's (and the update's) answer.
    /// </summary>
    private static void FinishCustomFields(EmulatorDatabase database, RecordStore store)
    {
        if (store.Type.Field("status") is not { Kind: ValueKind.Text } status || store.Type.Field("updated_at") is not { } updatedAt)
            return;
        var now = database.Time.GetUtcNow().UtcDateTime;
        foreach (var field in store.Rows)
        {
            if (!field.IsDeleted && field.Values[status.Ordinal] is CustomFieldPending && field.Values[updatedAt.Ordinal] is DateTime since && now >= since + CustomFieldDelay)
                field.Values[status.Ordinal] = "Available";
        }
    }

    private static void CustomFieldColumn(EmulatorDatabase database, Record field)
    {
        NameCustomFieldColumn(database, field);
        // It appears on its record type at once (notes §3.15: the example sets it on a person next).
        if (database.Seeded && field["resource_type"] is string { Length: > 0 } owner && field["value_column_name"] is string { Length: > 0 } column)
            database.PendingSchemaGrowth.Add(new SchemaGrowth.CustomField(owner, column, field["data_type"] as string ?? "string", field["title"] as string ?? column));
    }

    private static void NameCustomFieldColumn(EmulatorDatabase database, Record field)
    {
        var type = field.Type;
        var title = field["title"] as string;
        SetIfEmpty(type, field.Values, "status", "Available");
        if (!string.IsNullOrWhiteSpace(title))
            SetIfEmpty(type, field.Values, "name", title.Trim());
        if (type.Field("value_column_name") is not { Kind: ValueKind.Text } column || field.Values[column.Ordinal] is string { Length: > 0 })
            return;
        if (field["resource_type"] is not string { Length: > 0 } resourceType || string.IsNullOrWhiteSpace(title))
            return;
        var owner = SnakeCase(resourceType[(resourceType.LastIndexOf(':') + 1)..]);
        var candidate = $"cf_{(owner.Length > 0 ? owner : "record")}_{(SnakeCase(title) is { Length: > 0 } t ? t : "field")}";
        var ownerType = database.Schema.ByClassName.GetValueOrDefault(resourceType);
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (ownerType is not null)
            taken.UnionWith(ownerType.Fields.Select(f => f.Name));
        var resourceTypeField = type.Field("resource_type")!;
        foreach (var other in database.Store(type.ControllerPath).Rows)
        {
            if (other.Id != field.Id && !other.IsDeleted && other.Values[column.Ordinal] is string name && Equals(other.Values[resourceTypeField.Ordinal], resourceType))
                taken.Add(name);
        }
        var unique = candidate;
        for (var n = 2; taken.Contains(unique); n++)
            unique = string.Create(CultureInfo.InvariantCulture, $"{candidate}_{n}");
        field.Values[column.Ordinal] = unique;
    }

    /// <summary>
    /// A custom record type's class name (its <c>resource_type</c>, which custom fields name as their owner):
    /// <c>Private::CustomRecord::</c> and the type's name in camel case. The notes (§3.16, §7.12) do not show the format;
    /// the snapshots' custom record types do (<c>Vehicle</c> → <c>Private::CustomRecord::Vehicle</c>,
    /// <c>Territory</c> at <c>custom_record/areas</c> → <c>Private::CustomRecord::Territory</c>). The type itself
    /// (<c>custom_record/&lt;route_suffix&gt;</c>) is not added to the schema.
    /// </summary>
    private static void CustomRecordTypeClassName(EmulatorDatabase database, Record recordType)
    {
        if (recordType["name"] is string name && CamelCase(name) is { Length: > 0 } camel)
            SetIfEmpty(recordType.Type, recordType.Values, "resource_type", "Private::CustomRecord::" + camel);
        // Its records are served at once, at custom_record/{route_suffix} (notes §3.16).
        if (database.Seeded && recordType["resource_type"] is string { Length: > 0 } resourceType && recordType["route_suffix"] is string { Length: > 0 } route)
        {
            database.PendingSchemaGrowth.Add(new SchemaGrowth.CustomRecordType(resourceType, "custom_record/" + route.Trim().ToLowerInvariant(),
                recordType["name"] as string ?? route, recordType["name_plural"] as string ?? route, recordType["description"] as string));
        }
    }

    /// <summary>
    /// Creates a record of <paramref name="controllerPath"/> that the service creates together with
    /// <paramref name="parent"/>: created when, by whom and through what the parent was. Fields the schema does not
    /// have (or holds as another kind of value) are left out. Null when the schema has no such record type.
    /// </summary>
    private static Record? CreateWith(EmulatorDatabase database, Record parent, string controllerPath, params (string Field, object? Value)[] values)
    {
        if (database.TryStore(controllerPath) is not { } store)
            return null;
        var created = parent["created_at"] as DateTime? ?? database.Time.GetUtcNow().UtcDateTime;
        var userId = parent["created_by"] is long by ? (int)by : 3;
        var row = RecordFactory.NewValues(store.Type, created, userId, parent["created_through"] as string);
        foreach (var (name, value) in values)
        {
            if (store.Type.Field(name) is { } field && Fits(field, value))
                row[field.Ordinal] = value;
        }
        return database.Create(store, row);
    }

    private static bool Fits(FieldDef field, object? value) => value switch
    {
        null => true,
        string => field.Kind == ValueKind.Text,
        long => field.Kind == ValueKind.Integer,
        DateOnly => field.Kind == ValueKind.Date,
        decimal => field.Kind == ValueKind.Decimal,
        bool => field.Kind == ValueKind.Boolean,
        _ => false,
    };

    private static void SetIfEmpty(RecordTypeDef type, object?[] values, string name, string value)
    {
        if (type.Field(name) is { Kind: ValueKind.Text } field && values[field.Ordinal] is null or "")
            values[field.Ordinal] = value;
    }

    /// <summary><c>SalesLead</c> → <c>sales_lead</c>, <c>Registration Plate</c> → <c>registration_plate</c>, <c>APIData</c> → <c>api_data</c>.</summary>
    internal static string SnakeCase(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsAsciiLetterOrDigit(c))
            {
                if (sb.Length > 0 && sb[^1] != '_')
                    sb.Append('_');
                continue;
            }
            if (char.IsAsciiLetterUpper(c) && i > 0 && sb.Length > 0 && sb[^1] != '_'
                && (char.IsAsciiLetterLower(text[i - 1]) || char.IsAsciiDigit(text[i - 1])
                    || (char.IsAsciiLetterUpper(text[i - 1]) && i + 1 < text.Length && char.IsAsciiLetterLower(text[i + 1]))))
                sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString().Trim('_');
    }

    /// <summary><c>Vehicle</c> → <c>Vehicle</c>, <c>company car</c> → <c>CompanyCar</c>.</summary>
    internal static string CamelCase(string text)
    {
        var sb = new StringBuilder(text.Length);
        var wordStart = true;
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                wordStart = true;
                continue;
            }
            sb.Append(wordStart ? char.ToUpperInvariant(c) : c);
            wordStart = false;
        }
        return sb.ToString();
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
