using System.Net;
using Workbooks.Emulator.Tests.TestSupport;

namespace Workbooks.Emulator.Tests;

public sealed class SessionTests : IClassFixture<SharedEmulator>
{
    private readonly WorkbooksEmulator _emu;

    public SessionTests(SharedEmulator shared) => _emu = shared.Emulator;

    [Fact]
    public async Task ApiKeyLoginReturnsTheDocumentedFieldsAndTheSessionCookie()
    {
        using var wire = new Wire(_emu);
        var login = await wire.LoginAsync(("api_key", _emu.ApiKey), ("json", "pretty"));

        Assert.Equal(HttpStatusCode.OK, login.Status);
        var json = login.Json;
        foreach (var key in new[] { "database_name", "logical_database_id", "default_database_id", "user_id", "version", "api_version", "timezone", "databases", "authenticity_token", "person_name", "login_name", "my_queues", "database_instance_id", "session_id" })
            Assert.True(json.TryGetProperty(key, out _), $"login response lacks {key}");
        Assert.Equal(40, json.GetProperty("authenticity_token").GetString()!.Length);
        Assert.Matches("^[0-9a-f]{32}$", json.GetProperty("session_id").GetString());
        Assert.Contains("Workbooks-Session=" + json.GetProperty("session_id").GetString(), login.SetCookie);
        Assert.Contains("\n  \"", login.Body); // json=pretty pretty-prints the session's output
    }

    [Fact]
    public async Task EverySessionModeResponseCarriesTheSessionCookie()
    {
        using var wire = new Wire(_emu);
        await wire.LoginAsync(("api_key", _emu.ApiKey));
        var page = await wire.GetAsync("crm/people.api", Filters.Page(0, 1));
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("Workbooks-Session=" + wire.SessionId, page.SetCookie);
    }

    [Fact]
    public async Task PasswordLoginWithSeveralDatabasesAsksForASelectionThenAcceptsIt()
    {
        var consultant = _emu.Users.Single(u => u.DatabaseIds.Count > 1);
        using var wire = new Wire(_emu);

        var first = await wire.LoginAsync(("username", consultant.Username), ("password", consultant.Password));
        Assert.Equal(HttpStatusCode.Forbidden, first.Status);
        Assert.Equal("no_database_selection_made", first.Json.GetProperty("failure_reason").GetString());
        var offered = first.Json.GetProperty("databases").EnumerateArray().Select(d => d.GetProperty("id").GetInt32()).ToArray();
        Assert.Equal(consultant.DatabaseIds, offered);
        Assert.True(first.Json.TryGetProperty("default_database_id", out _));

        var second = await wire.LoginAsync(("username", consultant.Username), ("password", consultant.Password), ("logical_database_id", "6"));
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(6, second.Json.GetProperty("logical_database_id").GetInt32());
        Assert.Equal("Sample Sandbox", second.Json.GetProperty("database_name").GetString());
    }

    [Fact]
    public async Task PasswordsWithFormSpecialCharactersSurviveEncoding()
    {
        var consultant = _emu.Users.Single(u => u.Password.Contains('&'));
        using var wire = new Wire(_emu);
        var login = await wire.LoginAsync(("username", consultant.Username), ("password", consultant.Password), ("logical_database_id", "3"));
        Assert.Equal(HttpStatusCode.OK, login.Status);
    }

