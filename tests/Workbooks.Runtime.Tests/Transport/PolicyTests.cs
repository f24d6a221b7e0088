using Workbooks.Transport.Policies;
using System.Net;

namespace Workbooks.Runtime.Tests.Transport;

/// <summary>The retry, redirect and session policies, each against a scripted handler (no server, milliseconds each).</summary>
public sealed class PolicyTests
{
    private static WorkbooksRequest Read() => new(WorkbooksRequestKind.Read, "crm/people");

    private static WorkbooksRequest Change() => new WorkbooksRequest(WorkbooksRequestKind.Change, "crm/people").Add("__method[]", "PUT");

    [Fact]
    public async Task AReadIsRetriedAfterA5xxAndAConnectionFailure()
    {
        var handler = new RecordingHandler().Then(HttpStatusCode.ServiceUnavailable).ThenThrow(new HttpRequestException("reset"));
        using var response = await handler.Pipeline().SendAsync(Read(), default);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task AReadGivesUpAfterMaxRetriesWithATypedError()
    {
        var handler = new RecordingHandler { Otherwise = _ => throw new HttpRequestException("refused") };
        var error = await Assert.ThrowsAsync<WorkbooksTransportException>(() => handler.Pipeline(o => o.MaxRetries = 2).SendAsync(Read(), default));

        Assert.Equal(3, handler.Requests.Count);
        Assert.False(error.OutcomeUnknown);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task AChangeIsNeverRetriedBlindly()
    {
        var handler = new RecordingHandler().ThenThrow(new IOException("reset after sending"));
        var error = await Assert.ThrowsAsync<WorkbooksTransportException>(() => handler.Pipeline().SendAsync(Change(), default));

        Assert.Single(handler.Requests);
        Assert.True(error.OutcomeUnknown);
    }

    [Fact]
    public async Task AChangeAnswered5xxIsNotRetried()
    {
        var handler = new RecordingHandler().Then(HttpStatusCode.InternalServerError, """{"success":false,"exception_reference":"X-1"}""");
        var error = await Assert.ThrowsAsync<WorkbooksServiceException>(() => handler.Pipeline().SendAsync(Change(), default));

        Assert.Single(handler.Requests);
        Assert.Equal("X-1", error.ExceptionReference);
    }

    [Fact]
    public async Task ADelayingRedirectIsFollowedToItsExactLocationWithTheSameMethodAndBody()
    {
        var handler = new RecordingHandler().ThenRedirect("/wait?until=1");
        using var response = await handler.Pipeline().SendAsync(Change(), default);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal("https://service.example/wait?until=1", handler.Requests[1].Url.ToString());
        Assert.Equal("PUT", handler.Requests[1].Method);
        Assert.Equal(handler.Requests[0].Body, handler.Requests[1].Body);
        Assert.Equal("Workbooks-Session=session-1", handler.Requests[1].Cookie);
    }

    [Fact]
    public async Task ARedirectToAnotherOriginIsRefusedAndNoSecretLeaves()
    {
        var handler = new RecordingHandler().ThenRedirect("https://elsewhere.example/crm/people.api");
        var error = await Assert.ThrowsAsync<WorkbooksException>(() => handler.Pipeline().SendAsync(Change(), default));

        Assert.Contains("another origin", error.Message, StringComparison.Ordinal);
        Assert.All(handler.Requests, r => Assert.Equal("https://service.example", r.Origin));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task EndlessDelayingRedirectsEndInARateLimitError()
    {
        var handler = new RecordingHandler { Otherwise = _ => { var r = new HttpResponseMessage(HttpStatusCode.Found); r.Headers.Location = new Uri("/slow-down", UriKind.Relative); return r; } };
        await Assert.ThrowsAsync<WorkbooksRateLimitException>(() => handler.Pipeline(o => o.MaxRedirects = 3).SendAsync(Read(), default));

        Assert.Equal(4, handler.Requests.Count);
    }

    [Fact]
    public async Task ALogoutRedirectIsItsAnswerNotSomethingToFollow()
    {
        var handler = new RecordingHandler().ThenRedirect("/login");
        using var response = await handler.Pipeline().SendRawAsync(new WorkbooksRequest(WorkbooksRequestKind.Logout, "logout"), default);

        Assert.Equal(HttpStatusCode.Found, response.Status);
        Assert.Single(handler.Requests);
        Assert.DoesNotContain("client=api", handler.Requests[0].Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("login redirect")]
    public async Task ALostSessionIsReestablishedOnceAndTheRequestReplayed(string how)
    {
        var handler = new RecordingHandler();
        if (how == "expired")
            handler.Then(HttpStatusCode.Unauthorized, """{"success":false,"failure_reason":"session_expired"}""");
        else
            handler.ThenRedirect("https://service.example/login");
        var relogins = 0;
        WorkbooksPipeline pipeline = null!;
        pipeline = handler.Pipeline(relogin: _ =>
        {
            relogins++;
            pipeline.Session.Establish("session-2", "token-2");
            return Task.CompletedTask;
        });

        using var response = await pipeline.SendAsync(Change(), default);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(1, relogins);
        Assert.Equal(["Workbooks-Session=session-1", "Workbooks-Session=session-2"], handler.Requests.Select(r => r.Cookie));
        Assert.Contains("_authenticity_token=token-2", handler.Requests[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A401ForAnotherReasonIsNotAReloginTrigger()
    {
        var handler = new RecordingHandler().Then(HttpStatusCode.Unauthorized, """{"success":false,"failure_reason":"invalid_authenticity_token"}""");
        var relogins = 0;
        var pipeline = handler.Pipeline(relogin: _ => { relogins++; return Task.CompletedTask; });

        await Assert.ThrowsAsync<WorkbooksSessionException>(() => pipeline.SendAsync(Change(), default));
        Assert.Equal(0, relogins);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task ARotatedSessionCookieIsAdopted()
    {
        var handler = new RecordingHandler().Then(_ =>
        {
            var response = RecordingHandler.Json(HttpStatusCode.OK, "{}");
            response.Headers.Add("Set-Cookie", "Workbooks-Session=rotated; path=/; HttpOnly");
            return response;
        });
        var pipeline = handler.Pipeline();

        using (await pipeline.SendAsync(Read(), default)) { }
        using (await pipeline.SendAsync(Read(), default)) { }

        Assert.Equal("rotated", pipeline.Session.SessionId);
        Assert.Equal("Workbooks-Session=rotated", handler.Requests[1].Cookie);
    }

    [Fact]
    public async Task ApiKeyPerRequestSendsTheKeyAndNoCookie()
    {
        var handler = new RecordingHandler();
        using (await handler.Pipeline(o => o.Authentication = WorkbooksAuthentication.ApiKeyPerRequest).SendAsync(Read(), default)) { }

        Assert.Null(handler.Requests[0].Cookie);
        Assert.Contains("api_key=key-not-for-other-origins", handler.Requests[0].Url.Query, StringComparison.Ordinal);
    }
}
