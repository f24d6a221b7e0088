using static Workbooks.Filters.WorkbooksFilter;

namespace Workbooks.Runtime.Tests.Wire;

public class FilterEncodingTests
{
    private static KeyValuePair<string, string> P(string k, string v) => new(k, v);

    [Fact]
    public void ASingleConditionSendsOneTripleAndNoFm()
    {
        var pairs = FilterEncoding.ToParameters(Field("name").StartsWith("James"));
        Assert.Equal([P("_ff[]", "name"), P("_ft[]", "bg"), P("_fc[]", "James")], pairs);
    }

    [Fact]
    public void AnAndOfConditionsOmitsFm()
    {
        var encoded = FilterEncoding.Encode(Field("name").StartsWith("James") & Field("employer[name]").Contains("Workbooks"));
        Assert.Null(encoded.Mode);
        Assert.Equal([new FilterTriple("name", "bg", "James"), new FilterTriple("employer[name]", "ct", "Workbooks")], encoded.Triples);
    }

    [Fact]
    public void AnOrOfConditionsSendsFmOr()
    {
        var pairs = FilterEncoding.ToParameters(Field("id").Equal(1) | Field("id").Equal(2));
        Assert.Equal(
            [P("_fm", "or"), P("_ff[]", "id"), P("_ft[]", "eq"), P("_fc[]", "1"), P("_ff[]", "id"), P("_ft[]", "eq"), P("_fc[]", "2")],
            pairs);
    }

    [Fact]
    public void TheGuidesBooleanExampleEncodesAs1Or2And3()
    {
        var filter = (Field("main_location[email]").StartsWith("an") | Field("refcode").Contains("g"))
            & Field("person_last_name").StartsWith("go");
        var encoded = FilterEncoding.Encode(filter);
        Assert.Equal("(1 OR 2) AND 3", encoded.Mode);
        Assert.Equal(
            [P("_fm", "(1 OR 2) AND 3"),
             P("_ff[]", "main_location[email]"), P("_ft[]", "bg"), P("_fc[]", "an"),
             P("_ff[]", "refcode"), P("_ft[]", "ct"), P("_fc[]", "g"),
             P("_ff[]", "person_last_name"), P("_ft[]", "bg"), P("_fc[]", "go")],
            encoded.ToTripleParameters());
    }

    [Fact]
    public void NotIsWrittenAsNOTWithParenthesesAroundCombinations()
    {
        Assert.Equal("NOT 1", FilterEncoding.Encode(!Field("name").Contains("x")).Mode);
        Assert.Equal("NOT (1 OR 2)", FilterEncoding.Encode(!(Field("a").IsBlank() | Field("b").IsBlank())).Mode);
        Assert.Equal("1 AND NOT 2", FilterEncoding.Encode(Field("a").IsTrue() & !Field("b").IsTrue()).Mode);
        Assert.Equal("(1 AND 2) OR (3 AND NOT (4 OR 5))",
            FilterEncoding.Encode((Field("a").IsTrue() & Field("b").IsTrue()) | (Field("c").IsTrue() & !(Field("d").IsTrue() | Field("e").IsTrue()))).Mode);
    }

    [Fact]
    public void NestedCombinationsOfTheSameKindAreFlattenedAndDoubleNegationCancels()
    {
        var f = (Field("a").IsTrue() & Field("b").IsTrue()) & Field("c").IsTrue();
        var encoded = FilterEncoding.Encode(f);
        Assert.Null(encoded.Mode);
        Assert.Equal(3, encoded.Triples.Count);
        Assert.IsType<FilterCondition>(!!Field("a").IsTrue());
    }

    [Fact]
    public void ValueLessOperatorsSendAnEmptyCriteria()
    {
        var encoded = FilterEncoding.Encode(And(Field("a").IsBlank(), Field("b").IsNotBlank(), Field("c").IsFalse(),
            Field("d").IsToday(), Field("e").IsOnOrAfterToday(), Condition("f", FilterOperator.BeforeToday, "ignored")));
        Assert.All(encoded.Triples, t => Assert.Equal("", t.Criteria));
        Assert.Equal(["blank", "not_blank", "false", "today", "ge_today", "lt_today"], encoded.Triples.Select(t => t.Type));
    }

