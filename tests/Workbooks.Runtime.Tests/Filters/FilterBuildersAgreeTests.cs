namespace Workbooks.Runtime.Tests.Filters;

/// <summary>
/// The untyped builder (<see cref="WorkbooksFilter.Field"/>) and the typed field members share one criteria formatter
/// and one set of rules: the same condition built either way goes on the wire identically.
/// </summary>
public sealed class FilterBuildersAgreeTests
{
    private static FieldPath Root => FieldPath.Root;

    private static (string Field, string Type, string Criteria) Wire(WorkbooksFilter filter)
    {
        var condition = Assert.IsType<FilterCondition>(filter);
        return (condition.FieldName, condition.Operator.ToWire(), condition.Criteria);
    }

    public static TheoryData<string, WorkbooksFilter, WorkbooksFilter> Pairs()
    {
        var at = new DateTimeOffset(2012, 9, 7, 14, 0, 0, TimeSpan.FromHours(2));
        var day = new DateOnly(2010, 5, 2);
        var name = new StringField("name");
        var size = new NumberField<long>("size");
        var amount = new NumberField<decimal>("amount");
        var flag = new BooleanField("flag");
        var due = new DateField("due");
        var updated = new DateTimeField("updated_at");
        return new()
        {
            { "text equal, comma escaped", name == "a,b", WorkbooksFilter.Field("name").Equal("a,b") },
            { "text not equal", name != "a,b", WorkbooksFilter.Field("name").NotEqual("a,b") },
            { "text in", name.In("x", "y,z"), WorkbooksFilter.Field("name").In("x", "y,z") },
            { "begins", name.StartsWith("G"), WorkbooksFilter.Field("name").StartsWith("G") },
            { "number equal", size == 42, WorkbooksFilter.Field("size").Equal(42) },
            { "number greater", size > -7, WorkbooksFilter.Field("size").GreaterThan(-7) },
            { "number in", size.In(1, 2, 3), WorkbooksFilter.Field("size").In(1L, 2L, 3L) },
            { "decimal", amount <= 12.50m, WorkbooksFilter.Field("amount").LessThanOrEqual(12.50m) },
            { "boolean", flag == true, WorkbooksFilter.Field("flag").IsTrue() },
            { "date on", due == day, WorkbooksFilter.Field("due").Equal(day) },
            { "date after", due > day, WorkbooksFilter.Field("due").GreaterThan(day) },
            { "date on or before", due <= day, WorkbooksFilter.Field("due").LessThanOrEqual(day) },
            { "date-time at or after", updated >= at, WorkbooksFilter.Field("updated_at").GreaterThanOrEqual(at) },
            { "date-time before", updated < at, WorkbooksFilter.Field("updated_at").LessThan(at) },
            { "date-time at", updated == at, WorkbooksFilter.Field("updated_at").At(at) },
            { "blank", name == null, WorkbooksFilter.Field("name").IsBlank() },
        };
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void TypedAndUntypedBuildersSendTheSameCondition(string why, WorkbooksFilter typed, WorkbooksFilter untyped)
    {
        Assert.False(string.IsNullOrEmpty(why));
        Assert.Equal(Wire(untyped), Wire(typed));
    }

    [Fact]
    public void DateTimeComparisonsAreSentInUtc()
    {
        var updated = new DateTimeField("updated_at");
        Assert.Equal(("updated_at", "ge", "Fri Sep 07 12:00:00 UTC 2012"), Wire(updated >= new DateTimeOffset(2012, 9, 7, 14, 0, 0, TimeSpan.FromHours(2))));
    }

    [Fact]
    public void TimeComparisonsUseTheServicesOperators()
    {
        var time = new TimeField("starts");
        Assert.Equal(("starts", "gt", "09:30:00"), Wire(time > new TimeOnly(9, 30)));
        Assert.Equal(("starts", "xeq", "09:30:00"), Wire(time == new TimeOnly(9, 30)));
        Assert.Equal(("starts", "ne", "09:30:00"), Wire(time != new TimeOnly(9, 30)));
    }

    [Fact]
    public void AnEmptyInIsRefusedByEveryBuilder()
    {
        // The service has no filter that matches nothing, and an empty eq would match blank values: refuse it everywhere.
        Assert.Throws<ArgumentException>(() => WorkbooksFilter.Field("name").In(Array.Empty<string>()));
        Assert.Throws<ArgumentException>(() => WorkbooksFilter.Field("id").In(Array.Empty<long>()));
        Assert.Throws<ArgumentException>(() => new StringField("name").In());
        Assert.Throws<ArgumentException>(() => new NumberField<long>("id").In());
        Assert.Throws<ArgumentException>(() => RecordFields.Root["name"].In(new List<string>()));
    }

    [Fact]
    public void AnInOfOneEmptyStringIsAValueNotAnEmptyList()
    {
        Assert.Equal(("name", "eq", ""), Wire(new StringField("name").In("")));
        Assert.Equal(("name", "eq", ""), Wire(WorkbooksFilter.Field("name").In("")));
    }

    [Fact]
    public void TheUntypedShapeNamesAnyFieldAndNavigatesByWireName()
    {
        Assert.Equal(("main_location[email]", "bg", "an"), Wire(RecordFields.Root["main_location[email]"].StartsWith("an")));
        Assert.Equal("employer[name]", Root.Into("employer").Name("name"));
    }
}
