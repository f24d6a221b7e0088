using System.Buffers;
using System.Text;

namespace Workbooks.Runtime.Tests.Wire;

public class QueryParametersTests
{
    private static KeyValuePair<string, string> P(string k, string v) => new(k, v);

    [Fact]
    public void Start_and_limit_are_always_sent_together()
    {
        Assert.Equal([P("_start", "0"), P("_limit", "100")], QueryParameters.Build(new IndexQuery()));
    }

    [Fact]
    public void A_single_sort_uses_scalar_sort_and_dir()
    {
        var pairs = QueryParameters.Build(new IndexQuery { Start = 20, Limit = 10, Sort = [SortKey.Descending("updated_at")] });
        Assert.Equal([P("_start", "20"), P("_limit", "10"), P("_sort", "updated_at"), P("_dir", "DESC")], pairs);
    }

    [Fact]
    public void Several_sorts_use_sort_and_dir_arrays_in_order()
    {
        var pairs = QueryParameters.Build(new IndexQuery { Sort = [SortKey.Descending("due_date"), SortKey.Ascending("id")] });
        Assert.Equal([P("_start", "0"), P("_limit", "100"), P("_sort[]", "due_date"), P("_dir[]", "DESC"), P("_sort[]", "id"), P("_dir[]", "ASC")], pairs);
    }

    [Fact]
    public void Filter_columns_skip_total_and_extras_follow_in_order()
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
    public void Filter_json_form_is_used_when_asked()
    {
        var pairs = QueryParameters.Build(new IndexQuery { Filter = WorkbooksFilter.Field("name").Contains("x"), FilterForm = FilterWireForm.Json });
        Assert.Contains(P("_filter_json", """[["name","ct","x"]]"""), pairs);
    }

    [Fact]
    public void Negative_paging_is_rejected()
    {
        Assert.ThrowsAny<ArgumentException>(() => QueryParameters.Build(new IndexQuery { Start = -1 }));
        Assert.ThrowsAny<ArgumentException>(() => QueryParameters.Build(new IndexQuery { Limit = -1 }));
    }
}

public class FormEncoderTests
{
    private static KeyValuePair<string, string> P(string k, string v) => new(k, v);

    [Fact]
    public void Reserved_characters_in_values_are_percent_encoded_and_space_is_plus()
    {
        var body = FormEncoder.EncodeToString([P("_fc[]", "Freedom & Light = 100% + more"), P("q", "a/b?c#d")]);
        Assert.Equal("_fc[]=Freedom+%26+Light+%3D+100%25+%2B+more&q=a%2Fb%3Fc%23d", body);
    }

    [Fact]
    public void Unreserved_characters_pass_through_and_brackets_stay_literal_only_in_keys()
    {
        var body = FormEncoder.EncodeToString([P("main_location[town][]", "AZaz09-._~[x]")]);
        Assert.Equal("main_location[town][]=AZaz09-._~%5Bx%5D", body);
    }

    [Fact]
    public void Non_ascii_and_emoji_are_utf8_percent_encoded()
    {
        Assert.Equal("name=Caf%C3%A9+%E6%97%A5%E6%9C%AC+%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0+%F0%9F%98%80",
            FormEncoder.EncodeToString([P("name", "Café 日本 Москва 😀")]));
    }

    [Fact]
    public void Lone_surrogates_become_the_replacement_character()
    {
        Assert.Equal("x=%EF%BF%BD", FormEncoder.EncodeToString([P("x", "\ud83d")]));
    }

    [Fact]
    public void Empty_values_and_empty_lists_encode_as_expected()
    {
        Assert.Equal("a=&b=", FormEncoder.EncodeToString([P("a", ""), P("b", "")]));
        Assert.Equal("", FormEncoder.EncodeToString([]));
    }

    [Fact]
    public void Encoded_length_matches_the_bytes_written()
    {
        KeyValuePair<string, string>[] pairs = [P("a[b][]", "x y&z"), P("name", "Café 😀 " + new string('é', 3000))];
        Assert.Equal(FormEncoder.Encode(pairs).Length, FormEncoder.GetEncodedLength(pairs));
    }

    [Fact]
    public void Large_values_are_written_through_a_buffer_writer_in_chunks()
    {
        var value = string.Concat(Enumerable.Repeat("a b&😀", 20_000));
        var writer = new ArrayBufferWriter<byte>(16);
        FormEncoder.Write(writer, [P("text", value)]);
        var expected = "text=" + string.Concat(Enumerable.Repeat("a+b%26%F0%9F%98%80", 20_000));
        Assert.Equal(expected, Encoding.ASCII.GetString(writer.WrittenSpan));
    }

    [Fact]
    public void Bodies_decode_back_to_the_original_pairs()
    {
        KeyValuePair<string, string>[] pairs = [P("_fm", "(1 OR 2) AND 3"), P("name[]", "Lights 'R Us + ☃ & %")];
        var body = FormEncoder.EncodeToString(pairs);
        var decoded = body.Split('&').Select(p => p.Split('=')).Select(kv => P(Uri.UnescapeDataString(kv[0].Replace('+', ' ')), Uri.UnescapeDataString(kv[1].Replace('+', ' '))));
        Assert.Equal(pairs, decoded);
    }

    [Fact]
    public void CreateContent_sets_the_form_content_type()
    {
        using var content = FormEncoder.CreateContent([P("a", "b")]);
        Assert.Equal("application/x-www-form-urlencoded", content.Headers.ContentType!.MediaType);
    }
}