    [Fact]
    public void EveryOperatorHasItsDocumentedWireSpellingAndParsesBack()
    {
        string[] expected = ["bg", "nbg", "ct", "nct", "eq", "ne", "xeq", "gt", "ge", "lt", "le", "blank", "not_blank", "true", "false",
            "today", "ge_today", "gt_today", "le_today", "lt_today", "between", "not_between"];
        Assert.Equal(expected, Enum.GetValues<FilterOperator>().Select(o => o.ToWire()));
        foreach (var op in Enum.GetValues<FilterOperator>())
        {
            Assert.True(FilterOperators.TryParse(op.ToWire().ToUpperInvariant(), out var back));
            Assert.Equal(op, back);
        }
        Assert.False(FilterOperators.TryParse("like", out _));
    }

    [Fact]
    public void EqualAndInEscapeCommasInValuesWithABackslash()
    {
        Assert.Equal(@"Smith\, John", FilterEncoding.Encode(Field("name").Equal("Smith, John")).Triples[0].Criteria);
        Assert.Equal(@"a\,b,c", FilterEncoding.Encode(Field("name").In(["a,b", "c"])).Triples[0].Criteria);
        Assert.Equal("1,3", FilterEncoding.Encode(Field("id").In(new long[] { 1, 3 })).Triples[0].Criteria);
        Assert.Equal("eq", FilterEncoding.Encode(Field("id").In(new long[] { 1, 3 })).Triples[0].Type);
        Assert.Throws<ArgumentException>(() => Field("id").In(Array.Empty<long>()));
        // bg/ct criteria are not lists: no escaping.
        Assert.Equal("a,b", FilterEncoding.Encode(Field("name").Contains("a,b")).Triples[0].Criteria);
    }

    [Fact]
    public void TypedValuesAreFormattedForTheWire()
    {
        Assert.Equal("1", ((FilterCondition)Field("is_deleted").Equal(true)).Criteria);
        Assert.Equal("Fri Sep 07 14:00:00 UTC 2012", ((FilterCondition)Field("updated_at").GreaterThan(new DateTimeOffset(2012, 9, 7, 14, 0, 0, TimeSpan.Zero))).Criteria);
        Assert.Equal("2 May 2010", ((FilterCondition)Field("due_date").GreaterThanOrEqual(new DateOnly(2010, 5, 2))).Criteria);
        Assert.Equal("JSON([2023-12-01,2023-12-31])", ((FilterCondition)Field("due_date").Between(new DateOnly(2023, 12, 1), new DateOnly(2023, 12, 31))).Criteria);
        Assert.Equal("not_between", ((FilterCondition)Field("size").NotBetween(1m, 2m)).Operator.ToWire());
        Assert.Throws<ArgumentException>(() => Field("x").Between("a,b", "c"));
    }

    [Fact]
    public void FilterJsonIsAnArrayOfTriplesWithFmKept()
    {
        var filter = Field("name").Contains("Hello World") & Field("object_ref").Equal("CASE-1234");
        Assert.Equal("""[["name","ct","Hello World"],["object_ref","eq","CASE-1234"]]""", FilterEncoding.Encode(filter).ToFilterJson());

        var or = FilterEncoding.Encode(Field("a").Equal("x\"y") | Field("b").IsBlank());
        Assert.Equal([P("_fm", "or"), P("_filter_json", """[["a","eq","x\"y"],["b","blank",""]]""")], or.ToJsonParameters());
    }

    [Fact]
    public void ShortestFormPicksJsonOnlyWhenItsEncodedLengthIsShorter()
    {
        var single = FilterEncoding.ToParameters(Field("id").Equal(1), FilterWireForm.Shortest);
        Assert.Equal("_ff[]", single[0].Key);

        var many = Or(Enumerable.Range(1, 30).Select(i => (WorkbooksFilter)Field("id").Equal(i)));
        var chosen = FilterEncoding.ToParameters(many, FilterWireForm.Shortest);
        var triples = FilterEncoding.ToParameters(many, FilterWireForm.Triples);
        var json = FilterEncoding.ToParameters(many, FilterWireForm.Json);
        var expected = FormEncoder.GetEncodedLength(json) < FormEncoder.GetEncodedLength(triples) ? json : triples;
        Assert.Equal(expected, chosen);
        Assert.Equal(Math.Min(FormEncoder.GetEncodedLength(json), FormEncoder.GetEncodedLength(triples)), FormEncoder.GetEncodedLength(chosen));
    }

    [Fact]
    public void FiltersAreImmutableValuesWithAReadableRendering()
    {
        var a = Field("a").Equal("1");
        var combined = a | Field("b").Equal("2");
        Assert.Equal("a eq 1", a.ToString());
        Assert.Equal("(a eq 1 OR b eq 2)", combined.ToString());
        Assert.Throws<ArgumentException>(() => And(Array.Empty<WorkbooksFilter>()));
    }
}