    [Fact]
    public async Task WrongPasswordIsUnrecognisedNameOrPassword()
    {
        using var wire = new Wire(_emu);
        var login = await wire.LoginAsync(("username", _emu.Users[0].Username), ("password", "nope"));
        Assert.Equal(HttpStatusCode.Unauthorized, login.Status);
        Assert.Equal("unrecognised_name_or_password", login.Json.GetProperty("failure_reason").GetString());
        Assert.False(login.Json.GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task LoginWithoutUserAgentIsRefused()
    {
        using var http = new HttpClient { BaseAddress = _emu.BaseAddress };
        using var response = await http.PostAsync("login.api", new FormUrlEncodedContent([new("api_key", _emu.ApiKey), new("client", "api"), new("api_version", "1")]));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("user_agent_required", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AReservedApplicationNameIsRefused()
    {
        using var wire = new Wire(_emu);
        var login = await wire.LoginAsync(("api_key", _emu.ApiKey), ("_application_name", "Workbooks"));
        Assert.Equal(403, (int)login.Status);
        Assert.Equal("invalid_application_name", login.Json.GetProperty("failure_reason").GetString());
    }

    [Fact]
    public async Task TheCSharpBindingsNullStringsInLoginFieldsMeanAbsent()
    {
        using var wire = new Wire(_emu);
        var login = await wire.LoginAsync(("api_key", _emu.ApiKey), ("username", "null"), ("session_id", "null"), ("logical_database_id", "null"));
        Assert.Equal(HttpStatusCode.OK, login.Status);
    }

    [Fact]
    public async Task ReconnectingHandsOutANewSessionAndRetiresTheOldOne()
    {
        var admin = _emu.Users[0];
        using var wire = new Wire(_emu);
        var first = await wire.LoginAsync(("username", admin.Username), ("password", admin.Password));
        var oldId = first.Json.GetProperty("session_id").GetString()!;

        using var other = new Wire(_emu);
        var reconnect = await other.LoginAsync(("username", admin.Username), ("session_id", oldId), ("logical_database_id", "3"));
        Assert.Equal(HttpStatusCode.OK, reconnect.Status);
        Assert.NotEqual(oldId, reconnect.Json.GetProperty("session_id").GetString());

        var stale = await wire.GetAsync("crm/people.api", Filters.Page(0, 1));
        Assert.Equal(HttpStatusCode.Found, stale.Status);

        using var third = new Wire(_emu);
        var again = await third.LoginAsync(("username", admin.Username), ("session_id", oldId), ("logical_database_id", "3"));
        Assert.Equal(HttpStatusCode.Unauthorized, again.Status);
        Assert.Equal("no_session_found", again.Json.GetProperty("failure_reason").GetString());
    }

    [Fact]
    public async Task ChangesInSessionModeRequireTheAuthenticityToken()
    {
        using var wire = new Wire(_emu);
        await wire.LoginAsync(("api_key", _emu.ApiKey));
        (string, string)[] create = [("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "Token Test Ltd"), ("_ff[]", "id"), ("_ft[]", "eq"), ("_fc[]", "0")];

        var without = await wire.SendAsync(HttpMethod.Put, "crm/organisations.api", create);
        Assert.Equal(HttpStatusCode.Forbidden, without.Status);
        Assert.Equal("invalid_authenticity_token", without.Json.GetProperty("failure_reason").GetString());

        var with = await wire.PutAsync("crm/organisations.api", create);
        Assert.Equal(HttpStatusCode.OK, with.Status);
        Assert.True(with.Json.GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task PerRequestApiKeyWorksWithoutASessionOrToken()
    {
        using var wire = new Wire(_emu);
        var page = await wire.GetAsync("crm/people.api", [("api_key", _emu.ApiKey), ("_api_version", "1"), .. Filters.Page(0, 3)]);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal(3, page.Data.Length);
        Assert.Null(page.SetCookie);

        var change = await wire.SendAsync(HttpMethod.Put, "crm/organisations.api",
            [("api_key", _emu.ApiKey), ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "Key Mode Ltd")]);
        Assert.True(change.Json.GetProperty("success").GetBoolean(), change.Body);
    }

    [Fact]
    public async Task AnUnknownApiKeyIsRefused()
    {
        using var wire = new Wire(_emu);
        var page = await wire.GetAsync("crm/people.api", ("api_key", "00000-00000-00000-00000-00000-00000-00000-00000"));
        Assert.Equal(HttpStatusCode.Unauthorized, page.Status);
    }
}

/// <summary>Every documented login failure_reason is reachable by configuration.</summary>
/// <remarks>
/// Each test starts an emulator of its own: it configures the users or databases differently, or (the forced reason)
/// sets a server-wide control, so a shared one would not do.
/// </remarks>
public sealed class LoginFailureTests
{
    public static TheoryData<string, int> UserReasons => new()
    {
        { "password_expired", 401 }, { "no_permission_for_api", 403 }, { "login_disabled", 401 }, { "client_not_licensed", 401 },
        { "licence_expired", 401 }, { "no_licensed_edition", 401 }, { "client_not_activated", 401 },
    };

    [Theory]
    [MemberData(nameof(UserReasons))]
    public async Task AUserFlaggedWithAReasonFailsWithThatReasonAndStatus(string reason, int status)
    {
        var options = Small();
        options.ApplyDefaultsForTest();
        options.Users[0].LoginFailureReason = reason;
        await using var emu = await WorkbooksEmulator.StartAsync(options);
        using var wire = new Wire(emu);
        var login = await wire.LoginAsync(("username", emu.Users[0].Username), ("password", emu.Users[0].Password));
        Assert.Equal(status, (int)login.Status);
        Assert.Equal(reason, login.Json.GetProperty("failure_reason").GetString());
        Assert.Equal(reason, (await wire.LoginAsync(("api_key", emu.ApiKey))).Json.GetProperty("failure_reason").GetString());
    }

    [Theory]
    [InlineData(DatabaseAvailability.BeingMigrated, "database_being_migrated")]
    [InlineData(DatabaseAvailability.Archived, "database_archived")]
    [InlineData(DatabaseAvailability.Unavailable, "requested_database_not_available")]
    public async Task DatabaseStatesGiveTheirDocumentedReasons(DatabaseAvailability availability, string reason)
    {
        var options = Small();
        options.ApplyDefaultsForTest();
        options.Databases[0].Availability = availability;
        await using var emu = await WorkbooksEmulator.StartAsync(options);
        using var wire = new Wire(emu);
        var login = await wire.LoginAsync(("api_key", emu.ApiKey));
        Assert.Equal(403, (int)login.Status);
        Assert.Equal(reason, login.Json.GetProperty("failure_reason").GetString());
    }

    [Fact]
    public async Task AUserWithoutAvailableDatabasesGetsNoAvailableDatabase()
    {
        var options = Small();
        options.Users.Add(new EmulatorUser("nobody@sample.example", "pw", "No Body", []));
        options.ApiKeys.Add(new EmulatorApiKey("11111-11111-11111-11111-11111-11111-11111-11111", "nobody@sample.example", 3));
        options.Databases.Add(new EmulatorDatabaseInfo(3, "Sample Database"));
        await using var emu = await WorkbooksEmulator.StartAsync(options);
        using var wire = new Wire(emu);
        var login = await wire.LoginAsync(("username", "nobody@sample.example"), ("password", "pw"));
        Assert.Equal("no_available_database", login.Json.GetProperty("failure_reason").GetString());
    }

    [Fact]
    public async Task AForcedUndocumentedReasonIsReportedOnce()
    {
        await using var emu = await WorkbooksEmulator.StartAsync(Small());
        emu.Control.ForcedLoginFailure = "brand_new_reason";
        using var wire = new Wire(emu);
        var failed = await wire.LoginAsync(("api_key", emu.ApiKey));
        Assert.Equal("brand_new_reason", failed.Json.GetProperty("failure_reason").GetString());
        Assert.Equal(HttpStatusCode.OK, (await wire.LoginAsync(("api_key", emu.ApiKey))).Status);
    }

    private static WorkbooksEmulatorOptions Small() => new() { PeopleCount = 10, OrganisationCount = 10, OtherRecordCount = 2 };
}

internal static class OptionsExtensions
{
    public static void ApplyDefaultsForTest(this WorkbooksEmulatorOptions options) => options.ApplyDefaults();
}
