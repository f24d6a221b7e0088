using System.Text.Json;

namespace Workbooks.Runtime.Tests.Wire;

public class RecordValuesTests
{
    private static WorkbooksRecord Record(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var record = new WorkbooksRecord();
        foreach (var p in doc.RootElement.EnumerateObject())
            record.SetRaw(p.Name, p.Value.Clone());
        return record;
    }

    [Fact]
    public void TypedGettersParseWhatTheServiceSends()
    {
        var r = Record("""
            {"id": 7, "name": "Acme", "employees": 42, "big": "12", "ratio": 0.25, "price": "12.50",
             "is_deleted": false, "watched": "1", "due_date": " 2 May 2010",
             "updated_at": "Fri May 15 14:36:54 UTC 2009", "created_at": 1242398214,
             "meeting_time": "21:30:00", "amount": "75.00 GBP 0",
             "roles": "[Partner, Competitor]", "ids": [1, 2], "tags": "vip, north", "nothing": null, "blank": ""}
            """);
        Assert.Equal("Acme", r.GetString("name"));
        Assert.Equal("42", r.GetString("employees"));
        Assert.Equal(42, r.GetInt32("employees"));
        Assert.Equal(12L, r.GetInt64("big"));
        Assert.Equal(0.25, r.GetDouble("ratio"));
        Assert.Equal(12.50m, r.GetDecimal("price"));
        Assert.False(r.GetBoolean("is_deleted"));
        Assert.True(r.GetBoolean("watched"));
        Assert.Equal(new DateOnly(2010, 5, 2), r.GetDate("due_date"));
        Assert.Equal(new DateTimeOffset(2009, 5, 15, 14, 36, 54, TimeSpan.Zero), r.GetDateTime("updated_at"));
        Assert.Equal(new DateTimeOffset(2009, 5, 15, 14, 36, 54, TimeSpan.Zero), r.GetDateTime("created_at"));
        Assert.Equal(new TimeOnly(21, 30), r.GetTime("meeting_time"));
        Assert.Equal(new WorkbooksCurrency(75.00m, "GBP"), r.GetCurrency("amount"));
        Assert.Equal(["Partner", "Competitor"], r.GetArray("roles"));
        Assert.Equal(["1", "2"], r.GetArray("ids"));
        Assert.Equal(["vip", "north"], r.GetTags("tags"));
    }

    [Fact]
    public void TypedGettersReturnNullForAbsentNullAndBlankFields()
    {
        var r = Record("""{"nothing": null, "blank": ""}""");
        Assert.Null(r.GetString("missing"));
        Assert.Null(r.GetString("nothing"));
        Assert.Null(r.GetInt64("nothing"));
        Assert.Null(r.GetInt64("blank"));
        Assert.Null(r.GetDate("blank"));
        Assert.Null(r.GetDateTime("missing"));
        Assert.Null(r.GetCurrency("blank"));
        Assert.Null(r.GetBoolean("blank"));
        Assert.Null(r.GetArray("nothing"));
        Assert.Empty(r.GetTags("blank")!);
    }

    [Fact]
    public void AValueThatDoesNotParseThrowsAProtocolExceptionNamingFieldAndText()
    {
        var r = Record("""{"due_date": "someday", "size": "big", "big": 3000000000}""");
        var ex = Assert.Throws<WorkbooksProtocolException>(() => r.GetDate("due_date"));
        Assert.Contains("due_date", ex.Message);
        Assert.Contains("someday", ex.Message);
        Assert.Throws<WorkbooksProtocolException>(() => r.GetInt64("size"));
        Assert.Throws<WorkbooksProtocolException>(() => r.GetInt32("big"));
        Assert.Throws<WorkbooksProtocolException>(() => r.GetBoolean("size"));
    }

    [Fact]
    public void SettersRecordWireTextAndGettersReadThePendingChange()
    {
        var r = Record("""{"name": "Old", "size": 1}""");
        r.Set("name", "New");
        r.Set("size", 400L);
        r.Set("price", 1.50m);
        r.Set("ratio", 0.5);
        r.Set("active", true);
        r.Set("due_date", new DateOnly(2010, 5, 2));
        r.Set("updated_at", new DateTimeOffset(2009, 5, 15, 15, 36, 54, TimeSpan.FromHours(1)));
        r.Set("at", new TimeOnly(9, 0));
        r.Set("amount", (WorkbooksCurrency?)new WorkbooksCurrency(10m, "GBP"));
        r.SetArray("roles", ["a", "b"]);
        r.SetArray("ids", new long[] { 1, 2 });
        r.SetTags("tags", ["x", "y"]);

        Assert.True(r.TryGetChange("due_date", out var due));
        Assert.Equal(" 2 May 2010", due.Text);
        Assert.True(r.TryGetChange("active", out var active));
        Assert.Equal("1", active.Text);
        Assert.True(r.TryGetChange("updated_at", out var updated));
        Assert.Equal("Fri May 15 14:36:54 UTC 2009", updated.Text);
        Assert.True(r.TryGetChange("amount", out var amount));
        Assert.Equal("10 GBP 0", amount.Text);
        Assert.True(r.TryGetChange("ids", out var ids));
        Assert.Equal("[1,2]", ids.Text);

        Assert.Equal("New", r.GetString("name"));
        Assert.Equal(400L, r.GetInt64("size"));
        Assert.Equal(1.50m, r.GetDecimal("price"));
        Assert.Equal(0.5, r.GetDouble("ratio"));
        Assert.True(r.GetBoolean("active"));
        Assert.Equal(new DateOnly(2010, 5, 2), r.GetDate("due_date"));
        Assert.Equal(new DateTimeOffset(2009, 5, 15, 14, 36, 54, TimeSpan.Zero), r.GetDateTime("updated_at"));
        Assert.Equal(new TimeOnly(9, 0), r.GetTime("at"));
        Assert.Equal(new WorkbooksCurrency(10m, "GBP"), r.GetCurrency("amount"));
        Assert.Equal(["a", "b"], r.GetArray("roles"));
        Assert.Equal(["x", "y"], r.GetTags("tags"));
    }

    [Fact]
    public void SettingNullRecordsAClearAndGettersThenReturnNull()
    {
        var r = Record("""{"name": "Old", "size": 1}""");
        r.Set("name", (string?)null);
        r.Set("size", (long?)null);
        r.SetNull("due_date");
        Assert.True(r.TryGetChange("name", out var name));
        Assert.True(name.IsNull);
        Assert.True(r.TryGetChange("due_date", out var due));
        Assert.True(due.IsNull);
        Assert.Null(r.GetString("name"));
        Assert.Null(r.GetInt64("size"));
    }

    [Fact]
    public void SettersRejectUnrepresentableValuesAndReservedFields()
    {
        var r = new WorkbooksRecord();
        Assert.Throws<ArgumentException>(() => r.SetArray("roles", ["a,b"]));
        Assert.Throws<ArgumentException>(() => r.Set("ratio", double.NaN));
        Assert.Throws<ArgumentException>(() => r.Set("id", 5L));
        Assert.Empty(r.ChangedFields);
    }
}
