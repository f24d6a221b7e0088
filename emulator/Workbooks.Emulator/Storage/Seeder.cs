using System.Globalization;
using Workbooks.Emulator.Extras;
using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator.Storage;

/// <summary>
/// Fills a database with realistic, deterministic data for any schema: the same seed and schema give the same
/// records. Values are chosen from the field's name where it says what it holds (names, e-mails, towns, money…)
/// and from its datatype otherwise; picklist fields take entries of their picklist; foreign keys point at
/// existing records of the associated type; related attributes (<c>primary_contact[name]</c>) agree with them.
/// </summary>
internal sealed class Seeder(EmulatorDatabase database, WorkbooksEmulatorOptions options)
{
    private static readonly string[] FirstNames = ["James", "Olivia", "Amelia", "Noah", "Isla", "George", "Ava", "Arthur", "Mia", "Oscar", "Ivy", "Leo", "Freya", "Harry", "Lily", "Jack", "Grace", "Theo", "Sophia", "Henry", "Ada", "Alan", "Grace", "Richard", "Anne", "Jim", "Rosalind", "Tim", "Karen", "Charles"];
    private static readonly string[] LastNames = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Gordon", "Goodwin", "Golding", "Lovelace", "Turing", "Hopper", "Franklin", "Kay", "Richards", "Babbage"];
    /// <summary>
    /// Where an address is: its town, county, postcode area and telephone numbers, which agree with each other as in a
    /// real CRM (a Leeds address has a West Yorkshire county, an LS1–LS29 postcode and an 0113 number). Numbers are in Ofcom's
    /// ranges for drama where the area has one (<c>020 7946 0xxx</c>, <c>0118 496 0xxx</c>…); the made-up towns use the
    /// made-up area code 01632. <c>#</c> stands for a digit.
    /// </summary>
    private static readonly Place[] Places =
    [
        new("Reading", "Berkshire", "RG", 45, "0118 496 0###"),
        new("Oxford", "Oxfordshire", "OX", 49, "01865 7#####"),
        new("London", "Greater London", "SE", 28, "020 7946 0###"),
        new("Bristol", "Avon", "BS", 49, "0117 496 0###"),
        new("Leeds", "West Yorkshire", "LS", 29, "0113 496 0###"),
        new("Manchester", "Greater Manchester", "M", 50, "0161 496 0###"),
        new("Cambridge", "Cambridgeshire", "CB", 25, "01223 3#####"),
        new("York", "North Yorkshire", "YO", 62, "01904 6#####"),
        new("Bath", "Somerset", "BA", 22, "01225 4#####"),
        new("Newbury", "Berkshire", "RG", 45, "01635 5#####"),
        new("Slough", "Berkshire", "SL", 9, "01753 8#####"),
        new("Beading", "Berkshire", "RG", 45, "01632 960###"),
        new("Readington", "Berkshire", "RG", 45, "01632 961###"),
        new("Edinburgh", "Midlothian", "EH", 55, "0131 496 0###"),
        new("Cardiff", "Glamorgan", "CF", 83, "029 2018 0###"),
    ];

    /// <summary>Initials with punctuation, as people write them in a CRM (the notes' search example looks for <c>J.K.</c>).</summary>
    private static readonly string[] Initials = ["J.K.", "A.J.", "T.S.", "C.S.", "J.R.R.", "P.G.", "E.M.", "H.G."];

    /// <summary>
    /// Company vehicles (the notes' custom record type, §3.16): model, fuel and engine size agree; a battery car has no
    /// engine size. The fuel types are the entries of the seeded <c>Vehicle Fuel Types</c> picklist.
    /// </summary>
    private static readonly (string Model, string Fuel, decimal EngineSize)[] VehicleModels =
    [
        ("Ford Focus", "Petrol", 1.0m), ("Ford Fiesta", "Petrol", 1.1m), ("Vauxhall Astra", "Diesel", 1.5m), ("Volkswagen Golf", "Petrol", 1.5m),
        ("Volkswagen Passat", "Diesel", 2.0m), ("BMW 320d", "Diesel", 2.0m), ("Skoda Octavia", "Diesel", 2.0m), ("Toyota Corolla", "Hybrid", 1.8m),
        ("Toyota Prius", "Hybrid", 1.8m), ("Kia Niro", "Hybrid", 1.6m), ("Nissan Leaf", "Electric", 0m), ("Tesla Model 3", "Electric", 0m),
        ("Ford Transit Custom", "Diesel", 2.0m),
    ];

    /// <summary>DVLA memory tags (the first two letters of a current number plate: the region where it was issued).</summary>
    private static readonly string[] MemoryTags = ["RA", "RK", "OU", "OV", "LA", "LB", "LC", "BD", "WR", "YA", "SA", "MA", "DA", "CA"];

