using System.Text;

namespace Workbooks.Runtime.Tests.Reading;

public sealed class ChangeResponseTests
{
    private static Task<ChangeResponse> Parse(string json) => ChangeResponse.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public async Task GuideMultipleOperationsResponseGivesOneResultPerObjectInOrder()
    {
        var response = await Parse("""
            {
                "affected_object_information" : [{ "errors" : {}, "success" : true, "warnings" : {} },
                    { "errors" : {}, "success" : true, "warnings" : {} },
                    { "errors" : {}, "success" : true, "warnings" : {} }],
                "affected_objects" : [{ "id" : 1, "lock_version" : 2 },
                    { "descriptor" : "10197 (Email)", "id" : 2, "lock_version" : 2, "name" : "10197", "updated_by" : 2 },
                    { "_can_read" : true, "activity_type" : "Email", "completed_date" : null, "id" : 4, "lock_version" : 0,
                      "name" : "create_10197", "primary_contact[main_location[email]]" : "", "watched" : false }],
                "flash" : "Updated successfully",
                "success" : true,
                "updates" : {}
            }
            """);

        Assert.True(response.Success);
        Assert.True(response.AllSucceeded);
        Assert.Equal("Updated successfully", response.Flash);
        Assert.Empty(response.Failures);
        Assert.Null(response.Errors);
        Assert.Equal(3, response.Objects.Count);
        Assert.Equal([1L, 2L, 4L], response.Objects.Select(o => o.Id!.Value));
        Assert.Equal([2, 2, 0], response.Objects.Select(o => o.LockVersion!.Value));
        Assert.Equal([0, 1, 2], response.Objects.Select(o => o.Index));
        Assert.All(response.Objects, o => Assert.Empty(o.Errors));
        Assert.Equal("10197 (Email)", response.Objects[1].Fields["descriptor"].GetString());
        var created = response.Objects[2].ToRecord();
        Assert.Equal(4, created.Id);
        Assert.True(created.TryGetRaw("primary_contact[main_location[email]]", out _));
        Assert.True(created.TryGetRaw("completed_date", out var nullValue));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, nullValue.ValueKind);
    }

    [Fact]
    public async Task InformationWithoutSuccessKeyCountsAsSuccessInASuccessfulResponse()
    {
        var response = await Parse("""
            {"affected_object_information":[{}],"affected_objects":[{"id":226,"lock_version":0,"name":"New Organisation","queue_entry[updated_at]":"less than a minute ago"}],
             "flash":"Updated successfully","success":true,"updates":{}}
            """);

        var created = Assert.Single(response.Objects);
        Assert.True(created.Success);
        Assert.Equal(226, created.Id);
        Assert.Equal("less than a minute ago", created.Fields["queue_entry[updated_at]"].GetString());
    }

    [Fact]
    public async Task DuplicateRefcodeFailureWithoutAffectedObjectsGivesTheErrorOnce()
    {
        var response = await Parse("""
            {
              "affected_object_errors" : [{ "refcode" : ["'DUPLICATE_PERSON_REFCODE' is already used"] }],
              "errors" : { "[]" : { "refcode" : "'DUPLICATE_PERSON_REFCODE' is already used" } },
              "success" : false
            }
            """);

        Assert.False(response.Success);
        Assert.False(response.AllSucceeded);
        var failed = Assert.Single(response.Objects);
        Assert.False(failed.Success);
        Assert.Null(failed.Id);
        Assert.Empty(failed.Fields);
        Assert.Equal(["'DUPLICATE_PERSON_REFCODE' is already used"], failed.Errors["refcode"]);
        Assert.NotNull(response.Errors);
        Assert.True(response.Errors!.Value.TryGetProperty("[]", out _));
    }

    [Fact]
    public async Task StaleLockVersionFailureReportsFailuresAndTheObjectError()
    {
        // As the emulator renders it: errors keyed "[i]" for a two-object request, failures with the documented text.
        var response = await Parse("""
            {"affected_object_errors":[{},{"lock_version":["This record cannot be saved since it has already been updated elsewhere."]}],
             "affected_object_information":[{"errors":{},"success":false,"warnings":{}},
               {"errors":{"lock_version":"This record cannot be saved since it has already been updated elsewhere."},"success":false,"warnings":{}}],
             "errors":{"[1]":{"lock_version":"This record cannot be saved since it has already been updated elsewhere."}},
             "failures":["This record cannot be saved since it has already been updated elsewhere."],
             "flash":"Not updated","success":false,"updates":{}}
            """);

        Assert.False(response.Success);
        Assert.Equal("Not updated", response.Flash);
        Assert.Equal(["This record cannot be saved since it has already been updated elsewhere."], response.Failures);
        Assert.Equal(2, response.Objects.Count);
        Assert.False(response.Objects[0].Success);
        Assert.Empty(response.Objects[0].Errors);
        Assert.Equal(["This record cannot be saved since it has already been updated elsewhere."], response.Objects[1].Errors["lock_version"]);
    }

    [Fact]
    public async Task PerObjectTransactionsGiveMixedResults()
    {
        var response = await Parse("""
            {"affected_object_errors":[{},{"name":["can't be blank","is too short"]},{}],
             "affected_object_information":[{"errors":{},"success":true,"warnings":{}},
               {"errors":{"name":"can't be blank; is too short"},"success":false,"warnings":{"email":["looks odd"]}},
               {"errors":{},"success":true,"warnings":{}}],
             "affected_objects":[{"id":10,"lock_version":1,"name":"ok"},{"id":11,"lock_version":4},{"id":12,"lock_version":0,"name":"new"}],
             "errors":{"[1]":{"name":"can't be blank; is too short"}},
             "flash":"Some objects were not updated","success":false,"updates":{}}
            """);

        Assert.Equal([true, false, true], response.Objects.Select(o => o.Success));
        Assert.Equal(["can't be blank", "is too short", "can't be blank; is too short"], response.Objects[1].Errors["name"]);
        Assert.Equal(["looks odd"], response.Objects[1].Warnings["email"]);
        Assert.Equal(11, response.Objects[1].Id);
        Assert.Equal(4, response.Objects[1].LockVersion);
        Assert.Equal(12, response.Objects[2].Id);
    }

    [Fact]
    public async Task HomeCurrencyNoticeIsReadAsAMessage()
    {
        var response = await Parse("""
            {"affected_object_information":[{"message":[{"body":"The Home Currency of this Own Organisation has been changed.","title":"Information"}]}],
             "affected_objects":[{"currency":"XXX","id":1,"lock_version":1}],"flash":"Updated successfully","success":true,"updates":{}}
            """);

        var result = Assert.Single(response.Objects);
        Assert.True(result.Success);
        var message = Assert.Single(result.Messages);
        Assert.Equal("Information", message.Title);
        Assert.StartsWith("The Home Currency", message.Body);
    }

    [Fact]
    public async Task UnsupportedOperationFailuresAreReadAsStrings()
    {
        var response = await Parse("""{"failures":["Update or Delete Operation not supported for Exchange Rates", "second"],"success":false}""");

        Assert.Equal("Update or Delete Operation not supported for Exchange Rates", response.Failures[0]);
        Assert.Empty(response.Objects);
    }

    [Fact]
    public async Task ErrorsWithoutAffectedArraysCreateResultsByIndex()
    {
        var response = await Parse("""{"errors":{"[0]":{"name":["bad"]},"[2]":{"id":"missing"}},"success":false}""");

        Assert.Equal(3, response.Objects.Count);
        Assert.Equal(["bad"], response.Objects[0].Errors["name"]);
        Assert.Empty(response.Objects[1].Errors);
        Assert.False(response.Objects[1].Success);
        Assert.Equal(["missing"], response.Objects[2].Errors["id"]);
    }

    [Fact]
    public async Task ApplyingAResultUpdatesTheRecordIdAndLockVersion()
    {
        var response = await Parse("""{"affected_objects":[{"id":5,"lock_version":7,"name":"x"}],"success":true}""");
        var record = new WorkbooksRecord();

        response.Objects[0].ApplyTo(record);

        Assert.Equal(5, record.Id);
        Assert.Equal(7, record.LockVersion);
    }

    [Theory]
    [InlineData("<html>oops</html>")]
    [InlineData("{\"success\":true,")]
    [InlineData("[1,2]")]
    [InlineData("")]
    public async Task NonJsonOrNonObjectBodyIsAProtocolException(string body)
    {
        await Assert.ThrowsAsync<WorkbooksProtocolException>(() => Parse(body));
    }

    [Fact]
    public void ParsesFromMemory()
    {
        var response = ChangeResponse.Parse("""{"affected_objects":[{"id":1,"lock_version":1}],"success":true}"""u8.ToArray());

        Assert.True(response.AllSucceeded);
    }
}
