using Workbooks.Emulator.Changes;
using Workbooks.Emulator.Http;
using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator.Tests;

/// <summary>The first stage of a change request on its own: the square arrays read into one change per object.</summary>
public sealed class ChangeStageTests
{
    private static readonly RecordTypeDef People = EmulatorSchema.Parse(SchemaSource.Load(new WorkbooksEmulatorOptions())).ByControllerPath["crm/people"];

    private static RequestParameters Parameters(params (string Key, string Value)[] pairs) =>
        RequestParameters.FromPairs(pairs.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));

    [Fact]
    public void EachObjectGetsItsActionIdsAndValuesInTheOrderOfTheKeys()
    {
        var changes = ChangeRequestParser.Parse(People, Parameters(
            ("__method[]", "POST"), ("__method[]", " update "), ("__method[]", "DELETE"),
            ("id[]", "0"), ("id[]", "12"), ("id[]", "13"),
            ("lock_version[]", "0"), ("lock_version[]", "4"), ("lock_version[]", "x"),
            ("name[]", "New"), ("name[]", ":no_value:"), ("name[]", "Ignored"),
            ("main_location[town][]", "Leeds"), ("main_location[town][]", ":null_value:"), ("main_location[town][]", "Ignored"),
            ("no_such_field[]", "a"), ("no_such_field[]", "b"), ("no_such_field[]", "c")), maxObjects: 100);

        Assert.Equal([ChangeAction.Create, ChangeAction.Update, ChangeAction.Delete], changes.Select(c => c.Action));
        Assert.Equal([0L, 12L, 13L], changes.Select(c => c.Id));
        Assert.Equal([0, 4, -1], changes.Select(c => c.LockVersion));
        Assert.Equal(["name=New", "main_location[town]=Leeds", "no_such_field=a"], changes[0].Cells.Select(c => c.Key + "=" + c.Raw));
        Assert.NotNull(changes[0].Cells[0].Field);
        Assert.Null(changes[0].Cells[2].Field);
        // :no_value: leaves the attribute out; :null_value: is a value (the validator decides what it means).
        Assert.Equal(["main_location[town]=:null_value:", "no_such_field=b"], changes[1].Cells.Select(c => c.Key + "=" + c.Raw));
        // The other fields of a delete are irrelevant.
        Assert.Empty(changes[2].Cells);
    }

    [Fact]
    public void ADataUriIsTheObjectsFileNotAValue()
    {
        var changes = ChangeRequestParser.Parse(People, Parameters(
            ("__method[]", "POST"), ("id[]", "0"), ("lock_version[]", "0"), ("name[]", "With a file"),
            ("upload_file[data][]", "[data:text/plain;base64,SGVsbG8=,hello.txt]")), maxObjects: 100);

        var change = Assert.Single(changes);
        Assert.Equal(["name"], change.Cells.Select(c => c.Key));
        Assert.Equal("hello.txt", change.File!.FileName);
        Assert.Equal("text/plain", change.File.ContentType);
        Assert.Equal("Hello"u8.ToArray(), change.File.Content);
        Assert.Equal("upload_file[data]", change.FileKey);
    }

    [Theory]
    [InlineData("__method[]=PUT&id[]=1", "square array")]
    [InlineData("__method[]=PUT&id[]=1&lock_version[]=1&name[]=a&name[]=b", "'name[]' has 2 values for 1 objects")]
    [InlineData("__method[]=PATCH&id[]=1&lock_version[]=1", "Unexpected method: 'PATCH'")]
    [InlineData("id[]=1&lock_version[]=1", "needs __method[]")]
    [InlineData("__method[]=PUT&__method[]=PUT&__method[]=PUT&id[]=1&id[]=2&id[]=3&lock_version[]=1&lock_version[]=1&lock_version[]=1", "no more than 2 objects")]
    public void AnUnreadableRequestIsRejectedBeforeAnyRecordIsRead(string query, string expected)
    {
        var pairs = query.Split('&').Select(kv => kv.Split('=')).Select(kv => (kv[0], kv[1])).ToArray();
        var e = Assert.Throws<RequestRejectedException>(() => ChangeRequestParser.Parse(People, Parameters(pairs), maxObjects: 2));
        Assert.Equal(406, e.Status);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