    private static readonly string[] Streets = ["High Street", "Main Street", "Station Road", "Church Lane", "Great Eastern Street", "Victoria Road", "Mill Lane", "Park Avenue"];
    private static readonly string[] CompanyWords = ["Freedom", "Light", "Heroic", "Salem", "Apex", "Northwind", "Blue Sky", "Riverside", "Quantum", "Oak", "Summit", "Harbour", "Meridian", "Atlas", "Beacon", "Cedar"];
    private static readonly string[] CompanySuffixes = ["Ltd", "Consulting", "Products", "Recruitment", "Systems", "Partners", "& Co", "Holdings", "Services", "Media"];
    private static readonly string[] JobTitles = ["Senior Consultant", "Product Development Director", "CTO", "Sales Manager", "Office Manager", "Marketing Executive", "Finance Director", "Engineer", "Account Manager", "Chief Executive"];
    private static readonly string[] Words = ["quarterly", "review", "follow", "up", "proposal", "renewal", "training", "onboarding", "pricing", "contract", "support", "meeting", "call", "demo", "invoice", "delivery"];

    private static readonly Dictionary<string, string[]> KnownPicklists = new(StringComparer.OrdinalIgnoreCase)
    {
        ["industry"] = ["Media & Entertainment", "Food", "Professional Services", "Manufacturing", "Retail", "Software", "Education", "Healthcare"],
        ["industries"] = ["Media & Entertainment", "Food", "Professional Services", "Manufacturing", "Retail", "Software", "Education", "Healthcare"],
        ["activity_type"] = ["To-do", "Phone call", "Email", "Meeting"],
        ["activity_types"] = ["To-do", "Phone call", "Email", "Meeting"],
        ["activity_status"] = ["New", "In progress", "Complete"],
        ["activity_statuses"] = ["New", "In progress", "Complete"],
        ["activity_priority"] = ["Low", "Medium", "High"],
        ["activity_priorities"] = ["Low", "Medium", "High"],
        ["organisation_category"] = ["Customer", "Prospect", "Partner", "Marketing Agency", "Supplier"],
        ["lead_source_type"] = ["Web Lead", "Referral", "Trade Show", "Cold Call"],
        ["person_personal_title"] = ["Mr.", "Mrs.", "Ms.", "Dr.", "Prof."],
        ["location_name"] = ["Work", "Home", "Other"],
        ["status"] = ["Planned", "Active", "Completed", "Cancelled"],
        ["category"] = ["Seminar", "Webinar", "Trade Show", "Email"],
        ["product_category"] = ["Services", "Hardware", "Software", "Training"],
        ["unit_type"] = ["Day", "Hour", "Each", "Month"],
        // A service desk's picklists, by picklist name: the cases example (notes §3.8) looks up priority "Medium",
        // source "Web", status "New" then "In progress", type "General" and product category "Services" (picklists
        // 33, 36, 35, 37 and 5), and a case contact's role "Primary contact".
        ["product_categories"] = ["Services", "Hardware", "Software", "Training"],
        ["case_priorities"] = ["Low", "Medium", "High", "Urgent"],
        ["case_statuses"] = ["New", "In progress", "Awaiting customer", "Resolved", "Closed"],
        ["case_sources"] = ["Web", "Email", "Phone", "Chat"],
        ["case_types"] = ["General", "Question", "Problem", "Feature request"],
        ["case_people_statuses"] = ["Active", "Inactive"],
        ["case_contact_roles"] = ["Primary contact", "Secondary contact", "Technical contact"],
        ["vehicle_fuel_types"] = ["Petrol", "Diesel", "Hybrid", "Electric"],
        ["countries"] = ["United Kingdom", "Ireland", "France", "Germany", "United States"],
        ["currencies"] = ["GBP", "EUR", "USD"],
    };

    /// <summary>Case statuses after which a case is no longer open (its <c>record_state</c>; notes §3.8: <c>open</c>).</summary>
    private static readonly HashSet<string> ClosedCaseStatuses = new(StringComparer.Ordinal) { "Resolved", "Closed" };

    /// <summary>Attributes the service itself maintains: the factory sets them, the seeder leaves them alone.</summary>
    private static readonly HashSet<string> ServiceMaintained = new(StringComparer.Ordinal)
    {
        "id", "lock_version", "created_at", "created_by", "updated_at", "updated_by", "created_through", "is_deleted", "type", "object_ref",
    };

