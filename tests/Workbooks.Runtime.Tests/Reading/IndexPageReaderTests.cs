using System.Text;
using System.Text.Json;

namespace Workbooks.Runtime.Tests.Reading;

public sealed class IndexPageReaderTests
{
    private const string GuideBody = """
        {
          "data" : [{
            "_can_chaccess" : true,
            "activity_priority" : "High",
            "assigned_to" : 1,
            "id" : 1,
            "lock_version" : 3,
            "main_location[town]" : "Oxford",
            "watched" : false
           }, {
            "watched" : true, "lock_version" : 0, "name" : "Second \"quoted\" ☃", "id" : 2, "nested" : {"a":[1,{"b":"}"}]}
           }],
          "flash" : "",
          "success" : true,
          "total" : 2,
          "updates" : {}
        }
        """;

    private static Stream Body(string json, int chunk = int.MaxValue) => new TrickleStream(Encoding.UTF8.GetBytes(json), chunk);

    private static async Task<List<WorkbooksRecord>> ReadAll(IndexPage<WorkbooksRecord> page)
    {
        var list = new List<WorkbooksRecord>();
        await foreach (var record in page)
            list.Add(record);
        return list;
    }

    [Fact]
    public async Task ReadsRecordsAndEnvelopeOfTheGuideExample()
    {
        var page = IndexPageReader.Read(Body(GuideBody));
        var records = await ReadAll(page);

        Assert.Equal(2, records.Count);
        Assert.Equal(1, records[0].Id);
        Assert.Equal(3, records[0].LockVersion);
        Assert.True(records[0].TryGetRaw("main_location[town]", out var town));
        Assert.Equal("Oxford", town.GetString());
        Assert.Equal(2, records[1].Id);
        Assert.Equal(2, page.Total);
        Assert.True(page.Success);
        Assert.Equal("", page.Flash);
        Assert.True(page.IsCompleted);
        Assert.Equal(2, page.RecordCount);
    }

    [Fact]
    public async Task KeepsUnknownFieldsOfRecords()
    {
        var records = await ReadAll(IndexPageReader.Read(Body(GuideBody)));

        Assert.True(records[1].TryGetRaw("nested", out var nested));
        Assert.Equal("""{"a":[1,{"b":"}"}]}""", nested.GetRawText());
        Assert.Contains("_can_chaccess", records[0].FieldNames);
        Assert.Equal("Second \"quoted\" ☃", records[1].TryGetRaw("name", out var name) ? name.GetString() : null);
    }

    [Fact]
    public async Task ReadsFieldsInAnyOrderWithinARecord()
    {
        var records = await ReadAll(IndexPageReader.Read(Body("""{"data":[{"name":"a","lock_version":4,"id":9},{"id":10,"name":"b","lock_version":5}],"total":2,"success":true}""")));

        Assert.Equal([9L, 10L], records.Select(r => r.Id));
        Assert.Equal([4, 5], records.Select(r => r.LockVersion));
    }

    [Fact]
    public async Task ReadsTotalAndSuccessSentBeforeDataBeforeTheFirstRecord()
    {
        var page = IndexPageReader.Read(Body("""{"total":57,"success":true,"flash":"hi","data":[{"id":1},{"id":2}]}"""));
        long? totalAtFirstRecord = null;
        await foreach (var record in page)
        {
            totalAtFirstRecord ??= page.Total;
        }

        Assert.Equal(57, totalAtFirstRecord);
        Assert.Equal(57, page.Total);
        Assert.True(page.Success);
        Assert.Equal("hi", page.Flash);
    }

    [Fact]
    public async Task ReadsTotalAndSuccessSentAfterDataOnceEnumerationCompletes()
    {
        var page = IndexPageReader.Read(Body("""{"data":[{"id":1}],"updates":{"x":[1,2]},"flash":"","success":true,"total":123}"""));
        long? totalDuringEnumeration = -1;
        await foreach (var record in page)
            totalDuringEnumeration = page.Total;

        Assert.Null(totalDuringEnumeration);
        Assert.Equal(123, page.Total);
        Assert.True(page.Success);
    }

    [Fact]
    public async Task ReadsRecordsSplitAcrossReadsAtEveryOffsetOneByteAtATime()
    {
        var page = IndexPageReader.Read(Body(GuideBody, chunk: 1), WorkbooksRecordReader.Instance, initialBufferSize: 16);
        var records = await ReadAll(page);

        Assert.Equal(2, records.Count);
        Assert.Equal(2, page.Total);
        Assert.True(records[1].TryGetRaw("nested", out var nested));
        Assert.Equal("""{"a":[1,{"b":"}"}]}""", nested.GetRawText());
    }

