using System.Text;
using System.Text.Json;

namespace Workbooks.Runtime.Tests.Reading;

/// <summary>Records read through a shape: one pass, offsets per known field, unknown fields learned or scanned.</summary>
public sealed class RecordShapeTests
{
    private static async Task<List<WorkbooksRecord>> Read(string json, WorkbooksRecordReader reader, int chunk = int.MaxValue, int buffer = 16)
    {
        var list = new List<WorkbooksRecord>();
        await foreach (var record in IndexPageReader.Read(new TrickleStream(Encoding.UTF8.GetBytes(json), chunk), reader, buffer))
            list.Add(record);
        return list;
    }

    [Fact]
    public async Task FieldsInAnyOrderAreReadByNameWhateverTheShapePredicted()
    {
        var shape = new RecordShape(["name", "town", "score"]);
        var json = """
            {"data":[
              {"id":1,"lock_version":2,"name":"a","town":"Oxford","score":1.5},
              {"score":2,"town":"Leeds","name":"b","lock_version":3,"id":2},
              {"town":null,"id":3,"name":"c"}
            ]}
            """;
        foreach (var chunk in new[] { 1, 7, int.MaxValue })
        {
            var records = await Read(json, new WorkbooksRecordReader(shape), chunk);
            Assert.Equal([1L, 2, 3], records.Select(r => r.Id));
            Assert.Equal([2, 3, 0], records.Select(r => r.LockVersion));
            Assert.Equal(["a", "b", "c"], records.Select(r => r.GetString("name")));
            Assert.Equal(["Oxford", "Leeds", null], records.Select(r => r.GetString("town")));
            Assert.Equal([1.5, 2, null], records.Select(r => r.GetDouble("score")));
            Assert.Null(records[2].GetDouble("score"));
            Assert.Equal(["town", "id", "name"], records[2].FieldNames);
        }
    }