    private readonly Random _random = new(options.Seed ^ database.Info.Id * 7919);
    private readonly Dictionary<int, List<(long Id, string Value)>> _picklistEntries = [];
    /// <summary>The records seeded from a fixed catalogue (queues, reports, data views) and the values they must keep.</summary>
    private readonly List<(RecordStore Store, long Id, Dictionary<string, object?> Values)> _catalogued = [];
    /// <summary>The place of each address of the record being made, by the prefix of its fields (<c>main_location[</c>…).</summary>
    private readonly Dictionary<string, Place> _places = new(StringComparer.Ordinal);
    /// <summary>Seeded dates spread up to the emulator's now (creates and updates over the last three years; due dates
    /// around it), so that "created in the last 30 days" finds records on a fresh emulator, as in a live database.</summary>
    private readonly DateTime _epoch = EmulatorDatabase.TruncateToSecond(options.TimeProvider.GetUtcNow().UtcDateTime);

    public void Seed()
    {
        var schema = database.Schema;
        SeedPicklists();
        foreach (var type in schema.Types)
        {
            var store = database.Store(type.ControllerPath);
            if (store.Count > 0)
                continue; // picklists were seeded with their fixed ids
            var catalogue = Catalogue(type);
            var count = catalogue?.Count ?? CountFor(type);
            for (var i = 0; i < count; i++)
            {
                var id = store.PeekNextId();
                var values = MakeRecord(type, i, id);
                if (catalogue is not null)
                {
                    Apply(type, values, catalogue[i]);
                    _catalogued.Add((store, id, catalogue[i]));
                }
                else if (type.Fields.Any(f => f.Name.EndsWith("_registration_plate", StringComparison.Ordinal)))
                    ShapeVehicle(type, values);
                store.Add(values);
            }
        }
        LinkForeignKeys();
        // A catalogued record keeps what the catalogue says (a data view's report), whatever the linking drew.
        foreach (var (store, id, values) in _catalogued)
            Apply(store.Type, store.Find(id)!.Values, values);
        MakeCoherent();
        // What the service does when a record is created is done for the seeded records too (a campaign's membership
        // statuses, a project's task-status picklist…), once they are linked; it draws no random numbers, so the rest
        // of the seeded data is what it was.
        foreach (var type in schema.Types.Where(TypeBehaviours.HasCreateBehaviour).DistinctBy(t => t.ControllerPath))
        {
            foreach (var record in database.Store(type.ControllerPath).Rows.ToArray())
                TypeBehaviours.AfterSeed(database, record);
        }
    }

    private int CountFor(RecordTypeDef type) => type.ControllerPath switch
    {
        "crm/people" => options.PeopleCount,
        "crm/organisations" => options.OrganisationCount,
        "upload_files" or "resource_upload_files" => 0,
        _ => options.OtherRecordCount,
    };

    private void SeedPicklists()
    {
        var picklistFields = database.Schema.Types.SelectMany(t => t.Fields)
            .Where(f => f.PicklistId is not null)
            .GroupBy(f => f.PicklistId!.Value)
            .OrderBy(g => g.Key);
        var picklists = database.TryStore("admin/picklists");
        var entries = database.TryStore("admin/picklist_entries");
        long entryId = 1;
        foreach (var group in picklistFields)
        {
            var first = group.First();
            var name = first.PicklistName ?? first.Title;
            var values = KnownPicklists.GetValueOrDefault(name.Replace(' ', '_'))
                ?? KnownPicklists.GetValueOrDefault(Leaf(first.Name))
                ?? Enumerable.Range(1, 5).Select(i => string.Create(CultureInfo.InvariantCulture, $"{first.Title} {i}")).ToArray();
            if (picklists is not null)
            {
                var values0 = RecordFactory.NewValues(picklists.Type, Past(), 2, "Workbooks");
                SetText(picklists.Type, values0, "name", name);
                SetText(picklists.Type, values0, "description", $"Values of {name}");
                values0[picklists.Type.Id.Ordinal] = (long)group.Key;
                if (picklists.Find(group.Key) is null)
                    picklists.Add(values0);
            }
            var list = new List<(long, string)>();
            for (var i = 0; i < values.Length; i++)
            {
                var id = entryId++;
                list.Add((id, values[i]));
                if (entries is null)
                    continue;
                var v = RecordFactory.NewValues(entries.Type, Past(), 2, "Workbooks");
                v[entries.Type.Id.Ordinal] = id;
                SetText(entries.Type, v, "value", values[i]);
                SetText(entries.Type, v, "name", values[i]);
                if (entries.Type.Field("picklist_id") is { } pf) v[pf.Ordinal] = (long)group.Key;
                if (entries.Type.Field("display_order") is { } df) v[df.Ordinal] = (long)(i + 1);
                if (entries.Type.Field("default_value") is { } dvf && dvf.Kind == ValueKind.Boolean) v[dvf.Ordinal] = i == 0;
                entries.Add(v);
            }
            _picklistEntries[group.Key] = list;
        }
    }

