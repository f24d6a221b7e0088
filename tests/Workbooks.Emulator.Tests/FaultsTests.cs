using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Workbooks.Emulator.Tests.TestSupport;
using static Workbooks.Emulator.Tests.TestSupport.ExtrasHttp;

namespace Workbooks.Emulator.Tests;

/// <summary>Injected faults, rate limiting, session expiry, churn and malformed input, over real HTTP.</summary>
public sealed class FaultsTests(ExtrasEmulatorFixture fixture) : IClassFixture<ExtrasEmulatorFixture>
{
    private WorkbooksEmulator Emu => fixture.Emulator;

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>A person created for this test alone, so the shared emulator's other tests are not disturbed.</summary>
    private long NewPerson(string name) =>
        Emu.DefaultDatabase.Insert("crm/people", new Dictionary<string, string?> { ["name"] = name, ["main_location[town]"] = "Before" });

    private HttpRequestMessage RenamePut(long id, string town)
    {
        var lockVersion = Emu.DefaultDatabase.Get("crm/people", id)!["lock_version"]!;
        return new HttpRequestMessage(HttpMethod.Put, new Uri(WithKey(Emu, "crm/people.api"), UriKind.Relative))
        {
            Content = Form(("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", Id(id)),
                ("__method[]", "PUT"), ("id[]", Id(id)), ("lock_version[]", lockVersion), ("main_location[town][]", town)),
        };
    }

    private string TownOf(long id) => Emu.DefaultDatabase.Get("crm/people", id)!["main_location[town]"]!;

