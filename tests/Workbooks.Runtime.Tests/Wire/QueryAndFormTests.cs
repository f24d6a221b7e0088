using System.Buffers;
using System.Text;

namespace Workbooks.Runtime.Tests.Wire;

public class QueryParametersTests
{
    private static KeyValuePair<string, string> P(string k, string v) => new(k, v);

    [Fact]
    public void StartAndLimitAreAlwaysSentTogether()
    {
        Assert.Equal([P("_start", "0"), P("_limit", "100")], QueryParameters.Build(new IndexQuery()));
    }

    [Fact]
    public void ASingleSortUsesScalarSortAndDir()
    {
        var pairs = QueryParameters.Build(new IndexQuery { Start = 20, Limit = 10, Sort = [SortKey.Descending("updated_at")] });
        Assert.Equal([P("_start", "20"), P("_limit", "10"), P("_sort", "updated_at"), P("_dir", "DESC")], pairs);
    }

    [Fact]
    public void SeveralSortsUseSortAndDirArraysInOrder()
    {
        var pairs = QueryParameters.Build(new IndexQuery { Sort = [SortKey.Descending("due_date"), SortKey.Ascending("id")] });
        Assert.Equal([P("_start", "0"), P("_limit", "100"), P("_sort[]", "due_date"), P("_dir[]", "DESC"), P("_sort[]", "id"), P("_dir[]", "ASC")], pairs);
    }

    [Fact]
    public void FilterColumnsSkipTotalAndExtrasFollowInOrder()
    {
        var pairs = QueryParameters.Build(new IndexQuery
        {
            Limit = 1,
            Sort = [new SortKey("id")],
            Filter = WorkbooksFilter.Field("is_deleted").Equal(true),
            SelectColumns = ["lock_version", "name", "updated_by_user[person_name]"],
            SkipTotalRows = true,
            ExtraParameters = [P("_json_output_datetime_format", "%s")],
        });
        Assert.Equal(
            [P("_start", "0"), P("_limit", "1"), P("_sort", "id"), P("_dir", "ASC"),
             P("_ff[]", "is_deleted"), P("_ft[]", "eq"), P("_fc[]", "1"),
             P("_select_columns[]", "lock_version"), P("_select_columns[]", "name"), P("_select_columns[]", "updated_by_user[person_name]"),
             P("__skip_total_rows", "1"), P("_json_output_datetime_format", "%s")],
            pairs);
    }

    [Fact]
    public void FilterJsonFormIsUsedWhenAsked()
    {
        var pairs = QueryParameters.Build(new IndexQuery { Filter = WorkbooksFilter.Field("name").Contains("x"), FilterForm = FilterWireForm.Json });
        Assert.Contains(P("_filter_json", """[["name","ct","x"]]"""), pairs);
    }

    [Fact]
    public void NegativePagingIsRejected()
    {
        Assert.ThrowsAny<ArgumentException>(() => QueryParameters.Build(new IndexQuery { Start = -1 }));
        Assert.ThrowsAny<ArgumentException>(() => QueryParameters.Build(new IndexQuery { Limit = -1 }));
    }
}

public class FormEncoderTests
{
    private static KeyValuePair<string, string> P(string k, string v) => new(k, v);

    [Fact]
    public void ReservedCharactersInValuesArePercentEncodedAndSpaceIsPlus()
    {
        var body = FormEncoder.EncodeToString([P("_fc[]", "Freedom & Light = 100% + more"), P("q", "a/b?c#d")]);
        Assert.Equal("_fc[]=Freedom+%26+Light+%3D+100%25+%2B+more&q=a%2Fb%3Fc%23d", body);
    }

    [Fact]
    public void UnreservedCharactersPassThroughAndBracketsStayLiteralOnlyInKeys()
    {
        var body = FormEncoder.EncodeToString([P("main_location[town][]", "AZaz09-._~[x]")]);
        Assert.Equal("main_location[town][]=AZaz09-._~%5Bx%5D", body);
    }

    [Fact]
    public void NonAsciiAndEmojiAreUtf8PercentEncoded()
    {
        Assert.Equal("name=Caf%C3%A9+%E6%97%A5%E6%9C%AC+%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0+%F0%9F%98%80",
            FormEncoder.EncodeToString([P("name", "Café 日本 Москва 😀")]));
    }

    [Fact]
    public void LoneSurrogatesBecomeTheReplacementCharacter()
    {
        Assert.Equal("x=%EF%BF%BD", FormEncoder.EncodeToString([P("x", "\ud83d")]));
    }

    [Fact]
    public void EmptyValuesAndEmptyListsEncodeAsExpected()
    {
        Assert.Equal("a=&b=", FormEncoder.EncodeToString([P("a", ""), P("b", "")]));
        Assert.Equal("", FormEncoder.EncodeToString([]));
    }

    [Fact]
    public void EncodedLengthMatchesTheBytesWritten()
    {
        KeyValuePair<string, string>[] pairs = [P("a[b][]", "x y&z"), P("name", "Café 😀 " + new string('é', 3000))];
        Assert.Equal(FormEncoder.Encode(pairs).Length, FormEncoder.GetEncodedLength(pairs));
    }

    [Fact]
    public void LargeValuesAreWrittenThroughABufferWriterInChunks()
    {
        var value = string.Concat(Enumerable.Repeat("a b&😀", 20_000));
        var writer = new ArrayBufferWriter<byte>(16);
        FormEncoder.Write(writer, [P("text", value)]);
        var expected = "text=" + string.Concat(Enumerable.Repeat("a+b%26%F0%9F%98%80", 20_000));
        Assert.Equal(expected, Encoding.ASCII.GetString(writer.WrittenSpan));
    }

    [Fact]
    public void BodiesDecodeBackToTheOriginalPairs()
    {
        KeyValuePair<string, string>[] pairs = [P("_fm", "(1 OR 2) AND 3"), P("name[]", "Lights 'R Us + ☃ & %")];
        var body = FormEncoder.EncodeToString(pairs);
        var decoded = body.Split('&').Select(p => p.Split('=')).Select(kv => P(Uri.UnescapeDataString(kv[0].Replace('+', ' ')), Uri.UnescapeDataString(kv[1].Replace('+', ' '))));
        Assert.Equal(pairs, decoded);
    }

    [Fact]
    public void CreateContentSetsTheFormContentType()
    {
        using var content = FormEncoder.CreateContent([P("a", "b")]);
        Assert.Equal("application/x-www-form-urlencoded", content.Headers.ContentType!.MediaType);
    }
}