    private object?[] MakeRecord(RecordTypeDef type, int index, long id)
    {
        var created = Past();
        var values = RecordFactory.NewValues(type, created, 2 + _random.Next(2), "Seed");
        var person = (First: Pick(FirstNames), Last: Pick(LastNames));
        var company = $"{Pick(CompanyWords)} {Pick(CompanyWords)} {Pick(CompanySuffixes)}";
        var isPerson = type.ControllerPath == "crm/people";
        var isOrganisation = type.ControllerPath == "crm/organisations";
        _places.Clear();
        if (isPerson && index % 50 == 7)
            person.First = Initials[index / 50 % Initials.Length]; // "J.K. Smith": one person in fifty
        if (isPerson && index % 100 == 3)
        {
            // The cases example (notes §3.8) finds its contact as "surname Dean, telephone beginning 020": a Londoner.
            person.Last = "Dean";
            _places["main_location["] = Places.First(p => p.Town == "London");
        }
        foreach (var field in type.Fields)
        {
            if (ServiceMaintained.Contains(field.Name))
                continue;
            var value = ValueFor(type, field, index, id, person, company, isPerson, isOrganisation);
            if (value is not null || field.Kind != ValueKind.Boolean)
                values[field.Ordinal] = value ?? values[field.Ordinal];
        }
        var updated = created.AddSeconds(_random.Next(0, 60 * 60 * 24 * 90));
        if (updated > _epoch) updated = _epoch;
        if (type.Field("updated_at") is { } ua) values[ua.Ordinal] = updated;
        if (type.Field("lock_version") is { } lv) values[lv.Ordinal] = (long)_random.Next(0, 4);
        if (type.Field("created_through") is { } ct) values[ct.Ordinal] = "Seed";
        values[type.Id.Ordinal] = null;
        RecordFactory.Stamp(type, values, id);
        return values;
    }

    private object? ValueFor(RecordTypeDef type, FieldDef field, int index, long id, (string First, string Last) person, string company, bool isPerson, bool isOrganisation)
    {
        var name = field.Name;
        var leaf = Leaf(name);
        var inv = CultureInfo.InvariantCulture;
        if (field.Kind is ValueKind.Duration) return (long)(_random.Next(1, 16) * 300);
        if (field.Kind is ValueKind.Interval) return (long)(_random.Next(1, 72) * 3600);
        if (field.Kind is ValueKind.Relative) return Past();
        if (field.PicklistId is { } pid && _picklistEntries.TryGetValue(pid, out var entries) && entries.Count > 0)
        {
            var entry = entries[_random.Next(entries.Count)];
            // Addresses are in the United Kingdom (their towns, postcodes and numbers are) and amounts are in pounds.
            var preferred = leaf == "country" ? "United Kingdom" : leaf.EndsWith("currency", StringComparison.Ordinal) ? "GBP" : null;
            if (preferred is not null && entries.FirstOrDefault(e => e.Value == preferred) is { Value: not null } local)
                entry = local;
            return field.Kind == ValueKind.Integer ? entry.Id : entry.Value;
        }
        if (field.Datatype is "file_upload" or "binary") return null;

        switch (leaf)
        {
            case "name" when name == "name":
                return isPerson ? $"{person.First} {person.Last}" : isOrganisation ? company : Sentence(type, index);
            case "person_first_name" or "first_name": return person.First;
            case "person_last_name" or "last_name": return person.Last;
            case "person_middle_name": return _random.Next(4) == 0 ? Pick(FirstNames) : "";
            case "person_job_title" or "job_title": return Pick(JobTitles);
            case "person_salutation": return person.First;
            case "email" or "alternate_email" or "contact_email" or "from_address":
                return isPerson || name.StartsWith("main_location", StringComparison.Ordinal)
                    ? $"{EmailPart(person.First)}.{EmailPart(person.Last)}{id}@{Domain(company)}"
                    : $"info{id}@{Domain(company)}".ToLowerInvariant();
            case "town": return PlaceOf(name).Town;
            case "county_province_state": return PlaceOf(name).County;
            case "country": return "United Kingdom";
            case "postcode": return string.Create(inv, $"{PlaceOf(name).PostcodeArea}{_random.Next(1, PlaceOf(name).LastDistrict + 1)} {_random.Next(1, 10)}{PostcodeLetter()}{PostcodeLetter()}");
            case "street_address": return string.Create(inv, $"{_random.Next(1, 300)} {Pick(Streets)}");
            case "telephone" or "fax" or "alternate_telephone" or "contact_phone_number": return Digits(PlaceOf(name).Telephone);
            case "mobile": return Digits("07700 900###"); // Ofcom's drama range for mobiles
            case "website": return $"www.{Domain(company)}";
            case "refcode": return string.Create(inv, $"{RecordFactory.ObjectRefPrefix(type)}{id:00000}");
            case "created_through_reference": return _random.Next(3) == 0 ? string.Create(inv, $"EXT-{id}") : "";
            case "employer_name" or "organisation_name" or "member_name": return company;
            case "key": return string.Create(inv, $"sync.cursor.{id}");
            case "map_position": return "51.45400,-0.97800,found,25,OSM";
        }