    [Fact]
    public async Task GivesTheSameRecordsForEveryChunkSizeAndBufferSize()
    {
        var expected = (await ReadAll(IndexPageReader.Read(Body(GuideBody)))).Select(Render).ToList();
        foreach (var chunk in new[] { 1, 2, 3, 5, 7, 13, 64 })
        {
            foreach (var bufferSize in new[] { 16, 17, 31, 100, 4096 })
            {
                var page = IndexPageReader.Read(Body(GuideBody, chunk), WorkbooksRecordReader.Instance, bufferSize);
                Assert.Equal(expected, (await ReadAll(page)).Select(Render).ToList());
                Assert.Equal(2, page.Total);
            }
        }
    }

    [Fact]
    public async Task ReadsABodyTruncatedAtEveryOffsetAsAProtocolException()
    {
        var bytes = Encoding.UTF8.GetBytes(GuideBody.TrimEnd());
        for (var length = 0; length < bytes.Length; length++)
        {
            var page = IndexPageReader.Read(new TrickleStream(bytes[..length], 3), WorkbooksRecordReader.Instance, 16);
            await Assert.ThrowsAsync<WorkbooksProtocolException>(() => ReadAll(page));
        }
    }

    [Fact]
    public async Task TruncatedBodyMessageSaysItWasTruncated()
    {
        var page = IndexPageReader.Read(Body("""{"data":[{"id":1},{"id":2,"na"""));
        var records = new List<WorkbooksRecord>();
        var ex = await Assert.ThrowsAsync<WorkbooksProtocolException>(async () =>
        {
            await foreach (var r in page) records.Add(r);
        });

        Assert.Contains("truncated", ex.Message);
        Assert.Single(records);
    }

