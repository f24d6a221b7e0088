using System.Text;

namespace Workbooks.Runtime.Tests.Reading;

public sealed class LoginResponseTests
{
    private const string Success = """
        {"database_name":"System Test","logical_database_id":3,"default_database_id":3,"user_id":2,"version":"Development (build 6009)",
         "api_version":1,"timezone":"London","databases":[{"name":"System Test","id":3,"created_at":"Mon Jan 05 14:30:11 UTC 2009"},{"name":"Sandbox","id":6,"created_at":"Mon Jan 05 14:30:11 UTC 2009"}],
         "authenticity_token":"dd2f9393d7739b0cb1f4be470abd08a2a7276473","person_name":"System Test","login_name":"system_test@workbooks.com",
         "my_queues":{"Private::Crm::PersonQueue":3,"Private::Activity::ActivityQueue":4},"database_instance_id":123122,
         "session_id":"159376d01524f2870e77ecc5f6c2d4c3","success":true,"something_new":{"x":1}}
        """;

    private const string NoSelection = """
        {"success":false,"failure_reason":"no_database_selection_made","failure_message":"Choose a database.","flash":"Choose a database.",
         "default_database_id":3,"databases":[{"name":"Sample Database","id":3,"created_at":"Mon Jan 05 14:30:11 UTC 2009"},{"name":"Sample Sandbox","id":6,"created_at":"Mon Jan 05 14:30:11 UTC 2009"}]}
        """;

    [Fact]
    public async Task SuccessfulLoginReadsEveryDocumentedField()
    {
        var login = await LoginResponse.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(Success)));

        Assert.Equal("159376d01524f2870e77ecc5f6c2d4c3", login.SessionId);
        Assert.Equal("dd2f9393d7739b0cb1f4be470abd08a2a7276473", login.AuthenticityToken);
        Assert.Equal(3, login.LogicalDatabaseId);
        Assert.Equal("System Test", login.DatabaseName);
        Assert.Equal(3, login.DefaultDatabaseId);
        Assert.Equal(2, login.UserId);
        Assert.Equal("System Test", login.PersonName);
        Assert.Equal("system_test@workbooks.com", login.LoginName);
        Assert.Equal(1, login.ApiVersion);
        Assert.Equal("Development (build 6009)", login.Version);
        Assert.Equal("London", login.TimeZone);
        Assert.Equal(123122, login.DatabaseInstanceId);
        Assert.Equal([new LoginDatabase(3, "System Test", "Mon Jan 05 14:30:11 UTC 2009"), new LoginDatabase(6, "Sandbox", "Mon Jan 05 14:30:11 UTC 2009")], login.Databases);
        Assert.Equal(3, login.MyQueues["Private::Crm::PersonQueue"]);
        Assert.Equal(4, login.MyQueues["Private::Activity::ActivityQueue"]);
    }

    [Fact]
    public void FailureBodyGivenToTheSuccessParserThrowsALoginException()
    {
        var ex = Assert.Throws<WorkbooksLoginException>(() => LoginResponse.Parse(Encoding.UTF8.GetBytes(NoSelection)));

        Assert.Equal(LoginFailureReason.NoDatabaseSelectionMade, ex.FailureReason);
    }

    [Fact]
    public void NoDatabaseSelectionFailureListsTheDatabasesAndDefault()
    {
        var failure = LoginFailure.TryParse(Encoding.UTF8.GetBytes(NoSelection));

        Assert.NotNull(failure);
        Assert.Equal("no_database_selection_made", failure.Reason);
        Assert.Equal(LoginFailureReason.NoDatabaseSelectionMade, failure.Kind);
        Assert.Equal("Choose a database.", failure.Message);
        Assert.Equal(3, failure.DefaultDatabaseId);
        Assert.Equal([3, 6], failure.Databases.Select(d => d.Id));
        Assert.Equal("Sample Sandbox", failure.Databases[1].Name);
    }

    [Fact]
    public async Task FailureWithoutFailureReasonFallsBackToFailureMessage()
    {
        var failure = await LoginFailure.TryParseAsync(new MemoryStream("""{"success":false,"failure_message":"login_disabled"}"""u8.ToArray()));

        Assert.NotNull(failure);
        Assert.Equal("login_disabled", failure.Reason);
        Assert.Equal(LoginFailureReason.LoginDisabled, failure.Kind);
        Assert.Empty(failure.Databases);
    }

    [Fact]
    public void UndocumentedReasonIsUnknownButKeepsItsText()
    {
        var failure = LoginFailure.TryParse("""{"success":false,"failure_reason":"invalid_authenticity_token","flash":"Bad token"}"""u8);

        Assert.NotNull(failure);
        Assert.Equal(LoginFailureReason.Unknown, failure.Kind);
        Assert.Equal("invalid_authenticity_token", failure.Reason);
        Assert.Equal("Bad token", failure.Message);
    }

    [Theory]
    [InlineData("password_expired", LoginFailureReason.PasswordExpired)]
    [InlineData("no_permission_for_api", LoginFailureReason.NoPermissionForApi)]
    [InlineData("login_disabled", LoginFailureReason.LoginDisabled)]
    [InlineData("unrecognised_name_or_password", LoginFailureReason.UnrecognisedNameOrPassword)]
    [InlineData("requested_database_not_available", LoginFailureReason.RequestedDatabaseNotAvailable)]
    [InlineData("no_available_database", LoginFailureReason.NoAvailableDatabase)]
    [InlineData("database_being_migrated", LoginFailureReason.DatabaseBeingMigrated)]
    [InlineData("database_archived", LoginFailureReason.DatabaseArchived)]
    [InlineData("invalid_application_name", LoginFailureReason.InvalidApplicationName)]
    [InlineData("session_expired", LoginFailureReason.SessionExpired)]
    [InlineData("no_session", LoginFailureReason.NoSession)]
    [InlineData("no_database_selection_made", LoginFailureReason.NoDatabaseSelectionMade)]
    [InlineData("user_agent_required", LoginFailureReason.UserAgentRequired)]
    [InlineData("client_not_licensed", LoginFailureReason.ClientNotLicensed)]
    [InlineData("licence_expired", LoginFailureReason.LicenceExpired)]
    [InlineData("no_licensed_edition", LoginFailureReason.NoLicensedEdition)]
    [InlineData("no_session_found", LoginFailureReason.NoSessionFound)]
    [InlineData("client_not_activated", LoginFailureReason.ClientNotActivated)]
    public void EveryDocumentedReasonIsRecognised(string text, LoginFailureReason expected)
    {
        var failure = LoginFailure.TryParse(Encoding.UTF8.GetBytes($$"""{"success":false,"failure_reason":"{{text}}"}"""));

        Assert.Equal(expected, failure!.Kind);
        Assert.Equal(text, failure.Reason);
    }

    [Fact]
    public async Task NonJsonLoginBodyIsAProtocolExceptionOrNoFailure()
    {
        await Assert.ThrowsAsync<WorkbooksProtocolException>(() => LoginResponse.ParseAsync(new MemoryStream("<html></html>"u8.ToArray())));
        Assert.Null(LoginFailure.TryParse("<html></html>"u8));
    }
}