        return field.Kind switch
        {
            ValueKind.Boolean => _random.Next(5) == 0,
            ValueKind.Integer when leaf.EndsWith("id", StringComparison.Ordinal) || field.Datatype == "has_one" => null, // linked later
            ValueKind.Integer when leaf.Contains("probability", StringComparison.Ordinal) => (long)(_random.Next(0, 11) * 10),
            ValueKind.Integer => (long)_random.Next(1, 500),
            ValueKind.Float => Math.Round(_random.NextDouble() * 100, 2),
            ValueKind.Decimal => Math.Round((decimal)_random.NextDouble() * 1000m, 2),
            // What happened (last_…, …_at: last_run_at, last_login_at…) is in the past; dates to come (due…) may be ahead.
            ValueKind.Date => DateOnly.FromDateTime(_epoch.AddDays(_random.Next(-900, HasHappened(leaf) ? 1 : 400))),
            ValueKind.DateTime => EmulatorDatabase.TruncateToSecond(_epoch.AddMinutes(_random.Next(-900 * 1440, HasHappened(leaf) ? 0 : 400 * 1440))),
            ValueKind.Time => new TimeOnly(_random.Next(8, 18), _random.Next(0, 4) * 15, 0),
            ValueKind.Currency => new CurrencyValue(_random.Next(100, 5_000_000) / 100m, "GBP", 0),
            _ => TextFor(type, field, index, company),
        };
    }

    private string TextFor(RecordTypeDef type, FieldDef field, int index, string company) => field.Datatype switch
    {
        "uri" => $"https://www.{Domain(company)}/{Pick(Words)}",
        "array" => field.Name.EndsWith("ids", StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"[{_random.Next(1, 200)},{_random.Next(1, 200)}]")
            : $"[{Pick(["Partner", "Competitor", "Customer"])},{Pick(["Partner", "Competitor", "Customer"])}]",
        "tag_array" => string.Join(", ", Enumerable.Range(0, _random.Next(1, 4)).Select(_ => Pick(["vip", "partner", "newsletter", "event-2026", "trial"])).Distinct()),
        "text" => $"<p>{Sentence(type, index)}. {Sentence(type, index + 1)}.</p>",
        "icon_class" => type.Raw.TryGetProperty("icon", out var icon) && icon.ValueKind == System.Text.Json.JsonValueKind.String ? icon.GetString()! : "plugin",
        "breadcrumb" => $"{type.ShortName}.{Pick(Words)}",
        _ => Capitalise($"{Pick(Words)} {Pick(Words)}"),
    };

    /// <summary>Points foreign keys at existing records and makes related attributes agree with them.</summary>
    private void LinkForeignKeys()
    {
        foreach (var type in database.Schema.Types)
        {
            var store = database.Store(type.ControllerPath);
            var links = type.Associations.Values
                .Where(a => a.ForeignKeyName is not null && a.Through is null && type.Field(a.ForeignKeyName) is { Kind: ValueKind.Integer })
                .Select(a => (Association: a, Key: type.Field(a.ForeignKeyName!)!, TypeField: type.Field(a.ForeignKeyName!.EndsWith("_id", StringComparison.Ordinal) ? a.ForeignKeyName[..^3] + "_type" : a.Name + "_type"),
                    Targets: a.ClassNames.Select(c => database.StoreOfClass(c)).Where(s => s is { Count: > 0 }).Select(s => s!).ToArray()))
                .Where(l => l.Targets.Length > 0)
                .ToArray();
            if (links.Length == 0)
                continue;
            foreach (var record in store.Rows)
            {
                foreach (var (association, key, typeField, targets) in links)
                {
                    if (association.Datatype != "belongs_to" && association.Datatype != "integer" && _random.Next(3) == 0)
                        continue;
                    var target = targets[_random.Next(targets.Length)];
                    var targetRecord = target.Rows[_random.Next(target.Rows.Count)];
                    // A picklist key the seeding already set (an entry's picklist_id, a picklist field's entry) stays:
                    // relinking it at random put entries into the wrong picklists. (The draws above are made all the
                    // same, so every other link keeps its seeded value.)
                    if (record.Values[key.Ordinal] is not null && targets.Any(t => t.Type.ControllerPath is "admin/picklists" or "admin/picklist_entries"))
                        continue;
                    record.Values[key.Ordinal] = targetRecord.Id;
                    if (typeField is not null && typeField.Kind == ValueKind.Text)
                        record.Values[typeField.Ordinal] = target.Type.ClassName;
                    var prefix = association.Name + "[";
                    foreach (var related in type.Fields)
                    {
                        if (related.Name.StartsWith(prefix, StringComparison.Ordinal) && related.Name.EndsWith(']'))
                        {
                            var inner = related.Name[prefix.Length..^1];
                            if (targetRecord.Type.Field(inner) is { } innerField && innerField.Kind == related.Kind)
                                record.Values[related.Ordinal] = targetRecord.Values[innerField.Ordinal];
                        }
                    }
                }
                if (type.Field("employer_name") is { } en && type.Associations.TryGetValue("employer", out var employer) && employer.ForeignKeyName is { } fk
                    && record[fk] is long orgId && database.StoreOfClass(employer.ClassNames[0])?.Find(orgId) is { } org)
                    record.Values[en.Ordinal] = org["name"];
            }
        }
    }

