using Workbooks.Emulator;
using Workbooks.Runtime.Tests.TestSupport;

namespace Workbooks.Runtime.Tests.Transport;

public sealed class UntrustedAnswerEmulator() : EmulatorFixture(people: 10, organisations: 10, others: 2);

/// <summary>
/// Answers the client must not trust (an HTML page from a proxy, a success that leaves objects out, values out of
/// range, booleans and numbers as strings): each ends in a typed exception or a verified outcome, never a foreign
/// exception and never a silent "applied".
/// </summary>
/// <remarks>
/// One emulator and session for the class: each test's replaced answer is consumed by its own request (and cleared
/// before the next test), and the records it creates carry a reference of its own.
/// </remarks>
public sealed class UntrustedAnswerTests(UntrustedAnswerEmulator fixture) : SharedEmulatorTests<UntrustedAnswerEmulator>(fixture)
{
    private const string Path = "crm/organisations";

    private void Answer(string body, string method = "PUT", string path = Path, string contentType = "application/json; charset=utf-8") =>
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.ReplaceBody) { PathContains = path, Method = method, Body = body, ContentType = contentType });

    private (WorkbooksChangeSet Changes, WorkbooksRecord Record) OneCreate(string reference)
    {
        var changes = Session.Changes(Path);
        var record = new WorkbooksRecord();
        record.Set("name", reference + " Ltd");
        record.Set("created_through_reference", reference);
        changes.Create(record);
        return (changes, record);
    }

    [Fact]
    public async Task AnHtmlPageAnsweringAChangeIsVerifiedNotTrusted()
    {
        var (changes, record) = OneCreate("html-1");
        Answer("<html><body>Bad gateway</body></html>", contentType: "text/html");

        var result = await changes.SubmitAsync(new ChangeSetOptions { VerifyGracePeriod = TimeSpan.FromSeconds(2) });

        Assert.True(result.Results[0].Verified);
        Assert.Equal(ChangeOutcome.Applied, result.Results[0].Outcome);
        Assert.Equal("html-1 Ltd", Emu.DefaultDatabase.Get(Path, record.Id)!["name"]);
    }

    [Fact]
    public async Task ASuccessThatLeavesObjectsOutIsVerifiedNotMarkedAppliedWithIdZero()
    {
        var (changes, record) = OneCreate("missing-1");
        Answer("""{"success":true,"affected_objects":[]}""");

        var result = await changes.SubmitAsync(new ChangeSetOptions { VerifyGracePeriod = TimeSpan.FromSeconds(2) });

        Assert.Equal(ChangeOutcome.Applied, result.Results[0].Outcome);
        Assert.True(result.Results[0].Verified);
        Assert.True(record.Id > 0);
    }

    [Fact]
    public async Task ALockVersionOutOfRangeInAChangeAnswerIsAProtocolErrorAndTheChangeIsVerified()
    {
        var (changes, record) = OneCreate("range-1");
        Answer("""{"success":true,"affected_objects":[{"id":1,"lock_version":99999999999}]}""");

        var result = await changes.SubmitAsync(new ChangeSetOptions { VerifyGracePeriod = TimeSpan.FromSeconds(2) });

        Assert.Equal(ChangeOutcome.Applied, result.Results[0].Outcome);
        Assert.True(result.Results[0].Verified);
        Assert.Equal(0, record.LockVersion);
    }

    [Fact]
    public async Task AnIdThatIsNotAWholeNumberInAPageIsAProtocolError()
    {
        Answer("""{"data":[{"id":"1.5","lock_version":0}],"total":1,"success":true}""", method: "GET", path: "crm/people");
        var error = await Assert.ThrowsAsync<WorkbooksProtocolException>(() => Session.Records("crm/people").ToListAsync());
        Assert.Contains("not a 64-bit whole number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APicklistEntryWithoutAnIdIsAProtocolError()
    {
        Answer("""{"data":[{"value":"Red"}],"total":1,"success":true}""", method: "GET", path: "picklist_data");
        var error = await Assert.ThrowsAsync<WorkbooksProtocolException>(() => Session.GetPicklistEntriesAsync([1]));
        Assert.Contains("without a whole-number id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUploadAnswerWithBooleansAndNumbersAsStringsIsRead()
    {
        Answer("""{"success":"true","affected_objects":[{"upload_file_id":"77"}]}""", path: "resource_upload_files");
        var id = await Session.UploadFileAsync("Private::Crm::Person", 1, "upload_files", new MemoryStream([1, 2, 3]), "a.bin");
        Assert.Equal(77, id);
    }

    [Fact]
    public async Task AnUploadAnswerThatIsNotAnObjectIsATypedError()
    {
        Answer("[]", path: "resource_upload_files");
        await Assert.ThrowsAnyAsync<WorkbooksException>(() => Session.UploadFileAsync("Private::Crm::Person", 1, "upload_files", new MemoryStream([1, 2, 3]), "a.bin"));
    }
}