    [Fact]
    public async Task FieldsAreFoundByValueNotByTheInstanceOfTheirName()
    {
        // Lookups remember name instances; a name built at run time, or one that shares a cache entry, still finds
        // its own field.
        var names = Enumerable.Range(0, 300).Select(i => "f" + i).ToArray();
        var shape = new RecordShape(names);
        var json = "{\"data\":[{\"id\":1," + string.Join(",", names.Select((n, i) => $"\"{n}\":{i}")) + "}]}";
        var record = (await Read(json, new WorkbooksRecordReader(shape))).Single();
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < names.Length; i++)
            {
                Assert.Equal(i, record.GetInt64(names[i]));
                Assert.Equal(i, record.GetInt64(new string(names[i].AsSpan())));
            }
        }
        Assert.Null(record.GetString("f300"));
        Assert.Null(record.GetString(new string("f300".AsSpan())));
    }

    [Fact]
    public async Task EscapedPropertyNamesMatchTheirUnescapedField()
    {
        var shape = new RecordShape(["name", "main_location[email]"]);
        var records = await Read("""{"data":[{"id":1,"na\u006de":"x\"y","main_location\u005bemail]":"a@b.c"},{"id":2,"name":"plain"}]}""", new WorkbooksRecordReader(shape));
        Assert.Equal("x\"y", records[0].GetString("name"));
        Assert.Equal("a@b.c", records[0].GetString("main_location[email]"));
        Assert.Equal("plain", records[1].GetString("name"));
        Assert.Equal(["id", "lock_version", "name", "main_location[email]"], shape.Fields);
    }

    [Fact]
    public async Task UnknownFieldsAreLearnedAndKept()
    {
        var shape = new RecordShape(["name"]);
        var records = await Read("""{"data":[{"id":1,"name":"a","cf_new":"added later","nested":{"a":[1,2]}},{"id":2,"cf_new":"again"}]}""", new WorkbooksRecordReader(shape));
        Assert.Equal("added later", records[0].GetString("cf_new"));
        Assert.Equal("again", records[1].GetString("cf_new"));
        Assert.True(records[0].TryGetRaw("nested", out var nested));
        Assert.Equal(2, nested.GetProperty("a")[1].GetInt32());
        Assert.Contains("cf_new", shape.Fields);
    }

    [Fact]
    public async Task FieldsBeyondTheLearningBoundAreStillReadWrittenAndListed()
    {
        var shape = new RecordShape(["name"], maxLearnedFields: 0);
        var records = await Read("""{"data":[{"id":7,"extra":"kept","name":"n","dup":1,"dup":2,"tags":["a","b"]}]}""", new WorkbooksRecordReader(shape));
        var record = records.Single();
        Assert.Equal(["id", "lock_version", "name"], shape.Fields);
        Assert.Equal("kept", record.GetString("extra"));
        Assert.Equal(2, record.GetInt64("dup"));
        Assert.Equal(["a", "b"], record.GetArray("tags"));
        Assert.Equal(["id", "extra", "name", "dup", "tags"], record.FieldNames);

        record.Set("name", "changed");
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            record.WriteTo(writer);
        using var written = JsonDocument.Parse(buffer.ToArray());
        Assert.Equal("kept", written.RootElement.GetProperty("extra").GetString());
        Assert.Equal("changed", written.RootElement.GetProperty("name").GetString());
        Assert.Equal(2, written.RootElement.GetProperty("dup").GetInt32());
    }

    [Fact]
    public async Task DuplicateFieldsKeepTheLastValueAsBefore()
    {
        var records = await Read("""{"data":[{"id":1,"name":"first","name":"second"}]}""", new WorkbooksRecordReader(new RecordShape(["name"])));
        Assert.Equal("second", records[0].GetString("name"));
    }

    [Fact]
    public async Task IdsSentAsStringsAreRead()
    {
        var records = await Read("""{"data":[{"id":"42","lock_version":"3"}]}""", new WorkbooksRecordReader());
        Assert.Equal(42, records[0].Id);
        Assert.Equal(3, records[0].LockVersion);
    }

    [Fact]
    public async Task OneShapeSharedByConcurrentReadersLearnsConsistently()
    {
        var shape = RecordShape.Learning();
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var round = 0; round < 20; round++)
            {
                // Each task sends its own extra fields in its own order, so predictions and learning race.
                var fields = Enumerable.Range(0, 30).Select(i => $"\"f{(i * (t + 1)) % 37}_{t % 3}\":{i}");
                var json = "{\"data\":[" + string.Join(",", Enumerable.Range(1, 5).Select(id => "{\"id\":" + id + "," + string.Join(",", fields) + "}")) + "]}";
                foreach (var record in await Read(json, new WorkbooksRecordReader(shape), chunk: 64, buffer: 64))
                {
                    for (var i = 0; i < 30; i++)
                        Assert.Equal(i, record.GetInt64($"f{(i * (t + 1)) % 37}_{t % 3}"));
                }
            }
        }));
        await Task.WhenAll(tasks);
        Assert.Equal(shape.Fields.Count, shape.Fields.Distinct().Count());
    }

    [Fact]
    public void ShapesAlwaysStartWithIdAndLockVersionAndValidateNames()
    {
        Assert.Equal(["id", "lock_version", "name"], new RecordShape(["name", "id", "name"]).Fields);
        Assert.Throws<ArgumentException>(() => new RecordShape(["name", ""]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecordShape([], maxLearnedFields: -1));
    }

    [Theory]
    [InlineData("Mon Nov 23 10:00:00 UTC 2026")]
    [InlineData("Thu Feb 29 23:59:59 UTC 2024")]
    [InlineData("Sun Jan 01 00:00:00 UTC 0001")]
    [InlineData("Fri Feb 30 10:00:00 UTC 2026")]
    [InlineData("Mon Nov 23 24:00:00 UTC 2026")]
    [InlineData("Mon Nov 23 10:00:00 BST 2026")]
    [InlineData("Mon Nov  3 10:00:00 UTC 2026")]
    [InlineData("Mon Nov 23 10:00:00 UTC 20x6")]
    [InlineData("2026-11-23T10:00:00Z")]
    [InlineData("mon nov 23 10:00:00 UTC 2026")]
    [InlineData("MON NOV 23 10:00:00 UTC 2026")]
    [InlineData("Mxn Nov 23 10:00:00 UTC 2026")]
    [InlineData("Mon Nox 23 10:00:00 UTC 2026")]
    [InlineData("Mon N\u00f6v 23 10:00:00 UTC 2026")]
    [InlineData("Mon Nov 23 10:00:00 utc 2026")]
    public async Task DateTimesReadFromBytesAgreeWithTheGeneralParser(string text)
    {
        var record = (await Read("{\"data\":[{\"id\":1,\"at\":\"" + text + "\"}]}", new WorkbooksRecordReader(new RecordShape(["at"])))).Single();
        if (WorkbooksValues.TryParseDateTime(text, out var expected))
            Assert.Equal(expected, record.GetDateTime("at"));
        else
            Assert.Throws<WorkbooksProtocolException>(() => record.GetDateTime("at"));
    }

    [Fact]
    public async Task EveryKindOfValueIsKeptExactlyAsSentWhateverTheWhitespace()
    {
        // Values are found by their start offset alone: each kind must end where the JSON says it does.
        var record = """
            {
              "id" : 7 ,
              "plain" : "text",
              "empty" : "",
              "quote" : "say \"hi\"",
              "backslash_last" : "ends with \\",
              "escaped_quote_after_backslash" : "\\\"",
              "unicode" : "\u00e9t\u00e9 café",
              "braces_in_text" : "} ] , {",
              "negative" : -12.5e+3,
              "zero":0,
              "yes" : true,
              "no":false,
              "nothing" : null,
              "object" : { "a" : [ 1, "}" ], "b" : { } },
              "array" : [ "x", [ ], { "c": null } ],
              "last_number" : 42
            }
            """;
        var names = new[] { "plain", "empty", "quote", "backslash_last", "escaped_quote_after_backslash", "unicode", "braces_in_text",
            "negative", "zero", "yes", "no", "nothing", "object", "array", "last_number" };
        using var expected = JsonDocument.Parse(record);
        foreach (var shape in new[] { new RecordShape(names), RecordShape.Learning(), new RecordShape([], maxLearnedFields: 0) })
        {
            foreach (var chunk in new[] { 1, 5, int.MaxValue })
            {
                var read = (await Read("{\"data\":[" + record + "]}", new WorkbooksRecordReader(shape), chunk)).Single();
                Assert.Equal(7, read.Id);
                foreach (var name in names)
                {
                    Assert.True(read.TryGetRaw(name, out var raw), name);
                    Assert.Equal(expected.RootElement.GetProperty(name).GetRawText(), raw.GetRawText());
                }
                Assert.Equal("say \"hi\"", read.GetString("quote"));
                Assert.Equal("ends with \\", read.GetString("backslash_last"));
                Assert.Equal("\\\"", read.GetString("escaped_quote_after_backslash"));
                Assert.Equal("été café", read.GetString("unicode"));
                Assert.Equal(-12500m, read.GetDecimal("negative"));
                Assert.Equal(42, read.GetInt64("last_number"));
                Assert.True(read.GetBoolean("yes"));
                Assert.Null(read.GetString("nothing"));
                Assert.Equal(["x", "[]", "{\"c\":null}"], read.GetArray("array")!.Select(v => v.Replace(" ", "", StringComparison.Ordinal)));
                using var written = JsonDocument.Parse(Write(read));
                Assert.Equal(expected.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.GetRawText().Replace(" ", "", StringComparison.Ordinal))),
                    written.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.GetRawText().Replace(" ", "", StringComparison.Ordinal))));
            }
        }
    }

    private static string Write(WorkbooksRecord record)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
            record.WriteTo(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