    /// <summary>
    /// The records a type is seeded with when they are configuration rather than volume: the same fixed set whatever
    /// the record counts (null for other types). Each entry holds the values the record keeps; the rest is seeded as usual.
    /// </summary>
    private List<Dictionary<string, object?>>? Catalogue(RecordTypeDef type) => type.ControllerPath switch
    {
        // my_queues at login names person queue 3 and activity queue 4: the first user's own queues.
        "activity/activity_queues" => Queues(["Sales", "Support"]),
        "crm/person_queues" => Queues(["Marketing"]),
        "crm/case_queues" => Queues(["Support", "Escalations"]),
        "admin/users" => Users(),
        "reporting/reports" => ReportCatalog.Reports.Select(r => new Dictionary<string, object?>
        {
            ["name"] = r.Name, ["report_category"] = r.Category, ["description"] = r.Description,
        }).ToList(),
        "reporting/data_views" => ReportCatalog.Views.Select(v => new Dictionary<string, object?>
        {
            ["name"] = v.Name, ["report_id"] = v.ReportId, ["sort_by"] = v.SortColumn ?? "",
            ["description"] = $"{v.Columns.Length} columns of {v.ControllerPath}", ["last_run_at"] = Past(),
        }).ToList(),
        _ => null,
    };

    /// <summary>
    /// A queue type's queues: the "Unassigned" queue (queue type <c>Unassigned</c>, the one the cases example looks up;
    /// notes §3.7 and §3.8), the shared queues of teams, then each user's own queue, named after the user as the
    /// guide's task example shows (<c>queue[name]</c> <c>System Test</c>). The schema describes queue records as
    /// "users and shared queues"; <c>User</c> and <c>Shared</c> as queue types are the emulator's names for those two.
    /// </summary>
    private List<Dictionary<string, object?>> Queues(string[] shared)
    {
        var queues = new List<Dictionary<string, object?>>
        {
            new() { ["name"] = "Unassigned", ["queue_type"] = "Unassigned", ["is_default"] = true, ["description"] = "Work nobody has taken yet" },
        };
        queues.AddRange(shared.Select(name => new Dictionary<string, object?>
        {
            ["name"] = name, ["queue_type"] = "Shared", ["is_default"] = false, ["description"] = $"Shared by the {name} team",
        }));
        queues.AddRange(options.Users.Select(u => u.PersonName).Distinct(StringComparer.Ordinal).Select(name => new Dictionary<string, object?>
        {
            ["name"] = name, ["queue_type"] = "User", ["is_default"] = false, ["description"] = $"{name}'s own queue",
        }));
        return queues;
    }

    /// <summary>
    /// The users of the database: each user who can log in (<see cref="WorkbooksEmulatorOptions.Users"/>) at the id the
    /// login reports and records carry in <c>created_by</c>/<c>updated_by</c>, so that <c>created_by_user[person_name]</c>
    /// names them; the ids between and around them are colleagues who do not log in to the API, and user 1 is the
    /// service's own (imports and processes run as it).
    /// </summary>
    private List<Dictionary<string, object?>> Users()
    {
        string[] colleagues = ["Sam Sales", "Priya Patel", "Tom Okafor", "Grace Hopper"];
        var count = Math.Max(options.Users.Count == 0 ? 0 : options.Users.Max(u => u.UserId), 1 + colleagues.Length);
        var users = new List<Dictionary<string, object?>>();
        var next = 0;
        for (var id = 1; id <= count; id++)
        {
            var login = options.Users.FirstOrDefault(u => u.UserId == id);
            var name = id == 1 ? "System" : login?.PersonName ?? colleagues[next++ % colleagues.Length];
            var loginName = login?.Username ?? (id == 1 ? "system@sample.example" : name.Split(' ')[0].ToLowerInvariant() + "@sample.example");
            users.Add(new Dictionary<string, object?>
            {
                ["name"] = name, ["person_name"] = name, ["login_name"] = loginName, ["email"] = loginName, ["is_enabled"] = true,
            });
        }
        return users;
    }

