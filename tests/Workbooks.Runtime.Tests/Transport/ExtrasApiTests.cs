using System.Text;
using Workbooks.Emulator;
using Workbooks.Runtime.Tests.TestSupport;

namespace Workbooks.Runtime.Tests.Transport;

public sealed class ExtrasApiEmulator() : EmulatorFixture(people: 100, organisations: 50, others: 5);

/// <remarks>One emulator and session for the class: the tests read, and the one upload goes to a note no test counts.</remarks>
public sealed class ExtrasApiTests(ExtrasApiEmulator fixture) : SharedEmulatorTests<ExtrasApiEmulator>(fixture)
{
    [Fact]
    public async Task MetadataListsEveryTypeAndCanBeNarrowed()
    {
        using var all = await Session.GetMetadataAsync();
        Assert.Equal(52, all.RootElement.GetProperty("data").GetArrayLength());
        using var one = await Session.GetMetadataAsync(["Private::Crm::Person"], ["class_name", "fields"]);
        var type = Assert.Single(one.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal(["class_name", "fields"], type.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task ReportsStreamAsCsvByIdOrName()
    {
        using var byId = await Session.OpenReportCsvAsync("1");
        var csv = await new StreamReader(byId.Content).ReadToEndAsync();
        Assert.Equal(101, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        using var byName = await Session.OpenReportCsvAsync("People by town");
        Assert.Equal(csv, await new StreamReader(byName.Content).ReadToEndAsync());
        await Assert.ThrowsAsync<WorkbooksNotFoundException>(() => Session.OpenReportCsvAsync("No such report"));
    }

    [Fact]
    public async Task AnAmbiguousPdfListsTheTemplatesThenRendersTheChosenOne()
    {
        var id = Emu.DefaultDatabase.Ids("accounting/quotations")[0];
        using var choice = await Session.RenderPdfAsync("accounting/quotations", id);
        Assert.False(choice.IsRendered);
        Assert.Equal(["Portrait", "Landscape"], choice.Templates.Select(t => t.Name));

        using var pdf = await Session.RenderPdfAsync("accounting/quotations", id, choice.Templates[1].Id);
        Assert.True(pdf.IsRendered);
        var bytes = new byte[8];
        await pdf.Content.ReadExactlyAsync(bytes);
        Assert.Equal("%PDF-1.4", Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public async Task UploadedFilesDownloadByteForByte()
    {
        var content = new byte[70_000];
        new Random(3).NextBytes(content);
        content[0] = 0;
        var noteId = Emu.DefaultDatabase.Ids("notes")[0];
        var uploadId = await Session.UploadFileAsync("Private::Note", noteId, "upload_files", new MemoryStream(content), "O'Reilly & Partners, résumé.bin", "application/octet-stream");

        using var download = await Session.DownloadFileAsync(uploadId);
        using var copy = new MemoryStream();
        await download.Content.CopyToAsync(copy);
        Assert.Equal(content, copy.ToArray());
        Assert.Equal("O'Reilly & Partners, résumé.bin", download.FileName);
    }

    [Fact]
    public async Task PicklistEntriesOfSeveralPicklistsComeInOneRequest()
    {
        var entries = await Session.GetPicklistEntriesAsync([1, 2]);
        Assert.NotEmpty(entries);
        Assert.All(entries, e => Assert.False(string.IsNullOrEmpty(e.Value)));
        var single = await Session.GetPicklistEntriesAsync([1]);
        Assert.True(entries.Count > single.Count);
    }
}
