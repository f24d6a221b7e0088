using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Workbooks.Emulator.Tests.TestSupport;
using static Workbooks.Emulator.Tests.TestSupport.ExtrasHttp;

namespace Workbooks.Emulator.Tests;

/// <summary>Metadata, reports, PDFs, uploads, picklist data, search and response styles, over real HTTP.</summary>
public sealed class ExtrasTests(ExtrasEmulatorFixture fixture) : IClassFixture<ExtrasEmulatorFixture>
{
    private static readonly string[] DocumentedTypeKeys =
    [
        "actions", "base_class_name", "class_name", "controller_path", "help_url", "human_class_description", "human_class_name",
        "human_class_name_plural", "icon", "instances_described_by", "fields", "associations",
    ];

    private WorkbooksEmulator Emu => fixture.Emulator;

    // ---------- metadata/types.api ----------

    [Fact]
    public async Task MetadataTypesReturnsEverySnapshotTypeWithTheDocumentedKeys()
    {
        using var snapshot = JsonDocument.Parse(await File.ReadAllTextAsync(SampleSchemaPath()));
        var expected = snapshot.RootElement.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("class_name").GetString()!).ToHashSet();
        using var client = Client(Emu);

        var (status, json) = await GetJsonAsync(client, WithKey(Emu, "metadata/types.api"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(json.GetProperty("success").GetBoolean());
        var types = json.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(expected.Count, types.Length);
        Assert.Equal(expected.Count, json.GetProperty("total").GetInt32());
        Assert.Equal(expected, types.Select(t => t.GetProperty("class_name").GetString()!).ToHashSet());
        foreach (var type in types)
        {
            foreach (var key in DocumentedTypeKeys)
                Assert.True(type.TryGetProperty(key, out _), $"{type.GetProperty("class_name")} lacks '{key}'");
            Assert.Equal(JsonValueKind.Array, type.GetProperty("fields").ValueKind);
            Assert.Equal(JsonValueKind.Array, type.GetProperty("associations").ValueKind);
        }
    }

    [Fact]
    public async Task MetadataTypesClassNamesRestrictsTheTypesAndSelectColumnsRestrictsTheKeys()
    {
        using var client = Client(Emu);

        var (status, json) = await GetJsonAsync(client, WithKey(Emu, "metadata/types.api",
            ("class_names[]", "Private::Crm::Person"), ("class_names[]", "Private::PicklistEntry"),
            ("_select_columns[]", "class_name"), ("_select_columns[]", "controller_path")));

        Assert.Equal(HttpStatusCode.OK, status);
        var types = json.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(2, json.GetProperty("total").GetInt32());
        Assert.Equal(new[] { "Private::Crm::Person", "Private::PicklistEntry" }.ToHashSet(), types.Select(t => t.GetProperty("class_name").GetString()!).ToHashSet());
        foreach (var type in types)
            Assert.Equal(["class_name", "controller_path"], type.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Contains(types, t => t.GetProperty("controller_path").GetString() == "crm/people");
    }

    [Theory]
    [InlineData("crm/people", "Private::Crm::Person")]
    [InlineData("reporting/reports", null)]
    public async Task AControllersMetadataIsItsOwnTypesMetadata(string controller, string? className)
    {
        using var client = Client(Emu);

        var (status, json) = await GetJsonAsync(client, WithKey(Emu, controller + "/metadata.api"));

        Assert.Equal(HttpStatusCode.OK, status);
        var type = Assert.Single(json.GetProperty("data").EnumerateArray().ToArray());
        Assert.Equal(controller, type.GetProperty("controller_path").GetString());
        if (className is not null)
            Assert.Equal(className, type.GetProperty("class_name").GetString());
        Assert.Equal(JsonValueKind.Array, type.GetProperty("fields").ValueKind);
        Assert.Equal(1, json.GetProperty("total").GetInt32());
    }

    // ---------- reports ----------

    [Fact]
    public async Task ReportByIdAsCsvHasAHeaderAndOneRowPerPersonWithCommasQuoted()
    {
        const string town = "Stratford-upon-Avon, Warwickshire";
        var id = Emu.DefaultDatabase.Insert("crm/people", new Dictionary<string, string?>
        {
            ["name"] = "Csv \"Quoted\" Person",
            ["main_location[town]"] = town,
        });
        using var client = Client(Emu);

        using var response = await client.GetAsync(new Uri(WithKey(Emu, "data_view/1/data.csv"), UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"" + town + "\"", text, StringComparison.Ordinal);
        Assert.Contains("\"Csv \"\"Quoted\"\" Person\"", text, StringComparison.Ordinal);
        var rows = ParseCsv(text);
        var header = rows[0];
        Assert.Equal(5, header.Count);
        Assert.All(rows, r => Assert.Equal(header.Count, r.Count));
        Assert.Equal(Emu.DefaultDatabase.Count("crm/people"), rows.Count - 1);
        var mine = Assert.Single(rows.Skip(1), r => r[0] == id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Csv \"Quoted\" Person", mine[1]);
        Assert.Equal(town, mine[2]);
    }

    [Fact]
    public async Task DataViewsByIdAsCsvIsTheDataViewsOutputAsTheReportExampleReadsIt()
    {
        using var client = Client(Emu);

        using var plural = await client.GetAsync(new Uri(WithKey(Emu, "data_views/1.csv"), UriKind.Relative));
        using var byId = await client.GetAsync(new Uri(WithKey(Emu, "data_view/1/data.csv"), UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, plural.StatusCode);
        Assert.Equal("text/csv", plural.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ParseCsv(await byId.Content.ReadAsStringAsync()), ParseCsv(await plural.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task ReportByNameAsCsvMatchesTheReportById()
    {
        using var client = Client(Emu);

        using var byName = await client.GetAsync(new Uri(WithKey(Emu, "data_view/People%20by%20town.csv"), UriKind.Relative));
        using var byId = await client.GetAsync(new Uri(WithKey(Emu, "data_view/1/data.csv"), UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, byName.StatusCode);
        Assert.Equal("text/csv", byName.Content.Headers.ContentType?.MediaType);
        var nameRows = ParseCsv(await byName.Content.ReadAsStringAsync());
        var idRows = ParseCsv(await byId.Content.ReadAsStringAsync());
        Assert.Equal(idRows[0], nameRows[0]);
        Assert.Equal(idRows.Count, nameRows.Count);
        Assert.True(nameRows.Count > 1);
    }

    [Theory]
    [InlineData("data_view/999/data.csv")]
    [InlineData("data_view/No%20such%20report.csv")]
    [InlineData("data_view/999/data.api")]
    public async Task UnknownReportAnswers404WithAJsonFailure(string path)
    {
        using var client = Client(Emu);

        var (status, json) = await GetJsonAsync(client, WithKey(Emu, path));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.False(json.GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task ReportAsJsonHasDataTotalAndSuccess()
    {
        using var client = Client(Emu);

        var (status, json) = await GetJsonAsync(client, WithKey(Emu, "data_view/1/data.api"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(json.GetProperty("success").GetBoolean());
        var rows = json.GetProperty("data").EnumerateArray().ToArray();
        Assert.NotEmpty(rows);
        Assert.True(json.GetProperty("total").GetInt32() >= rows.Length);
        Assert.Equal(Emu.DefaultDatabase.Count("crm/people"), json.GetProperty("total").GetInt32());
        foreach (var row in rows)
        {
            Assert.True(row.TryGetProperty("id", out _));
            Assert.True(row.TryGetProperty("name", out _));
            Assert.True(row.TryGetProperty("main_location[town]", out _));
        }
    }

    // ---------- PDF ----------

    [Fact]
    public async Task PdfWithoutTemplateAnswers406ListingTemplatesAndWithOneRendersAPdf()
    {
        var id = Emu.DefaultDatabase.Ids("accounting/quotations")[0];
        using var client = Client(Emu);

        var (status, json) = await GetJsonAsync(client, WithKey(Emu, $"accounting/quotations/{id}.pdf"));

        Assert.Equal(HttpStatusCode.NotAcceptable, status);
        Assert.False(json.GetProperty("success").GetBoolean());
        var templates = json.GetProperty("templates").EnumerateArray().ToArray();
        Assert.True(templates.Length > 1);
        Assert.All(templates, t =>
        {
            Assert.True(t.GetProperty("id").GetInt64() > 0);
            Assert.False(string.IsNullOrEmpty(t.GetProperty("name").GetString()));
        });

        var chosen = templates[^1].GetProperty("id").GetInt64();
        using var pdf = await client.GetAsync(new Uri(WithKey(Emu, $"accounting/quotations/{id}.pdf", ("template", chosen.ToString(System.Globalization.CultureInfo.InvariantCulture))), UriKind.Relative));
        var bytes = await pdf.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("%PDF-1.4", Encoding.ASCII.GetString(bytes, 0, 8), StringComparison.Ordinal);
        Assert.EndsWith("%%EOF\n", Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PdfOfATypeWithASingleTemplateRendersDirectly()
    {
        var id = Emu.DefaultDatabase.Ids("crm/people")[0];
        using var client = Client(Emu);

        using var pdf = await client.GetAsync(new Uri(WithKey(Emu, $"crm/people/{id}.pdf"), UriKind.Relative));
        var bytes = await pdf.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("%PDF-1.4", Encoding.ASCII.GetString(bytes, 0, 8), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PdfOfAMissingRecordAnswers404()
    {
        using var client = Client(Emu);

        var (status, json) = await GetJsonAsync(client, WithKey(Emu, "accounting/quotations/99999999.pdf", ("template", "34")));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.False(json.GetProperty("success").GetBoolean());
    }

    // ---------- uploads ----------

    [Fact]
    public async Task MultipartUploadToANoteDownloadsByteIdenticalWithItsContentType()
    {
        var noteId = Emu.DefaultDatabase.Ids("notes")[0];
        byte[] content = [0x00, 0x01, 0x02, 0x00, 0xFF, 0xFE, 0x00, (byte)'\r', (byte)'\n', 0x00, (byte)'-', (byte)'-', 0x7F, 0x00];
        const string fileName = "résumé 日本 €.bin";
        const string contentType = "application/x-extras-test";
        using var client = Client(Emu);
        using var form = new MultipartFormDataContent();
        foreach (var (key, value) in new[]
                 {
                     ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"),
                     ("resource_id[]", noteId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                     ("resource_type[]", "Private::Note"), ("resource_attribute[]", "upload_files"),
                 })
            form.Add(new StringContent(value), key);
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "upload_file[data][]", fileName);

        using var put = await client.PutAsync(new Uri(WithKey(Emu, "resource_upload_files.api"), UriKind.Relative), form);
        var json = await ReadJsonAsync(put);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.True(json.GetProperty("success").GetBoolean(), json.ToString());
        var affected = Assert.Single(json.GetProperty("affected_objects").EnumerateArray().ToArray());
        var uploadId = affected.GetProperty("upload_file_id").GetInt64();
        Assert.True(uploadId > 0);
        Assert.Equal(noteId, affected.GetProperty("resource_id").GetInt64());

        using var download = await client.GetAsync(new Uri(WithKey(Emu, $"upload_files/{uploadId}/download"), UriKind.Relative));
        var downloaded = await download.Content.ReadAsByteArrayAsync();
        Assert.True(download.StatusCode == HttpStatusCode.OK, System.Text.Encoding.UTF8.GetString(downloaded));
        Assert.Equal(content, downloaded);
        Assert.Equal(contentType, download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(fileName, download.Content.Headers.ContentDisposition?.FileNameStar);
        var upload = Emu.DefaultDatabase.Get("upload_files", uploadId)!;
        Assert.Equal(fileName, upload["file_name"]);
        Assert.Equal(content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), upload["file_size"]);
    }

    [Fact]
    public async Task AMultipartCreateOfSeveralUploadsStoresEachObjectsOwnFileAndItsLockVersion()
    {
        var noteId = Emu.DefaultDatabase.Ids("notes")[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var client = Client(Emu);
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < 3; i++)
        {
            foreach (var (key, value) in new[]
                     {
                         ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"),
                         ("resource_id[]", noteId), ("resource_type[]", "Private::Note"), ("resource_attribute[]", "upload_files"),
                     })
                form.Add(new StringContent(value), key);
        }
        for (var i = 0; i < 3; i++)
            form.Add(new ByteArrayContent([(byte)('a' + i), (byte)('a' + i)]), "upload_file[data][]", $"file-{i}.txt");

        using var put = await client.PutAsync(new Uri(WithKey(Emu, "resource_upload_files.api"), UriKind.Relative), form);
        var json = await ReadJsonAsync(put);

        Assert.True(json.GetProperty("success").GetBoolean(), json.ToString());
        var affected = json.GetProperty("affected_objects").EnumerateArray().ToArray();
        Assert.Equal(3, affected.Length);
        for (var i = 0; i < 3; i++)
        {
            var uploadId = affected[i].GetProperty("upload_file_id").GetInt64();
            Assert.Equal(JsonValueKind.Number, affected[i].GetProperty("upload_file[lock_version]").ValueKind);
            using var download = await client.GetAsync(new Uri(WithKey(Emu, $"upload_files/{uploadId}/download"), UriKind.Relative));
            Assert.Equal(new[] { (byte)('a' + i), (byte)('a' + i) }, await download.Content.ReadAsByteArrayAsync());
            Assert.Equal($"file-{i}.txt", Emu.DefaultDatabase.Get("upload_files", uploadId)!["file_name"]);
        }
    }

    [Fact]
    public async Task DataUriUploadIsAnAlternativeToMultipart()
    {
        var noteId = Emu.DefaultDatabase.Ids("notes")[0];
        using var client = Client(Emu);

        using var put = await client.PutAsync(new Uri(WithKey(Emu, "resource_upload_files.api"), UriKind.Relative), Form(
            ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"),
            ("resource_id[]", noteId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("resource_type[]", "Private::Note"), ("resource_attribute[]", "upload_files"),
            ("upload_file[data][]", "[data:text/plain;base64,SGVsbG8=,hello.txt]")));
        var json = await ReadJsonAsync(put);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.True(json.GetProperty("success").GetBoolean(), json.ToString());
        var uploadId = json.GetProperty("affected_objects")[0].GetProperty("upload_file_id").GetInt64();
        using var download = await client.GetAsync(new Uri(WithKey(Emu, $"upload_files/{uploadId}/download"), UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("text/plain", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Hello"u8.ToArray(), await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("hello.txt", Emu.DefaultDatabase.Get("upload_files", uploadId)!["file_name"]);
    }

    [Fact]
    public async Task DownloadOfAnUnknownUploadAnswers404()
    {
        using var client = Client(Emu);

        var (status, json) = await GetJsonAsync(client, WithKey(Emu, "upload_files/99999999/download"));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.False(json.GetProperty("success").GetBoolean());
    }

    // ---------- picklists ----------

    private (string A, string B, Dictionary<long, string> PicklistOf) TwoPicklists()
    {
        var db = Emu.DefaultDatabase;
        var picklistOf = db.Ids("admin/picklist_entries").ToDictionary(id => id, id => db.Get("admin/picklist_entries", id)!["picklist_id"] ?? "");
        var ids = picklistOf.Values.Where(v => v.Length > 0).GroupBy(v => v).OrderByDescending(g => g.Count()).Select(g => g.Key).ToArray();
        Assert.True(ids.Length >= 3, "the seed should spread picklist entries over at least three picklists");
        return (ids[0], ids[1], picklistOf);
    }

    [Fact]
    public async Task PicklistDataReturnsIdAndValueRowsOfThatPicklistOnly()
    {
        var (a, _, picklistOf) = TwoPicklists();
        using var client = Client(Emu);

        var (status, json) = await GetJsonAsync(client, WithKey(Emu, "picklist_data/Private_PicklistEntry/id/value", ("picklist_id", a)));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(json.GetProperty("success").GetBoolean());
        var rows = json.GetProperty("data").EnumerateArray().ToArray();
        Assert.All(rows, r => Assert.Equal(["id", "value"], r.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray()));
        var expected = picklistOf.Where(kv => kv.Value == a).Select(kv => kv.Key).Order().ToArray();
        Assert.Equal(expected, rows.Select(r => r.GetProperty("id").GetInt64()).Order().ToArray());
        Assert.Equal(expected.Length, json.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task PicklistEntriesAcceptsACommaSeparatedListOfPicklistIds()
    {
        var (a, b, picklistOf) = TwoPicklists();
        using var client = Client(Emu);

        var (status, json) = await GetJsonAsync(client, WithKey(Emu, "admin/picklist_entries.api", ("picklist_id", a + "," + b)));

        Assert.Equal(HttpStatusCode.OK, status);
        var rows = json.GetProperty("data").EnumerateArray().ToArray();
        var expected = picklistOf.Where(kv => kv.Value == a || kv.Value == b).Select(kv => kv.Key).Order().ToArray();
        Assert.Equal(expected, rows.Select(r => r.GetProperty("id").GetInt64()).Order().ToArray());
        Assert.Contains(rows, r => r.GetProperty("picklist_id").ToString() == a);
        Assert.Contains(rows, r => r.GetProperty("picklist_id").ToString() == b);
        Assert.True(expected.Length < picklistOf.Count, "a third picklist exists and is left out");
    }

    // ---------- search ----------

    [Fact]
    public async Task SearchablesReturnsMatchingRowsAndAtMost100()
    {
        var db = Emu.DefaultDatabase;
        var personId = db.Ids("crm/people")[3];
        var name = db.Get("crm/people", personId)!["name"]!;
        using var client = Client(Emu);

        var (status, json) = await GetJsonAsync(client, WithKey(Emu, "searchables.api", ("search", name)));
        var (broadStatus, broad) = await GetJsonAsync(client, WithKey(Emu, "searchables.api", ("search", "e")));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(json.GetProperty("success").GetBoolean());
        var rows = json.GetProperty("data").EnumerateArray().ToArray();
        Assert.Contains(rows, r => r.GetProperty("resource_id").GetInt64() == personId && r.GetProperty("resource_type").GetString() == "Private::Crm::Person");
        Assert.Equal(rows.Length, json.GetProperty("total").GetInt32());

        Assert.Equal(HttpStatusCode.OK, broadStatus);
        var broadRows = broad.GetProperty("data").EnumerateArray().ToArray();
        Assert.InRange(broad.GetProperty("total").GetInt32(), 1, 100);
        Assert.InRange(broadRows.Length, 1, 100);
        Assert.All(broadRows, r => Assert.Contains("e", r.GetProperty("name").GetString()!, StringComparison.OrdinalIgnoreCase));
    }

    // ---------- response styles ----------

    [Fact]
    public async Task CallbackWrapsTheJsonInAFunctionCall()
    {
        using var client = Client(Emu);

        using var response = await client.GetAsync(new Uri(WithKey(Emu, "crm/people.api", ("_start", "0"), ("_limit", "2"), ("callback", "cb")), UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("cb(", text, StringComparison.Ordinal);
        Assert.EndsWith(")", text, StringComparison.Ordinal);
        using var inner = JsonDocument.Parse(text[3..^1]);
        Assert.True(inner.RootElement.GetProperty("success").GetBoolean());
        Assert.Equal(2, inner.RootElement.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task JsonPrettyIndentsTheOutput()
    {
        using var client = Client(Emu);

        using var plain = await client.GetAsync(new Uri(WithKey(Emu, "crm/people.api", ("_start", "0"), ("_limit", "1")), UriKind.Relative));
        using var pretty = await client.GetAsync(new Uri(WithKey(Emu, "crm/people.api", ("_start", "0"), ("_limit", "1"), ("json", "pretty")), UriKind.Relative));
        var plainText = await plain.Content.ReadAsStringAsync();
        var prettyText = await pretty.Content.ReadAsStringAsync();

        Assert.DoesNotContain('\n', plainText);
        Assert.Contains("\n  \"data\"", prettyText, StringComparison.Ordinal);
        using var a = JsonDocument.Parse(plainText);
        using var b = JsonDocument.Parse(prettyText);
        Assert.Equal(a.RootElement.GetProperty("data")[0].GetProperty("id").GetInt64(), b.RootElement.GetProperty("data")[0].GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task GzipInTheLoginUserAgentCompressesTheSessionsResponses()
    {
        using var gzipClient = Client(Emu, "extras-tests/1.0 (gzip)");
        using var plainClient = Client(Emu);
        var (gzipSession, _, gzipLogin) = await LoginAsync(gzipClient, Emu);
        var (plainSession, _, plainLogin) = await LoginAsync(plainClient, Emu);
        gzipLogin.Dispose();
        plainLogin.Dispose();

        using var compressed = await gzipClient.SendAsync(WithSession(HttpMethod.Get, "crm/people.api?_start=0&_limit=3", gzipSession));
        using var uncompressed = await plainClient.SendAsync(WithSession(HttpMethod.Get, "crm/people.api?_start=0&_limit=3", plainSession));

        Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
        Assert.Contains("gzip", compressed.Content.Headers.ContentEncoding);
        var raw = await compressed.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0x1F, 0x8B }, raw[..2]);
        using (var inflated = JsonDocument.Parse(await ReadBodyTextAsync(compressed)))
        {
            Assert.True(inflated.RootElement.GetProperty("success").GetBoolean());
            Assert.Equal(3, inflated.RootElement.GetProperty("data").GetArrayLength());
        }

        Assert.Equal(HttpStatusCode.OK, uncompressed.StatusCode);
        Assert.Empty(uncompressed.Content.Headers.ContentEncoding);
        using var direct = JsonDocument.Parse(await uncompressed.Content.ReadAsStringAsync());
        Assert.True(direct.RootElement.GetProperty("success").GetBoolean());
    }
}