    /// <summary>Sets the given values on a record's fields, where the type has the field and the value fits its kind.</summary>
    private static void Apply(RecordTypeDef type, object?[] values, Dictionary<string, object?> set)
    {
        foreach (var (name, value) in set)
        {
            if (type.Field(name) is not { } field) continue;
            var fits = (field.Kind, value) switch
            {
                (_, null) => true,
                (ValueKind.Text, string) or (ValueKind.Integer, long) or (ValueKind.Boolean, bool) or (ValueKind.DateTime, DateTime)
                    or (ValueKind.Date, DateOnly) or (ValueKind.Decimal, decimal) => true,
                _ => false,
            };
            if (fits)
                values[field.Ordinal] = value;
        }
    }

    /// <summary>
    /// Once records are linked, the values that depend on a linked record agree with it: a record's queue name is its
    /// queue's, a case's contact details are its contact's and its state follows its status.
    /// </summary>
    private void MakeCoherent()
    {
        foreach (var type in database.Schema.Types)
        {
            var store = database.Store(type.ControllerPath);
            var queueName = type.Field("assigned_to_name") is { Kind: ValueKind.Text } an
                && type.Associations.TryGetValue("queue", out var queue) && queue.ForeignKeyName is { } queueKey
                && database.StoreOfClass(queue.ClassNames[0]) is { } queues
                ? (Field: an, Key: queueKey, Queues: queues) : default;
            var isCase = type.ControllerPath == "crm/cases";
            if (queueName.Field is null && !isCase)
                continue;
            var people = database.TryStore("crm/people");
            foreach (var record in store.Rows)
            {
                if (queueName.Field is not null)
                    record.Values[queueName.Field.Ordinal] = record[queueName.Key] is long q ? queueName.Queues.Find(q)?["name"] : null;
                if (!isCase)
                    continue;
                if (record["contact_person_id"] is long personId && people?.Find(personId) is { } contact)
                {
                    Copy(record, "contact_email", contact, "main_location[email]");
                    Copy(record, "contact_phone_number", contact, "main_location[telephone]");
                }
                if (type.Field("record_state") is { Kind: ValueKind.Text } state && type.Field("case_status_id") is { PicklistId: { } statuses } status)
                {
                    var value = _picklistEntries.GetValueOrDefault(statuses)?.FirstOrDefault(e => Equals(e.Id, record.Values[status.Ordinal]) || Equals(e.Value, record.Values[status.Ordinal])).Value;
                    record.Values[state.Ordinal] = value is null ? "open" : ClosedCaseStatuses.Contains(value) ? "closed" : "open";
                }
            }
        }
    }

    private static void Copy(Record to, string toField, Record from, string fromField)
    {
        if (to.Type.Field(toField) is { } t && from.Type.Field(fromField) is { } f && t.Kind == f.Kind)
            to.Values[t.Ordinal] = from.Values[f.Ordinal];
    }

