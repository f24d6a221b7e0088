using System.Text;
using System.Text.Json;

namespace Workbooks.Runtime.Tests.Reading;

/// <summary>
/// The page reader scans records with its own validating JSON scan. These tests hold it to System.Text.Json: for
/// thousands of mutations of a page, a record set that <see cref="JsonDocument"/> accepts is read with the same values,
/// and a page it rejects fails with <see cref="WorkbooksProtocolException"/> (never another exception, never silently),
/// whatever the size of the chunks the body arrives in.
/// </summary>
public sealed class RecordScanDifferentialTests
{
    private const string Page = """
        {"data":[
          {"id":1,"lock_version":2,"name":"Ada \"Countess\" Lovelace","n":-12.5e+3,"z":0,"t":true,"f":false,"u":null,
           "esc":"tab\there \u00e9\\ \/ \b\f\n\r","nested":{"a":[1,"}",{"b":null}],"c":{}},"list":[ ],"e":"" },
          { "id" : "2" , "name" : "B\u0000b" , "n" : 7 , "list" : [ "x" , 2.0E-7 ] } ,
          {}
        ],"total":3,"success":true}
        """;

    // ASCII only: System.Text.Json's document checks the UTF-8 of every string, its reader (and this scan) does not;
    // UTF-8 has its own test below.
    private static readonly byte[] Alphabet = "{}[]\",:\\-+.eE0123456789tfnrul/ \t\n\rxX\u0001"u8.ToArray();

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 7)]
    [InlineData(3, int.MaxValue)]
    public async Task MutatedPagesAreReadExactlyAsSystemTextJsonReadsThem(int seed, int chunk)
    {
        var original = Encoding.UTF8.GetBytes(Page);
        var dataStart = Page.IndexOf('[', StringComparison.Ordinal) + 1;
        var dataEnd = Page.LastIndexOf(']');
        var random = new Random(seed);
        int accepted = 0, rejected = 0;
        for (var i = 0; i < 1500; i++)
        {
            var bytes = Mutate(original, dataStart, dataEnd, random);
            var expected = Expected(bytes);
            var shape = new RecordShape(["name", "n", "esc", "nested"]);
            List<WorkbooksRecord>? actual = null;
            Exception? failure = null;
            try
            {
                actual = [];
                await foreach (var record in IndexPageReader.Read(new TrickleStream(bytes, chunk), new WorkbooksRecordReader(shape), initialBufferSize: 16))
                    actual.Add(record);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            var text = JsonSerializer.Serialize(Encoding.UTF8.GetString(bytes));
            if (expected is null)
            {
                Assert.True(failure is WorkbooksProtocolException, $"Expected a protocol error, got {failure?.GetType().Name ?? "success"} for: {text}");
                rejected++;
                continue;
            }
            Assert.True(failure is null, $"Expected success, got {failure} for: {text}");
            Assert.Equal(expected.Count, actual!.Count);
            for (var r = 0; r < expected.Count; r++)
            {
                foreach (var (name, raw) in expected[r])
                {
                    Assert.True(actual[r].TryGetRaw(name, out var value), $"record {r} lost '{name}' in: {text}");
                    Assert.Equal(raw, value.GetRawText());
                }
                Assert.Equal(expected[r].Keys.Order(StringComparer.Ordinal), actual[r].FieldNames.Order(StringComparer.Ordinal));
            }
            accepted++;
        }
        // Both outcomes must be well represented for the comparison to mean anything.
        Assert.InRange(accepted, 150, 1350);
        Assert.InRange(rejected, 150, 1350);
    }

    [Theory]
    [InlineData("{\"id\":1,\"a\":01}")]
    [InlineData("{\"id\":1,\"a\":1.}")]
    [InlineData("{\"id\":1,\"a\":-}")]
    [InlineData("{\"id\":1,\"a\":.5}")]
    [InlineData("{\"id\":1,\"a\":+1}")]
    [InlineData("{\"id\":1,\"a\":1e}")]
    [InlineData("{\"id\":1,\"a\":tru}")]
    [InlineData("{\"id\":1,\"a\":truex}")]
    [InlineData("{\"id\":1,\"a\":\"\\x\"}")]
    [InlineData("{\"id\":1,\"a\":\"\\u12G4\"}")]
    [InlineData("{\"id\":1,\"a\":\"line\nbreak\"}")]
    [InlineData("{\"id\":1,\"a\":1,}")]
    [InlineData("{\"id\":1 \"a\":1}")]
    [InlineData("{\"id\":1,\"a\" 1}")]
    [InlineData("{\"id\":1,a:1}")]
    [InlineData("{\"id\":1,\"a\":1 // comment\n}")]
    [InlineData("{\"id\":1,\"a\":[1,}")]
    [InlineData("{\"id\":1,\"a\":'x'}")]
    public async Task InvalidRecordsFailWithTheirPosition(string record)
    {
        var json = "{\"data\":[" + record + "]}";
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(json));
        var error = await Assert.ThrowsAsync<WorkbooksProtocolException>(async () =>
        {
            await foreach (var _ in IndexPageReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)))) { }
        });
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidUtf8IsReplacedInValuesAndRefusedInNames()
    {
        // As with Utf8JsonReader: a value's bytes are kept as sent and decoded leniently; a name must decode to match.
        var value = "{\"data\":[{\"id\":1,\"name\":\"a?b\"}]}"u8.ToArray();
        value[Array.IndexOf(value, (byte)'?')] = 0xFF;
        Assert.Equal("a\uFFFDb", (await IndexPageReader.Read(new MemoryStream(value)).SingleAsync()).GetString("name"));

        var name = "{\"data\":[{\"id\":1,\"n?me\":\"ab\"}]}"u8.ToArray();
        name[Array.IndexOf(name, (byte)'?')] = 0xFF;
        var error = await Assert.ThrowsAsync<WorkbooksProtocolException>(async () => await IndexPageReader.Read(new MemoryStream(name)).ToListAsync());
        Assert.Contains("property name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScannedRecordsHandTheEnvelopeBackToTheReader()
    {
        // Fields after the data array, in a bare array, and errors in the envelope after scanned records.
        var page = IndexPageReader.Read(new TrickleStream("{\"data\":[{\"id\":1},{\"id\":2}] ,\"total\":2,\"flash\":\"ok\"}"u8.ToArray(), 3), new WorkbooksRecordReader(), initialBufferSize: 16);
        Assert.Equal([1L, 2], await page.Select(r => r.Id).ToListAsync());
        Assert.Equal(2, page.Total);
        Assert.Equal("ok", page.Flash);

        var bare = IndexPageReader.Read(new TrickleStream("[{\"id\":3} , {\"id\":4}]"u8.ToArray(), 2), new WorkbooksRecordReader(), initialBufferSize: 16);
        Assert.Equal([3L, 4], await bare.Select(r => r.Id).ToListAsync());

        var broken = IndexPageReader.Read(new MemoryStream("{\"data\":[{\"id\":5}],\"total\":x}"u8.ToArray()));
        var error = await Assert.ThrowsAsync<WorkbooksProtocolException>(async () => await broken.ToListAsync());
        Assert.Contains("near byte 27", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Mutate(byte[] original, int from, int to, Random random)
    {
        var bytes = new List<byte>(original);
        var edits = random.Next(1, 3);
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(from, to);
            switch (random.Next(4))
            {
                case 0: bytes.RemoveAt(at); to--; break;
                case 1: bytes.Insert(at, Alphabet[random.Next(Alphabet.Length)]); to++; break;
                case 2: bytes[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                default:
                    var length = random.Next(1, 6);
                    var source = random.Next(from, Math.Max(from + 1, to - length));
                    bytes.InsertRange(at, bytes.GetRange(source, Math.Min(length, bytes.Count - source)));
                    to += length;
                    break;
            }
        }
        return [.. bytes];
    }

    /// <summary>The records as System.Text.Json reads the page's first JSON value (what follows it is not the page
    /// reader's business): per record, each property's last raw value. Null when that is not a page of records.</summary>
    private static bool IsWholeNumber(JsonElement value, long max)
    {
        if (value.ValueKind == JsonValueKind.Null)
            return true;
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.ValueKind == JsonValueKind.Number ? value.GetRawText() : null;
        return text is not null && text.Length > 0 && text.All(char.IsAsciiDigit) && long.TryParse(text, out var number) && number <= max;
    }

    private static List<Dictionary<string, string>>? Expected(byte[] bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true });
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array
                || (document.RootElement.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.False))
                return null;
            var records = new List<Dictionary<string, string>>();
            foreach (var record in data.EnumerateArray())
            {
                if (record.ValueKind != JsonValueKind.Object)
                    return null;
                var fields = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var property in record.EnumerateObject())
                {
                    // The protocol on top of the grammar: an id or lock_version that is not a whole number (a JSON
                    // integer or a string holding one) is refused, never read as 0.
                    if (property.Name is "id" or "lock_version" && !IsWholeNumber(property.Value, property.Name == "id" ? long.MaxValue : int.MaxValue))
                        return null;
                    fields[property.Name] = property.Value.GetRawText();
                }
                records.Add(fields);
            }
            return records;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // A property name that is not valid UTF-8: the page reader cannot name the field either.
            return null;
        }
    }
}
