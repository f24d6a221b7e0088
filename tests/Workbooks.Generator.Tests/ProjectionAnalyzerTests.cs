using Microsoft.CodeAnalysis;

namespace Workbooks.Generator.Tests;

/// <summary>
/// Projections as a user writes them: the exact ones compile clean, the others get WBG0203 at the part that makes them
/// inexact; the old column-selecting <c>Select</c> says what to write instead.
/// </summary>
public sealed class ProjectionAnalyzerTests
{
    [Theory]
    [InlineData("return crm.People.Select(p => p.Name);")]
    [InlineData("return crm.People.Select(p => new { p.Name, Email = p.MainLocation.Email, Employer = p.Employer.Name });")]
    [InlineData("return crm.People.Select(p => (p.Name, p.CreatedAt));")]
    [InlineData("return crm.People.Select(p => new Summary(p.Name, p.CfPersonScore) { Title = p.PersonJobTitle });")]
    [InlineData("var prefix = \"Mr \"; return crm.People.Select(p => new { Label = prefix + p.PersonLastName, Score = p.CfPersonScore * 2, Town = p.MainLocation.Town ?? \"?\", Text = $\"{p.PersonFirstName} {p.PersonLastName}\" });")]
    [InlineData("return crm.People.Where(p => p.PersonLastName.StartsWith(\"G\")).OrderBy(p => p.Id).Select(p => new { p.Id, p.Name, Seen = 1 });")]
    [InlineData("return crm.Session.Records(\"crm/people\").Select(r => new { Name = r.GetString(\"name\"), Score = r.GetInt64(\"cf_person_score\") });")]
    [InlineData("return crm.People.Select(p => new Summary(p.Name!, p.CfPersonScore) { Title = p.PersonJobTitle! });")]
    [InlineData("return crm.People.Select(p => new { NotWatched = !(p.Watched ?? false), NoScore = p.CfPersonScore is null, Names = new[] { p.Name, p.PersonLastName }, Id = p.Id });")]
    [InlineData("return from p in crm.People where p.PersonLastName.StartsWith(\"G\") select new { p.Name, Employer = p.Employer.Name };")]
    public async Task ExactProjectionsCompileClean(string body)
    {
        var diagnostics = await FilterUsageAnalyzerTests.DiagnoseAsync(Source(body));

        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Theory]
    [InlineData("return crm.People.Select(p => p.Name.ToUpper());", "p.Name.ToUpper()", "This projection calls p.Name.ToUpper")]
    [InlineData("return crm.People.Select(p => p.Name.Length);", "p.Name.Length", "This projection reads Length of the value p.Name, not a field")]
    [InlineData("return crm.Session.Records(\"crm/people\").Select(r => r.GetString(\"name\")!.Trim());", "r.GetString(\"name\")!.Trim()", "This projection calls r.GetString(\"name\")!.Trim")]
    [InlineData("return crm.People.Select(p => p.CfPersonSentWelcomeEmail == true ? p.Name : p.PersonLastName);", "p.CfPersonSentWelcomeEmail == true ? p.Name : p.PersonLastName", "This projection chooses with ?:, which reads the fields of one branch only")]
    [InlineData("return crm.People.Select(p => p.Watched == true && p.CfPersonScore > 3);", "p.Watched == true && p.CfPersonScore > 3", "This projection uses &&, which may skip reading a field")]
    [InlineData("return crm.People.Select(p => (int)p.CfPersonScore!);", "(int)p.CfPersonScore!", "This projection converts a value with int")]
    [InlineData("return crm.People.Select(p => p);", "p", "This projection returns the record itself (the query returns records already)")]
    [InlineData("return crm.People.Select(p => p.MainLocation);", "p.MainLocation", "This projection returns p.MainLocation, a part of the record rather than a field value")]
    [InlineData("return crm.People.Select(p => { return p.Name; });", "p => { return p.Name; }", "This projection has a statement body")]
    [InlineData("return crm.People.Select(p => new { Tags = p.Tags![0] });", "p.Tags![0]", "This projection reads an element of a value")]
    [InlineData("return crm.People.Select(p => (p.CfPersonScore ?? p.OwnerId).HasValue);", "(p.CfPersonScore ?? p.OwnerId).HasValue", "This projection reads HasValue of a value computed from the record")]
    [InlineData("return crm.People.Select(p => p.Record);", "p.Record", "This projection reads Record, which is not a field of the record")]
    [InlineData("return crm.People.Select(Helpers.Describe);", "Helpers.Describe", "This projection is a method or delegate whose body the analyzer cannot read")]
    [InlineData("return from p in crm.People select p.Watched == true ? p.Name : p.PersonLastName;", "p.Watched == true ? p.Name : p.PersonLastName", "This projection chooses with ?:")]
    [InlineData("return crm.Session.Records(\"crm/people\").Select(r => r.GetString(r.GetString(\"kind\") + \"_label\"));", "r.GetString(r.GetString(\"kind\") + \"_label\")", "This projection reads a field whose name depends on the record's values")]
    public async Task InexactProjectionsAreRefusedWhereTheyStopBeingExact(string body, string at, string message)
    {
        var source = Source(body);
        var diagnostics = await FilterUsageAnalyzerTests.DiagnoseAsync(source);

        var diagnostic = Assert.Single(diagnostics, d => d.Id == "WBG0203");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.StartsWith(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.EndsWith("and compute on the client after reading: .AsAsyncEnumerable().Select(…).", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal(at, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
    }

    [Theory]
    [InlineData("return crm.People.Select(p => p.Name, p => p.PersonLastName);", "SelectFields(p => p.A, p => p.B)")]
    [InlineData("return crm.People.Select(\"name\", \"person_last_name\");", "SelectFields(\"name\", …)")]
    public async Task TheColumnSelectingFormSaysWhatToWriteInstead(string body, string advice)
    {
        var diagnostics = await FilterUsageAnalyzerTests.DiagnoseAsync(Source(body));

        var error = Assert.Single(diagnostics, d => d.Id == "CS0619");
        Assert.Contains(advice, error.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    private static string Source(string body) => FilterUsageAnalyzerTests.UserCode(body) + """

        internal sealed record Summary(string? Name, long? Score)
        {
            public string? Title { get; init; }
        }

        internal static class Helpers
        {
            public static string? Describe(Person p) => p.Name;
        }
        """;
}