    /// <summary>
    /// A company vehicle whose fields agree (the notes' <c>Private::CustomRecord::Vehicle</c>, §3.16): a current-style
    /// number plate whose age identifier is its registration date's ("21" from March 2021, "71" from September), the
    /// model's fuel and engine size, mileage for its age, a service in the last year and a tracker fitted since it was
    /// registered. Fields are found by what their names end with (<c>cf_vehicle_registration_plate</c>…).
    /// </summary>
    private void ShapeVehicle(RecordTypeDef type, object?[] values)
    {
        var (model, fuel, engineSize) = VehicleModels[_random.Next(VehicleModels.Length)];
        var registered = DateOnly.FromDateTime(_epoch.AddDays(-_random.Next(30, 8 * 365)));
        var age = registered.Month >= 9 ? registered.Year % 100 + 50 : registered.Month >= 3 ? registered.Year % 100 : (registered.Year - 1) % 100 + 50;
        const string plateLetters = "ABCDEFGHJKLMNOPRSTUVWXY"; // no I, Q or Z
        var plate = string.Create(CultureInfo.InvariantCulture, $"{Pick(MemoryTags)}{age:00} {plateLetters[_random.Next(plateLetters.Length)]}{plateLetters[_random.Next(plateLetters.Length)]}{plateLetters[_random.Next(plateLetters.Length)]}");
        var today = DateOnly.FromDateTime(_epoch);
        var days = today.DayNumber - registered.DayNumber;
        var lastService = today.AddDays(-_random.Next(0, Math.Min(days, 365) + 1));
        var tracker = EmulatorDatabase.TruncateToSecond(registered.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddMinutes(_random.Next(0, days * 1440)));
        var mileage = (long)Math.Round(days / 365.25 * _random.Next(6_000, 14_000) / 10) * 10;
        var poolCar = _random.Next(4) == 0;
        foreach (var field in type.Fields)
        {
            object? value = field.Name switch
            {
                "name" => $"{model} {plate}",
                _ when field.Name.EndsWith("_registration_plate", StringComparison.Ordinal) => plate,
                _ when field.Name.EndsWith("_fuel_type", StringComparison.Ordinal) => PicklistValue(field, fuel),
                _ when field.Name.EndsWith("_engine_size", StringComparison.Ordinal) => field.Kind == ValueKind.Float ? (double)engineSize : engineSize,
                _ when field.Name.EndsWith("_mileage", StringComparison.Ordinal) => mileage,
                _ when field.Name.EndsWith("_last_service_date", StringComparison.Ordinal) => lastService,
                _ when field.Name.EndsWith("_tracker_installed_at", StringComparison.Ordinal) => tracker,
                _ when field.Name.EndsWith("_is_pool_car", StringComparison.Ordinal) => poolCar,
                _ => Keep,
            };
            if (!ReferenceEquals(value, Keep))
                Apply(type, values, new Dictionary<string, object?> { [field.Name] = value });
        }
    }

    private static readonly object Keep = new();

    /// <summary>The stored value of a picklist field for an entry's text: the entry's id or its value, as the field keeps it.</summary>
    private object? PicklistValue(FieldDef field, string text)
    {
        if (field.PicklistId is not { } pid || !_picklistEntries.TryGetValue(pid, out var entries))
            return field.Kind == ValueKind.Text ? text : null;
        var entry = entries.FirstOrDefault(e => e.Value == text);
        return entry.Value is null ? null : field.Kind == ValueKind.Integer ? entry.Id : entry.Value;
    }

    /// <summary>The place of the address a field belongs to (its prefix: <c>main_location[</c>, <c>home_location[</c>…), drawn once per record.</summary>
    private Place PlaceOf(string fieldName)
    {
        var prefix = fieldName[..(fieldName.LastIndexOf('[') + 1)];
        if (!_places.TryGetValue(prefix, out var place))
            _places[prefix] = place = Places[_random.Next(Places.Length)];
        return place;
    }

    private string Digits(string pattern) =>
        string.Create(pattern.Length, (pattern, _random), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
                span[i] = state.pattern[i] == '#' ? (char)('0' + state._random.Next(10)) : state.pattern[i];
        });

    private char PostcodeLetter() => "ABDEFGHJLNPQRSTUWXYZ"[_random.Next(20)]; // the letters a postcode's inward code uses

    /// <summary>A name as the local part of an e-mail address: letters and digits, lower case ("J.K." gives "jk").</summary>
    private static string EmailPart(string name) => new(name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).ToArray());

    /// <summary>Whether a date field records something that has happened (<c>last_run_at</c>, <c>last_login_at</c>).</summary>
    private static bool HasHappened(string leaf) =>
        leaf.StartsWith("last_", StringComparison.Ordinal) || leaf.EndsWith("_at", StringComparison.Ordinal);

    private sealed record Place(string Town, string County, string PostcodeArea, int LastDistrict, string Telephone);

    private DateTime Past() => EmulatorDatabase.TruncateToSecond(_epoch.AddSeconds(-_random.Next(0, 60 * 60 * 24 * 365 * 3)));

    private string Pick(string[] values) => values[_random.Next(values.Length)];

    private string Sentence(RecordTypeDef type, int index) =>
        Capitalise(string.Create(CultureInfo.InvariantCulture, $"{Pick(Words)} {Pick(Words)} {type.HumanName.ToLowerInvariant()} {index + 1}"));

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string Domain(string company) =>
        new string(company.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(18).ToArray()) + ".example";

    internal static string Leaf(string name)
    {
        var open = name.LastIndexOf('[');
        return open < 0 ? name : name[(open + 1)..].TrimEnd(']');
    }

    private static void SetText(RecordTypeDef type, object?[] values, string field, string text)
    {
        if (type.Field(field) is { Kind: ValueKind.Text } f)
            values[f.Ordinal] = text;
    }
}
