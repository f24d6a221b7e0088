using System.Net;
using System.Text;
using Workbooks.Emulator.Http;
using Workbooks.Emulator.Tests.TestSupport;
using static Workbooks.Emulator.Tests.TestSupport.ExtrasHttp;

namespace Workbooks.Emulator.Tests;

/// <summary>
/// Every kind of failure is written by the one failure writer, with the documented shape and order: success, then
/// failure_reason + failure_message, flash, exception_reference + exception_detail, errors, then what the kind adds.
/// The bodies are pinned byte for byte.
/// </summary>
public sealed class FailureBodyTests(ExtrasEmulatorFixture fixture) : IClassFixture<ExtrasEmulatorFixture>
{
    private WorkbooksEmulator Emu => fixture.Emulator;

    private static async Task<(int Status, string Body)> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await ReadBodyTextAsync(response));
    }

    private static HttpRequestMessage Get(string url) => new(HttpMethod.Get, new Uri(url, UriKind.Relative));

    [Fact]
    public async Task ARejectedParameterNamesItselfInErrors()
    {
        using var client = Client(Emu);
        var (status, body) = await SendAsync(client, Get(WithKey(Emu, "crm/people.api", ("_start", "-1"))));
        Assert.Equal(406, status);
        Assert.Equal("""{"success":false,"flash":"_start cannot be negative.","errors":{"_start":["_start cannot be negative."]}}""", body);
    }

    [Fact]
    public async Task AnUnknownResourceIsRejectedWithoutErrors()
    {
        using var client = Client(Emu);
        var (status, body) = await SendAsync(client, Get(WithKey(Emu, "crm/nothing_here.api")));
        Assert.Equal(404, status);
        Assert.Equal("""{"success":false,"flash":"No such resource: /crm/nothing_here.api"}""", body);
    }

    [Fact]
    public async Task AnAuthenticationFailureGivesTheReasonAndTheMessageTwice()
    {
        using var client = Client(Emu);
        var (status, body) = await SendAsync(client, Get("crm/people.api"));
        Assert.Equal(401, status);
        Assert.Equal("""{"success":false,"failure_reason":"no_session","failure_message":"You do not have a session.","flash":"You do not have a session."}""", body);
    }

    [Fact]
    public async Task AnUnknownApiKeyIsRefused()
    {
        using var client = Client(Emu);
        var (status, body) = await SendAsync(client, Get("crm/people.api?api_key=not-a-key"));
        Assert.Equal(401, status);
        Assert.Equal("""{"success":false,"failure_reason":"unrecognised_name_or_password","failure_message":"The API key was not recognised.","flash":"The API key was not recognised."}""", body);
    }

    [Fact]
    public async Task AnInjectedServerErrorGivesAnExceptionReference()
    {
        using var client = Client(Emu);
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.ServerError) { StatusCode = 502, PathContains = "/crm/cases.api", Method = "GET" });
        var (status, body) = await SendAsync(client, Get(WithKey(Emu, "crm/cases.api", ("_start", "0"), ("_limit", "1"))));
        Assert.Equal(502, status);
        Assert.Equal("""{"success":false,"flash":"An error has occurred. Please quote the exception reference to Workbooks Support.","exception_reference":"EMU-FAULT-502","exception_detail":"Injected fault"}""", body);
    }

    [Fact]
    public async Task AnErrorAfterProcessingReplacesTheAnswer()
    {
        using var client = Client(Emu);
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.ServerErrorAfterProcessing) { StatusCode = 503, PathContains = "/crm/sales_leads.api", Method = "GET" });
        var (status, body) = await SendAsync(client, Get(WithKey(Emu, "crm/sales_leads.api", ("_start", "0"), ("_limit", "1"), ("json", "pretty"))));
        Assert.Equal(503, status);
        // Plain compact JSON, whatever the request asked for: the answer of something between the client and the service.
        Assert.Equal("""{"success":false,"flash":"Injected fault after processing","exception_reference":"EMU-LATE-503"}""", body);
    }

    [Fact]
    public async Task AWrongAuthenticityTokenSaysSoInFailureMessage()
    {
        using var client = Client(Emu);
        var (sessionId, _, _) = await LoginAsync(client, Emu);
        var request = WithSession(HttpMethod.Put, "crm/organisations.api", sessionId);
        request.Content = Form(("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "Token Ltd"), ("_authenticity_token", "wrong"));
        var (status, body) = await SendAsync(client, request);
        Assert.Equal(403, status);
        Assert.Equal("""{"success":false,"failure_reason":"invalid_authenticity_token","failure_message":"The _authenticity_token does not belong to this session.","flash":"Changes require the session's _authenticity_token."}""", body);
    }

    [Fact]
    public async Task AnUnusableLoginIsRejected()
    {
        using var client = Client(Emu);
        var (status, body) = await SendAsync(client, new HttpRequestMessage(HttpMethod.Post, new Uri("login.api", UriKind.Relative)) { Content = Form(("username", "someone")) });
        Assert.Equal(406, status);
        Assert.Equal("""{"success":false,"flash":"Valid login parameter combinations are (api_key), (username, password) or (username, session_id, logical_database_id)."}""", body);
    }

    [Fact]
    public async Task AnAmbiguousPdfListsTheTemplatesAfterTheFlash()
    {
        var id = Emu.DefaultDatabase.Ids("accounting/quotations")[0];
        using var client = Client(Emu);
        var (status, body) = await SendAsync(client, Get(WithKey(Emu, $"accounting/quotations/{id}.pdf")));
        Assert.Equal(406, status);
        Assert.Equal("""{"success":false,"flash":"Several templates can render this document: choose one with the template parameter.","templates":[{"id":34,"name":"Portrait"},{"id":35,"name":"Landscape"}]}""", body);
    }

    [Fact]
    public void TheWriterPutsEveryPartInTheDocumentedOrder()
    {
        var failure = new Failure(418, "Flash")
        {
            Reason = "reason",
            Message = "Message",
            ExceptionReference = "REF",
            ExceptionDetail = "Detail",
            Errors = new Dictionary<string, string> { ["field"] = "wrong" },
            Extra = w => w.WriteNumber("extra", 1),
        };
        Assert.Equal("""{"success":false,"failure_reason":"reason","failure_message":"Message","flash":"Flash","exception_reference":"REF","exception_detail":"Detail","errors":{"field":["wrong"]},"extra":1}""",
            Encoding.UTF8.GetString(FailureWriter.Render(failure)));
        // Without a reason there is no failure_message either; with one and no message, the flash is the message.
        Assert.Equal("""{"success":false,"flash":"Flash"}""", Encoding.UTF8.GetString(FailureWriter.Render(new Failure(400, "Flash"))));
        Assert.Equal("""{"success":false,"failure_reason":"r","failure_message":"Flash","flash":"Flash"}""", Encoding.UTF8.GetString(FailureWriter.Render(new Failure(400, "Flash") { Reason = "r" })));
    }
}