public sealed class ServiceErrorTests
{
    [Fact]
    public void ReadsTheEmulatorErrorBodyWithParameterErrors()
    {
        var error = ServiceError.TryParse("""{"success":false,"flash":"Bad filter","errors":{"_ff":["Unknown column 'x'"],"_fm":"Unbalanced"}}"""u8);

        Assert.NotNull(error);
        Assert.False(error.Success);
        Assert.Equal("Bad filter", error.Flash);
        Assert.Equal("Bad filter", error.Message);
        Assert.Equal(["Unknown column 'x'"], error.Errors["_ff"]);
        Assert.Equal(["Unbalanced"], error.Errors["_fm"]);
    }

    [Fact]
    public void ReadsSessionFailuresAndExceptionReferences()
    {
        var error = ServiceError.TryParse("""{"success":false,"failure_reason":"session_expired","failure_message":"Your session has expired","flash":"Your session has expired","exception_reference":"EX-123"}"""u8);

        Assert.NotNull(error);
        Assert.Equal("session_expired", error.FailureReason);
        Assert.Equal("Your session has expired", error.FailureMessage);
        Assert.Equal("EX-123", error.ExceptionReference);
        Assert.Empty(error.Errors);
    }

    [Fact]
    public async Task ReadsThePdfTemplateChoice()
    {
        var error = await ServiceError.TryParseAsync(new TrickleStream("""{"success":false,"flash":"Several templates can render this document: choose one with the template parameter.","templates":[{"id":34,"name":"Portrait"},{"id":35,"name":"Landscape"}]}"""u8.ToArray(), 5));

        Assert.NotNull(error);
        Assert.Equal([new PdfTemplate(34, "Portrait"), new PdfTemplate(35, "Landscape")], error.Templates);
    }

    [Theory]
    [InlineData("<html><body>You are being <a href=\"/login\">redirected</a>.</body></html>")]
    [InlineData("")]
    [InlineData("Not Found")]
    [InlineData("{\"success\":false,")]
    [InlineData("[1]")]
    public async Task NonJsonBodiesGiveNull(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);

        Assert.Null(ServiceError.TryParse(bytes));
        Assert.Null(await ServiceError.TryParseAsync(new MemoryStream(bytes)));
    }
}
