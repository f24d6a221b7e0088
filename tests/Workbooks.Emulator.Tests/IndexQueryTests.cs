using System.Globalization;
using System.Net;
using Workbooks.Emulator.Tests.TestSupport;
using static Workbooks.Emulator.Tests.TestSupport.Filters;

namespace Workbooks.Emulator.Tests;

public sealed class IndexQueryTests : IClassFixture<SharedEmulator>, IDisposable
{
    private readonly WorkbooksEmulator _emu;
    private readonly Wire _wire;

    public IndexQueryTests(SharedEmulator shared)
    {
        _emu = shared.Emulator;
        _wire = new Wire(_emu);
        _wire.LoginAsync(("api_key", _emu.ApiKey)).GetAwaiter().GetResult();
    }

    public void Dispose() => _wire.Dispose();

    private Task<WireResponse> People(params (string, string)[] parameters) => _wire.GetAsync("crm/people.api", parameters);

    /// <summary>Every person, straight from the store, in wire form: the oracle the queries are checked against.</summary>
    private List<IReadOnlyDictionary<string, string?>> AllPeople() =>
        _emu.DefaultDatabase.Ids("crm/people").Select(id => _emu.DefaultDatabase.Get("crm/people", id)!).ToList();

    [Fact]
    public async Task TheGuidesBooleanFilterExampleMatchesExactlyTheRecordsItDescribes()
    {
        // curl … -d '_ff[]=main_location[email]' -d '_ft[]=bg' -d '_fc[]=an' … -d '_fm=(1 OR 2) AND 3' crm/people.api
        var response = await People([("_start", "0"), ("_limit", "1000"), ("_sort", "id"), ("_dir", "ASC"),
            .. Where(("main_location[email]", "bg", "a"), ("refcode", "ct", "1"), ("person_last_name", "bg", "go")), ("_fm", "(1 OR 2) AND 3")]);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var expected = AllPeople()
            .Where(p => ((p["main_location[email]"] ?? "").StartsWith("a", StringComparison.OrdinalIgnoreCase) || (p["refcode"] ?? "").Contains('1'))
                        && (p["person_last_name"] ?? "").StartsWith("go", StringComparison.OrdinalIgnoreCase))
            .Select(p => long.Parse(p["id"]!, CultureInfo.InvariantCulture)).ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, response.Ids);
        Assert.Equal(expected.Length, response.Total);
    }

    [Fact]
    public async Task OrModeSelectsEitherId()
    {
        var response = await _wire.GetAsync("activity/tasks.api", [.. Where(("id", "eq", "1"), ("id", "eq", "2")), ("_fm", "or"), ("_sort", "id"), ("_dir", "ASC")]);
        Assert.Equal([1L, 2L], response.Ids);
    }

    [Theory]
    [InlineData("NOT 1 AND 2")]
    [InlineData("!1 AND 2")]
    [InlineData("(1 XOR 2)")]
    public async Task BooleanOperatorsFollowTheirTruthTables(string expression)
    {
        var response = await People([.. Page(0, 1000), .. Where(("person_last_name", "bg", "G"), ("no_email_soliciting", "true", "")), ("_fm", expression), .. Select("person_last_name", "no_email_soliciting")]);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.NotEmpty(response.Data);
        foreach (var row in response.Data)
        {
            var a = row.GetProperty("person_last_name").GetString()!.StartsWith('G');
            var b = row.GetProperty("no_email_soliciting").GetBoolean();
            Assert.True(expression.Contains("XOR", StringComparison.Ordinal) ? a ^ b : !a && b, row.ToString());
        }
    }

    [Fact]
    public async Task CommaListsMeanInAndEscapedCommasAreLiteral()
    {
        var inList = await People([.. Where(("id", "eq", "1,3,5")), ("_sort", "id")]);
        Assert.Equal([1L, 3L, 5L], inList.Ids);

        var id = _emu.DefaultDatabase.Insert("crm/organisations", new Dictionary<string, string?> { ["name"] = "Freedom, Light & Co" });
        var escaped = await _wire.GetAsync("crm/organisations.api", Where(("name", "eq", "Freedom\\, Light & Co")));
        Assert.Equal([id], escaped.Ids);
    }

    [Theory]
    [InlineData("bg", "nbg", "G")]
    [InlineData("ct", "nct", "o")]
    [InlineData("eq", "ne", "Smith")]
    [InlineData("blank", "not_blank", "")]
    public async Task StringOperatorAndItsNegationPartitionTheRecords(string op, string negation, string criteria)
    {
        // The seed gives everyone a last name: for "blank" to match someone, one person without is added (and deleted after).
        long? added = op == "blank" ? _emu.DefaultDatabase.Insert("crm/people", new Dictionary<string, string?> { ["name"] = "No Surname" }) : null;
        try
        {
            var all = (await People(Page(0, 0))).Total;
            var yes = await People([.. Page(0, 1000), .. Where(("person_last_name", op, criteria)), .. Select("person_last_name")]);
            var no = await People([.. Page(0, 0), .. Where(("person_last_name", negation, criteria))]);
            Assert.Equal(all, yes.Total + no.Total);
            Assert.NotEmpty(yes.Data); // else the checks below check nothing
            foreach (var row in yes.Data)
            {
                var value = row.GetProperty("person_last_name").GetString() ?? "";
                Assert.True(op switch
                {
                    "bg" => value.StartsWith(criteria, StringComparison.OrdinalIgnoreCase),
                    "ct" => value.Contains(criteria, StringComparison.OrdinalIgnoreCase),
                    "eq" => value.Equals(criteria, StringComparison.OrdinalIgnoreCase),
                    _ => value.Length == 0,
                }, value);
            }
        }
        finally
        {
            if (added is { } id)
                _emu.DefaultDatabase.Delete("crm/people", id);
        }
    }

    [Theory]
    [InlineData("gt", 100)]
    [InlineData("ge", 100)]
    [InlineData("lt", 100)]
    [InlineData("le", 100)]
    public async Task IntegerComparisonsAreNumeric(string op, int bound)
    {
        var response = await _wire.GetAsync("crm/organisations.api", [.. Page(0, 1000), .. Where(("organisation_num_employees", op, bound.ToString(CultureInfo.InvariantCulture))), .. Select("organisation_num_employees")]);
        Assert.NotEmpty(response.Data);
        foreach (var row in response.Data)
        {
            var v = row.GetProperty("organisation_num_employees").GetInt32();
            Assert.True(op switch { "gt" => v > bound, "ge" => v >= bound, "lt" => v < bound, _ => v <= bound }, v.ToString(CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task CurrencyAndDateComparisonsUseTheirValues()
    {
        var rich = await _wire.GetAsync("crm/organisations.api", [.. Page(0, 1000), .. Where(("organisation_annual_revenue", "gt", "25000 GBP")), .. Select("organisation_annual_revenue")]);
        Assert.NotEmpty(rich.Data);
        Assert.All(rich.Data, r => Assert.True(decimal.Parse(r.GetProperty("organisation_annual_revenue").GetString()!.Split(' ')[0], CultureInfo.InvariantCulture) > 25000m));

        var recent = await People([.. Page(0, 1000), .. Where(("updated_at", "gt", "Fri Sept 7 14:00:00 UTC 2025")), .. Select("updated_at")]);
        Assert.NotEmpty(recent.Data);
        Assert.All(recent.Data, r => Assert.True(DateTime.ParseExact(r.GetProperty("updated_at").GetString()!, "ddd MMM dd HH:mm:ss 'UTC' yyyy", CultureInfo.InvariantCulture) > new DateTime(2025, 9, 7, 14, 0, 0)));
    }

    [Fact]
    public async Task BooleanFiltersAcceptTrueFalseAndZeroOne()
    {
        var all = (await People(Page(0, 0))).Total;
        var trueCount = (await People([.. Page(0, 0), .. Where(("no_email_soliciting", "true", ""))])).Total;
        var falseCount = (await People([.. Page(0, 0), .. Where(("no_email_soliciting", "false", ""))])).Total;
        var eqOne = (await People([.. Page(0, 0), .. Where(("no_email_soliciting", "eq", "1"))])).Total;
        Assert.Equal(all, trueCount + falseCount);
        Assert.Equal(trueCount, eqOne);
        Assert.InRange(trueCount, 1, all - 1);
    }

    [Fact]
    public async Task AnOperatorThatDoesNotApplyToTheDatatypeIsRejected()
    {
        var response = await People(Where(("id", "bg", "1")));
        Assert.Equal(HttpStatusCode.NotAcceptable, response.Status);
        Assert.False(response.Json.GetProperty("success").GetBoolean());
        Assert.Contains("bg", response.Json.GetProperty("flash").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANonFilterableFieldCannotBeFiltered()
    {
        var response = await People(Where(("biography", "ct", "x")));
        Assert.Equal(HttpStatusCode.NotAcceptable, response.Status);
        Assert.Contains("not filterable", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssociationPathsFilterAndSelectThroughTheForeignKey()
    {
        var response = await People([.. Page(0, 50), .. Where(("employer[name]", "ct", "Ltd")), .. Select("employer_link", "employer[name]", "employer_name")]);
        Assert.NotEmpty(response.Data);
        foreach (var row in response.Data)
        {
            var employer = _emu.DefaultDatabase.Get("crm/organisations", row.GetProperty("employer_link").GetInt64())!;
            Assert.Equal(employer["name"], row.GetProperty("employer[name]").GetString());
            Assert.Contains("Ltd", employer["name"], StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task SortingUsesArraysAndDirections()
    {
        var response = await People([.. Page(0, 200), ("_sort[]", "person_last_name"), ("_dir[]", "DESC"), ("_sort[]", "id"), ("_dir[]", "ASC"), .. Select("person_last_name")]);
        var rows = response.Data.Select(r => (Name: r.GetProperty("person_last_name").GetString()!, Id: r.GetProperty("id").GetInt64())).ToArray();
        var expected = rows.OrderByDescending(r => r.Name, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.Id).ToArray();
        Assert.Equal(expected, rows);

        var desc = await People([.. Page(0, 5), ("_sort", "id"), ("_dir", "DESC")]);
        Assert.Equal(desc.Ids.OrderByDescending(i => i), desc.Ids);
        Assert.Equal(_emu.DefaultDatabase.Ids("crm/people").Max(), desc.Ids[0]);
    }

    [Fact]
    public async Task StartAndLimitPageTheResultsAndLimitIsIgnoredWithoutStart()
    {
        var first = await People([.. Page(0, 10), ("_sort", "id")]);
        var second = await People([.. Page(10, 10), ("_sort", "id")]);
        Assert.Equal(10, first.Data.Length);
        Assert.Empty(first.Ids.Intersect(second.Ids));
        Assert.True(first.Ids.Max() < second.Ids.Min());

        var limitOnly = await People(("_limit", "5"));
        Assert.Equal(100, limitOnly.Data.Length);
    }

    [Theory]
    [InlineData("__skip_total_rows")]
    [InlineData("_skip_total_rows")]
    public async Task SkippingTotalRowsReportsTheRowsReturned(string parameter)
    {
        var counted = await People(Page(0, 7));
        Assert.True(counted.Total > 7);
        var skipped = await People([.. Page(0, 7), (parameter, "true")]);
        Assert.Equal(7, skipped.Total);
    }

    [Fact]
    public async Task SelectColumnsReturnsThoseColumnsAndTheId()
    {
        var response = await People([.. Page(0, 3), .. Select("lock_version", "name", "updated_by_user[person_name]")]);
        foreach (var row in response.Data)
            Assert.Equal(["id", "lock_version", "name", "updated_by_user[person_name]"], row.EnumerateObject().Select(p => p.Name).ToArray());

        var full = await People(Page(0, 1));
        var keys = full.Data[0].EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Contains("_can_modify", keys);
        Assert.Contains("main_location[email]", keys);
    }

    [Fact]
    public async Task DeletedRecordsAppearOnlyWhenIsDeletedIsFiltered()
    {
        var id = _emu.DefaultDatabase.Insert("crm/people", new Dictionary<string, string?> { ["name"] = "Soon Gone", ["person_last_name"] = "Gone" });
        Assert.True(_emu.DefaultDatabase.Delete("crm/people", id));

        var hidden = await People(Where(("id", "eq", id.ToString(CultureInfo.InvariantCulture))));
        Assert.Empty(hidden.Data);

        // The guide's "deleted since" example.
        var deleted = await People([.. Where(("is_deleted", "eq", "1"), ("updated_at", "gt", "Fri Sept 7 14:00:00 UTC 2012")), ("_sort", "id"), ("_dir", "ASC")]);
        Assert.Contains(id, deleted.Ids);
        Assert.All(deleted.Data, r => Assert.True(r.GetProperty("is_deleted").GetBoolean()));

        // (is_deleted = 1 OR is_deleted = 0) AND updated_at > … : the delta that includes deletions.
        var delta = await People([.. Page(0, 1000), .. Where(("is_deleted", "eq", "1"), ("is_deleted", "eq", "0"), ("updated_at", "ge", DateTime.UtcNow.AddMinutes(-5).ToString("ddd MMM dd HH:mm:ss 'UTC' yyyy", CultureInfo.InvariantCulture))), ("_fm", "(1 OR 2) AND 3")]);
        Assert.Contains(id, delta.Ids);
    }

    [Fact]
    public async Task FilterJsonMeansTheSameAsTheFilterArrays()
    {
        var arrays = await People([.. Page(0, 1000), .. Where(("person_last_name", "bg", "W"), ("main_location[town]", "eq", "Reading"))]);
        var json = await People([.. Page(0, 1000), ("_filter_json", "[[\"person_last_name\",\"bg\",\"W\"],[\"main_location[town]\",\"eq\",\"Reading\"]]")]);
        Assert.NotEmpty(arrays.Ids);
        Assert.Equal(arrays.Ids, json.Ids);
    }

    [Fact]
    public async Task FilterJsonWithSingleQuotedStringsAsThePhpBindingWritesItMeansTheSame()
    {
        // The vendor's upload example: [['id', 'eq', '3'], ['id', 'eq', '5']] with _fm=OR.
        var json = await People([.. Page(0, 1000), ("_filter_json", "[['id', 'eq', '3'], ['id', 'eq', '5']]"), ("_fm", "OR")]);
        var quoted = await People([.. Page(0, 1000), ("_filter_json", "[['person_last_name', 'bg', 'O\\'B'], [\"id\", \"eq\", \"7\"]]"), ("_fm", "OR")]);
        Assert.Equal([3L, 5L], json.Ids);
        Assert.Contains(7L, quoted.Ids); // double-quoted strings still read, and an escaped quote inside single quotes
    }

    [Fact]
    public async Task ParametersMayTravelInTheQueryStringTheBodyOrAPostWithMethodGet()
    {
        var query = await _wire.GetRawAsync("crm/people.api?_start=0&_limit=3&_sort=id&_ff[]=id&_ft[]=gt&_fc[]=10");
        var post = await _wire.SendAsync(HttpMethod.Post, "crm/people.api", [("_method", "GET"), .. Page(0, 3), ("_sort", "id"), .. Where(("id", "gt", "10"))]);
        Assert.Equal([11L, 12L, 13L], query.Ids);
        Assert.Equal(query.Ids, post.Ids);
    }

    [Fact]
    public async Task DatesUseTheDocumentedDefaultFormatsWithTheLeadingSpaceDay()
    {
        var response = await _wire.GetAsync("activity/tasks.api", [.. Page(0, 100), .. Select("due_date", "updated_at", "reminder_datetime")]);
        var dates = response.Data.Select(r => r.GetProperty("due_date").GetString()).Where(d => d is not null).ToArray();
        Assert.All(dates, d => Assert.Matches("^[ 123]\\d [A-Z][a-z]{2} \\d{4}$", d));
        Assert.Contains(dates, d => d![0] == ' ');
        Assert.All(response.Data, r => Assert.Matches("^[A-Z][a-z]{2} [A-Z][a-z]{2} \\d{2} \\d{2}:\\d{2}:\\d{2} UTC \\d{4}$", r.GetProperty("updated_at").GetString()));
    }

    [Fact]
    public async Task OutputFormatsCanBeChangedPerRequest()
    {
        var response = await _wire.GetAsync("activity/tasks.api", [.. Page(0, 5), .. Select("due_date", "updated_at"),
            ("_json_output_date_format", "%Y-%m-%d"), ("_json_output_datetime_format", "%s")]);
        Assert.All(response.Data, r =>
        {
            if (r.GetProperty("due_date").GetString() is { } d) Assert.Matches("^\\d{4}-\\d{2}-\\d{2}$", d);
            Assert.Equal(System.Text.Json.JsonValueKind.Number, r.GetProperty("updated_at").ValueKind);
        });
    }

    [Fact]
    public async Task PlainFieldParametersFilterLikeThePicklistEntriesExample()
    {
        var picklistIds = (await _wire.GetAsync("admin/picklist_entries.api", [.. Page(0, 500), .. Select("picklist_id")]))
            .Data.Select(r => r.GetProperty("picklist_id").GetInt64()).Distinct().Take(2).ToArray();
        var both = await _wire.GetAsync("admin/picklist_entries.api", [.. Page(0, 500), ("picklist_id", string.Join(',', picklistIds)), .. Select("picklist_id")]);
        Assert.Equal(picklistIds.Order(), both.Data.Select(r => r.GetProperty("picklist_id").GetInt64()).Distinct().Order());
    }
}