    // ---------- server errors ----------

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task InjectedServerErrorAnswersTheStatusWithAnExceptionReferenceAndHasNoEffect(int statusCode)
    {
        var id = NewPerson("Server Error " + statusCode);
        using var client = Client(Emu);
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.ServerError) { StatusCode = statusCode, PathContains = "/crm/people", Method = "PUT" });

        using var response = await client.SendAsync(RenamePut(id, "After"));
        var json = await ReadJsonAsync(response);

        Assert.Equal(statusCode, (int)response.StatusCode);
        Assert.False(json.GetProperty("success").GetBoolean());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("exception_reference").GetString()));
        Assert.Equal("Before", TownOf(id));

        // The fault was consumed: the same change now goes through.
        using var again = await client.SendAsync(RenamePut(id, "After"));
        Assert.True(again.StatusCode == HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
        Assert.Equal("After", TownOf(id));
    }

    // ---------- delaying redirects ----------

    [Fact]
    public async Task DelayingRedirectSendsTheClientToADelayUrlThatWaitsThenReturnsItToTheOriginalRequest()
    {
        using var client = Client(Emu);
        var delay = TimeSpan.FromMilliseconds(200);
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.DelayingRedirect) { Delay = delay, PathContains = "/crm/organisations" });
        var original = WithKey(Emu, "crm/organisations.api", ("_start", "0"), ("_limit", "2"));

        using var first = await client.GetAsync(new Uri(original, UriKind.Relative));
        Assert.Equal(HttpStatusCode.Found, first.StatusCode);
        var delayUrl = first.Headers.Location!;
        Assert.StartsWith("/_delay/", delayUrl.OriginalString, StringComparison.Ordinal);

        var clock = Stopwatch.StartNew();
        using var delayed = await client.GetAsync(delayUrl);
        clock.Stop();
        Assert.Equal(HttpStatusCode.Found, delayed.StatusCode);
        Assert.True(clock.Elapsed >= delay - TimeSpan.FromMilliseconds(15), $"the delaying URL answered after {clock.Elapsed}");
        Assert.Equal("/" + original, delayed.Headers.Location!.OriginalString);

        var (status, json) = await GetJsonAsync(client, delayed.Headers.Location.OriginalString.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, json.GetProperty("data").GetArrayLength());

        // A delaying URL is good for one use.
        using var reused = await client.GetAsync(delayUrl);
        Assert.Equal(HttpStatusCode.NotFound, reused.StatusCode);
    }

    [Fact]
    public async Task RateLimitRedirectsTheFourthRequestWithinASecond()
    {
        // An emulator of its own: a rate limit and a manual clock are server-wide options.
        var clock = new ExtrasManualClock(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
        await using var emu = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions
        {
            PeopleCount = 20,
            OrganisationCount = 5,
            OtherRecordCount = 2,
            RateLimit = new EmulatorRateLimit(3, TimeSpan.FromMilliseconds(20)),
            TimeProvider = clock,
        });
        using var client = Client(emu);
        var url = WithKey(emu, "crm/people.api", ("_start", "0"), ("_limit", "1"));

        for (var i = 0; i < 3; i++)
        {
            using var ok = await client.GetAsync(new Uri(url, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using var fourth = await client.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.Found, fourth.StatusCode);
        Assert.StartsWith("/_delay/", fourth.Headers.Location!.OriginalString, StringComparison.Ordinal);

        using var back = await client.GetAsync(fourth.Headers.Location);
        Assert.Equal(HttpStatusCode.Found, back.StatusCode);
        Assert.Equal("/" + url, back.Headers.Location!.OriginalString);

        clock.Advance(TimeSpan.FromSeconds(1));
        using var retried = await client.GetAsync(back.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
    }

    // ---------- slow and broken responses ----------

    [Fact]
    public async Task SlowResponseArrivesAfterAtLeastTheDelay()
    {
        using var client = Client(Emu);
        var delay = TimeSpan.FromMilliseconds(300);
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.Slow) { Delay = delay, PathContains = "/crm/organisations" });

        var clock = Stopwatch.StartNew();
        var (status, json) = await GetJsonAsync(client, WithKey(Emu, "crm/organisations.api", ("_start", "0"), ("_limit", "1")));
        clock.Stop();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(json.GetProperty("success").GetBoolean());
        Assert.True(clock.Elapsed >= delay - TimeSpan.FromMilliseconds(15), $"answered after {clock.Elapsed}");
    }

    [Fact]
    public async Task TruncatedResponseFailsToReadButTheChangeWasApplied()
    {
        var id = NewPerson("Truncated");
        using var client = Client(Emu);
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.TruncateResponse) { PathContains = "/crm/people", Method = "PUT" });

        var error = await Record.ExceptionAsync(async () =>
        {
            using var response = await client.SendAsync(RenamePut(id, "Truncated After"), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsByteArrayAsync();
        });

        Assert.True(error is HttpRequestException or IOException, $"expected a transport failure, got {error?.GetType().Name ?? "none"}");
        Assert.Equal("Truncated After", TownOf(id));
    }

    [Fact]
    public async Task DroppedConnectionFailsAndTheChangeWasNotApplied()
    {
        var id = NewPerson("Dropped");
        using var client = Client(Emu);
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.DropConnection) { PathContains = "/crm/people", Method = "PUT" });

        var error = await Record.ExceptionAsync(async () =>
        {
            using var response = await client.SendAsync(RenamePut(id, "Dropped After"));
        });

        Assert.True(error is HttpRequestException or IOException, $"expected a transport failure, got {error?.GetType().Name ?? "none"}");
        Assert.Equal("Before", TownOf(id));
    }

    [Fact]
    public async Task ConnectionDroppedAfterProcessingFailsButTheChangeWasApplied()
    {
        var id = NewPerson("Dropped Late");
        using var client = Client(Emu);
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.DropConnectionAfterProcessing) { PathContains = "/crm/people", Method = "PUT" });

        var error = await Record.ExceptionAsync(async () =>
        {
            using var response = await client.SendAsync(RenamePut(id, "Dropped Late After"));
        });

        Assert.True(error is HttpRequestException or IOException, $"expected a transport failure, got {error?.GetType().Name ?? "none"}");
        Assert.Equal("Dropped Late After", TownOf(id));
    }

    // ---------- sessions ----------

    private async Task<HttpStatusCode> StatusWithSessionAsync(HttpClient client, string sessionId)
    {
        using var response = await client.SendAsync(WithSession(HttpMethod.Get, "crm/organisations.api?_start=0&_limit=1", sessionId));
        return response.StatusCode;
    }

    private static async Task AssertSessionExpiredAsync(HttpClient client, string sessionId)
    {
        using var response = await client.SendAsync(WithSession(HttpMethod.Get, "crm/organisations.api?_start=0&_limit=1", sessionId));
        var json = await ReadJsonAsync(response);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(json.GetProperty("success").GetBoolean());
        Assert.Equal("session_expired", json.GetProperty("failure_reason").GetString());
    }

    [Fact]
    public async Task ExpireSessionFaultGivesTheNextRequest401SessionExpired()
    {
        using var client = Client(Emu);
        var (session, _, login) = await LoginAsync(client, Emu);
        login.Dispose();
        Assert.Equal(HttpStatusCode.OK, await StatusWithSessionAsync(client, session));

        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.ExpireSession) { PathContains = "/crm/organisations" });

        await AssertSessionExpiredAsync(client, session);
        await AssertSessionExpiredAsync(client, session); // and it stays expired
    }

    [Fact]
    public async Task ExpireAllSessionsGivesEverySession401SessionExpiredWhileApiKeysStillWork()
    {
        using var client = Client(Emu);
        var (first, _, login1) = await LoginAsync(client, Emu);
        var (second, _, login2) = await LoginAsync(client, Emu);
        login1.Dispose();
        login2.Dispose();

        Emu.Control.ExpireAllSessions();

        await AssertSessionExpiredAsync(client, first);
        await AssertSessionExpiredAsync(client, second);
        var (status, _) = await GetJsonAsync(client, WithKey(Emu, "crm/organisations.api", ("_start", "0"), ("_limit", "1")));
        Assert.Equal(HttpStatusCode.OK, status);
        var (fresh, _, login3) = await LoginAsync(client, Emu);
        login3.Dispose();
        Assert.Equal(HttpStatusCode.OK, await StatusWithSessionAsync(client, fresh));
    }

    [Fact]
    public async Task UnknownSessionCookieIsRedirectedAndNoCredentialsGet401NoSession()
    {
        using var client = Client(Emu);

        Assert.Equal(HttpStatusCode.Found, await StatusWithSessionAsync(client, "0123456789abcdef0123456789abcdef"));
        Assert.Equal(HttpStatusCode.Found, await StatusWithSessionAsync(client, "garbage; <>!"));

        var (status, json) = await GetJsonAsync(client, "crm/organisations.api?_start=0&_limit=1");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.False(json.GetProperty("success").GetBoolean());
        Assert.Equal("no_session", json.GetProperty("failure_reason").GetString());
    }

    [Fact]
    public async Task LogoutRedirectsAndTheSessionNoLongerWorks()
    {
        using var client = Client(Emu);
        var (session, _, login) = await LoginAsync(client, Emu);
        login.Dispose();
        Assert.Equal(HttpStatusCode.OK, await StatusWithSessionAsync(client, session));

        using var logout = await client.SendAsync(WithSession(HttpMethod.Post, "logout", session));

        Assert.Equal(HttpStatusCode.Found, logout.StatusCode);
        Assert.NotNull(logout.Headers.Location);
        Assert.Equal(HttpStatusCode.Found, await StatusWithSessionAsync(client, session));
    }

    [Fact]
    public async Task SessionExpiresAfterTheInactivityTimeout()
    {
        // An emulator of its own: the inactivity timeout and a manual clock are server-wide options.
        var clock = new ExtrasManualClock(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
        await using var emu = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions
        {
            PeopleCount = 20,
            OrganisationCount = 5,
            OtherRecordCount = 2,
            SessionInactivityTimeout = TimeSpan.FromMinutes(30),
            TimeProvider = clock,
        });
        using var client = Client(emu);
        var (session, _, login) = await LoginAsync(client, emu);
        login.Dispose();

        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(HttpStatusCode.OK, await StatusWithSessionAsync(client, session)); // activity restarts the timeout

        clock.Advance(TimeSpan.FromMinutes(31));
        await AssertSessionExpiredAsync(client, session);
    }

    // ---------- churn ----------

    [Fact]
    public async Task ChurnInsertsAndDeletesTheConfiguredNumbersOfRecordsAfterEachIndexRequest()
    {
        var db = Emu.DefaultDatabase;
        using var client = Client(Emu);
        var before = db.Ids("crm/people");
        var allBefore = db.Count("crm/people", includeDeleted: true);
        Emu.Control.Churn = new ConcurrentChurn("crm/people", 2, 2);
        try
        {
            var (status, _) = await GetJsonAsync(client, WithKey(Emu, "crm/people.api", ("_start", "0"), ("_limit", "5")));
            Assert.Equal(HttpStatusCode.OK, status);
        }
        finally
        {
            Emu.Control.Churn = null;
        }

        var after = db.Ids("crm/people");
        Assert.Equal(before.Count, after.Count); // 2 in, 2 out
        Assert.Equal(2, before.Except(after).Count());
        Assert.Equal(2, after.Except(before).Count());
        Assert.Equal(allBefore + 2, db.Count("crm/people", includeDeleted: true));
        Assert.All(after.Except(before), id => Assert.True(id > before.Max()));
    }

    // ---------- malformed input ----------

    public static TheoryData<string, string, string> MalformedRequests => new()
    {
        { "bad _fm expression", "GET", "crm/people.api?_ff[]=id&_ft[]=gt&_fc[]=1&_fm=1%20AND%20(" },
        { "_fm naming a missing filter", "GET", "crm/people.api?_ff[]=id&_ft[]=gt&_fc[]=1&_fm=1%20AND%207" },
        { "unknown filter field", "GET", "crm/people.api?_ff[]=no_such_field&_ft[]=eq&_fc[]=1" },
        { "unknown operator", "GET", "crm/people.api?_ff[]=id&_ft[]=zz&_fc[]=1" },
        { "_limit=abc", "GET", "crm/people.api?_start=0&_limit=abc" },
        { "_start=abc", "GET", "crm/people.api?_start=abc&_limit=10" },
        { "mismatched _ff/_ft/_fc", "GET", "crm/people.api?_ff[]=id&_ff[]=name&_ft[]=eq&_fc[]=1&_fc[]=2" },
        { "bad _dir", "GET", "crm/people.api?_sort=id&_dir=SIDEWAYS" },
        { "non-square change arrays", "PUT", "__method[]=PUT&__method[]=PUT&id[]=1&lock_version[]=0&lock_version[]=0&name[]=a&name[]=b" },
        { "non-square field column", "PUT", "__method[]=POST&__method[]=POST&id[]=0&id[]=0&lock_version[]=0&lock_version[]=0&name[]=a" },
        { "more than 100 objects", "PUT", string.Join('&', Enumerable.Range(0, 101).Select(_ => "__method[]=POST&id[]=0&lock_version[]=0&name[]=x")) },
        { "unknown __method", "PUT", "__method[]=FROB&id[]=0&lock_version[]=0" },
        { "unknown path", "GET", "no/such/thing.api" },
        { "unknown extension", "GET", "crm/people.xyz" },
        { "DELETE verb", "DELETE", "crm/people.api" },
        { "PATCH verb", "PATCH", "crm/people.api" },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task MalformedInputGetsAJsonClientErrorNeverA500(string what, string method, string request)
    {
        using var client = Client(Emu);
        HttpRequestMessage message;
        if (method == "PUT")
        {
            message = new HttpRequestMessage(HttpMethod.Put, new Uri(WithKey(Emu, "crm/people.api"), UriKind.Relative))
            {
                Content = new StringContent(request, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
            };
        }
        else
        {
            var separator = request.Contains('?', StringComparison.Ordinal) ? "&" : "?";
            message = new HttpRequestMessage(new HttpMethod(method), new Uri(request + separator + "api_key=" + Uri.EscapeDataString(Emu.ApiKey), UriKind.Relative));
        }
        var countBefore = Emu.DefaultDatabase.Count("crm/people", includeDeleted: true);

        using var response = await client.SendAsync(message);
        var json = await ReadJsonAsync(response);

        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500 or 501, $"{what}: HTTP {status} {json}");
        Assert.Equal(JsonValueKind.False, json.GetProperty("success").ValueKind);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(countBefore, Emu.DefaultDatabase.Count("crm/people", includeDeleted: true));
        switch (what)
        {
            case "unknown path": Assert.Equal(404, status); break;
            case "DELETE verb": Assert.Equal(405, status); break;
            case "PATCH verb": Assert.Equal(501, status); break;
        }
    }

    // ---------- latency ----------

    [Fact]
    public async Task ARequestAbandonedDuringTheLatencyIsStillRecorded()
    {
        await using var emu = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions
        {
            PeopleCount = 5,
            OrganisationCount = 2,
            Latency = TimeSpan.FromSeconds(2),
        });
        using var client = Client(emu);
        // A first request, waited for: the connection is open and the server warm, so the next one surely reaches it
        // before the client gives up (a cold start under load could otherwise outlast the client's patience).
        using (var warm = await client.GetAsync(new Uri(WithKey(emu, "crm/organisations.api"), UriKind.Relative)))
            Assert.True(warm.IsSuccessStatusCode);

        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync(new Uri(WithKey(emu, "crm/people.api"), UriKind.Relative), giveUp.Token));

        // The client went away while the request was on its way: it is recorded all the same (with the status the
        // response had when it was abandoned), as any other request whose response never started.
        var waited = Stopwatch.StartNew();
        while (!emu.Control.Requests.Any(r => r.Path == "/crm/people.api") && waited.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(50);
        Assert.Contains(emu.Control.Requests, r => r.Path == "/crm/people.api");
    }
}