    [Fact]
    public async Task HtmlBodyIsAProtocolException()
    {
        var ex = await Assert.ThrowsAsync<WorkbooksProtocolException>(() =>
            ReadAll(IndexPageReader.Read(Body("<html><body>You are being <a href=\"/login\">redirected</a>.</body></html>"))));

        Assert.Contains("not valid JSON", ex.Message);
        Assert.IsType<JsonException>(ex.InnerException, exactMatch: false);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    [InlineData("42")]
    [InlineData("\"text\"")]
    [InlineData("{\"data\":{\"id\":1}}")]
    [InlineData("{\"data\":[1,2]}")]
    [InlineData("{\"data\":[{\"id\":1}]]")]
    [InlineData("{\"data\":[{\"id\":1,}]}")]
    [InlineData("{\"total\":\"many\",\"data\":[]}")]
    public async Task MalformedOrUnexpectedBodyIsAProtocolException(string body)
    {
        await Assert.ThrowsAsync<WorkbooksProtocolException>(() => ReadAll(IndexPageReader.Read(Body(body, 2))));
    }

    [Fact]
    public async Task FailureBodyThrowsAWorkbooksExceptionWithFlashAndErrors()
    {
        var page = IndexPageReader.Read(Body("""{"success":false,"flash":"The filter is not valid","errors":{"_ff":["Unknown column 'nope'"]}}"""));

        var ex = await Assert.ThrowsAsync<WorkbooksException>(() => ReadAll(page));

        Assert.IsNotType<WorkbooksProtocolException>(ex);
        Assert.Equal("The filter is not valid", ex.ServiceMessage);
        Assert.Contains("Unknown column 'nope'", ex.Message);
        Assert.False(page.Success);
    }

    [Fact]
    public async Task FailureFlagAfterDataStillThrowsAfterTheRecords()
    {
        var page = IndexPageReader.Read(Body("""{"data":[],"flash":"Access denied","success":false}"""));

        var ex = await Assert.ThrowsAsync<WorkbooksException>(() => ReadAll(page));

        Assert.Equal("Access denied", ex.ServiceMessage);
    }

    [Fact]
    public async Task EmptyDataGivesNoRecords()
    {
        var page = IndexPageReader.Read(Body("""{"data":[],"flash":"","success":true,"total":0,"updates":{}}"""));

        Assert.Empty(await ReadAll(page));
        Assert.Equal(0, page.Total);
    }

    [Fact]
    public async Task GrowsTheBufferOnlyForARecordLargerThanIt()
    {
        var big = new string('x', 50_000);
        var page = IndexPageReader.Read(Body($$"""{"data":[{"id":1,"text":"{{big}}"},{"id":2}],"total":2,"success":true}""", 1000), WorkbooksRecordReader.Instance, 1024);

        var records = await ReadAll(page);

        Assert.Equal(2, records.Count);
        Assert.Equal(big, records[0].TryGetRaw("text", out var t) ? t.GetString() : null);
        Assert.InRange(page.BufferHighWaterMark, 50_000, 256 * 1024);
    }

    [Fact]
    public async Task RecordLargerThanTheMaximumBufferIsAProtocolException()
    {
        var big = new string('x', 10_000);
        var page = IndexPageReader.Read(Body($$"""{"data":[{"id":1,"text":"{{big}}"}]}"""), WorkbooksRecordReader.Instance, 1024, 4096);

        var ex = await Assert.ThrowsAsync<WorkbooksProtocolException>(() => ReadAll(page));
        Assert.Contains("limit", ex.Message);
    }

    [Fact]
    public async Task Streams200000GeneratedRecordsWithASmallFlatBuffer()
    {
        const int count = 200_000;
        var stream = new GeneratedIndexStream(count, totalFirst: false);
        var page = IndexPageReader.Read(stream, WorkbooksRecordReader.Instance, initialBufferSize: 4096);
        long read = 0, idSum = 0;
        await foreach (var record in page)
        {
            read++;
            idSum += record.Id;
        }

        Assert.Equal(count, read);
        Assert.Equal((long)count * (count + 1) / 2, idSum);
        Assert.Equal(count, page.Total);
        Assert.True(page.Success);
        Assert.True(stream.BytesProduced > 30_000_000, $"body was {stream.BytesProduced} bytes");
        Assert.True(page.BufferHighWaterMark <= 8192, $"buffer grew to {page.BufferHighWaterMark} bytes");
    }

    [Fact]
    public async Task StreamsGeneratedRecordsWithTotalFirst()
    {
        var page = IndexPageReader.Read(new GeneratedIndexStream(1000, totalFirst: true), WorkbooksRecordReader.Instance, 64);
        var first = true;
        await foreach (var record in page)
        {
            if (first) Assert.Equal(1000, page.Total);
            first = false;
        }

        Assert.Equal(1000, page.RecordCount);
        Assert.True(page.BufferHighWaterMark <= 512);
    }

    [Fact]
    public async Task UsesTheTypedRecordReaderGiven()
    {
        var page = IndexPageReader.Read(Body("""{"data":[{"name":"a","id":3},{"id":4,"name":"b"}],"total":2,"success":true}""", 1), new NameReader(), 16);
        var names = new List<string>();
        await foreach (var name in page) names.Add(name);

        Assert.Equal(["3:a", "4:b"], names);
    }

    [Fact]
    public async Task RecordReaderThatMisreadsIsAProtocolException()
    {
        var page = IndexPageReader.Read(Body("""{"data":[{"id":"not a number"}]}"""), new ThrowingIdReader());

        await Assert.ThrowsAsync<WorkbooksProtocolException>(async () => { await foreach (var _ in page) { } });
    }

    [Fact]
    public async Task CancellationStopsEnumeration()
    {
        using var cts = new CancellationTokenSource();
        var page = IndexPageReader.Read(new GeneratedIndexStream(10_000));
        var read = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in page.WithCancellation(cts.Token))
            {
                if (++read == 10) await cts.CancelAsync();
            }
        });
        Assert.Equal(10, read);
    }

    [Fact]
    public async Task APageCanBeEnumeratedOnlyOnce()
    {
        var page = IndexPageReader.Read(Body(GuideBody));
        await ReadAll(page);

        Assert.Throws<InvalidOperationException>(() => page.GetAsyncEnumerator());
    }

    [Fact]
    public async Task ReadsABareArrayOfRecords()
    {
        var records = await ReadAll(IndexPageReader.Read(Body("""[{"id":1},{"id":2}]""", 1)));

        Assert.Equal(2, records.Count);
    }

    private static string Render(WorkbooksRecord record)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
            record.WriteTo(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private sealed class NameReader : IRecordReader<string>
    {
        public string Read(ref Utf8JsonReader reader)
        {
            long id = 0;
            string? name = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var isId = reader.ValueTextEquals("id"u8);
                var isName = reader.ValueTextEquals("name"u8);
                reader.Read();
                if (isId) id = reader.GetInt64();
                else if (isName) name = reader.GetString();
                else reader.Skip();
            }
            return $"{id}:{name}";
        }
    }

    private sealed class ThrowingIdReader : IRecordReader<long>
    {
        public long Read(ref Utf8JsonReader reader)
        {
            reader.Read();
            reader.Read();
            var id = reader.GetInt64();
            reader.Read();
            return id;
        }
    }
}
