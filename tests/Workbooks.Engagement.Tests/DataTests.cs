using System.Net;
using System.Text.Json;
using Workbooks.Emulator.Engagement;
using Workbooks.Engagement;

namespace Workbooks.Engagement.Tests;

/// <remarks>
/// Each test starts an emulator of its own: it needs its own engagement options, or moves the fake clock past a
/// workbook's expiry.
/// </remarks>
public sealed class DataTests
{
    private const string Workspace = EngagementEmulatorOptions.DefaultWorkspaceId;

    private static Task<EngagementWorkbook> CompleteAsync(Harness h, EngagementClient client, string postUrl = Harness.QuickStartPostUrl)
        => h.AdvanceUntilDoneAsync(client.CreateAndWaitAsync(postUrl, EngagementDataTypes.All, Workspace), TimeSpan.FromSeconds(1));

    [Fact]
    public async Task PagingReadsMoreThanAThousandEngagersPageByPageWithoutLoss()
    {
        await using var h = await Harness.StartAsync(o => o.EngagersByPostId["1234567890"] = 1234);
        var client = h.CreateClient();
        var workbook = await CompleteAsync(h, client);
        h.Engagement.ClearRequests();

        var engagers = await client.GetEngagersAsync(workbook.WorkbookId).ToListAsync();

        Assert.Equal(1234, workbook.ItemsCollected);
        Assert.Equal(1234, engagers.Count);
        Assert.Equal(1234, engagers.Select(e => e.GetString("id")).Distinct().Count());
        var pages = h.Engagement.Requests.Select(r => r.QueryString).ToList();
        Assert.Equal(Enumerable.Range(1, 13).Select(p => $"?page={p}&page_size=100"), pages);
    }

    [Fact]
    public async Task EngagerFieldsWithoutATypedMemberStayAccessible()
    {
        await using var h = await Harness.StartAsync(o => o.EngagersPerPost = 40);
        var client = h.CreateClient();
        var workbook = await CompleteAsync(h, client);

        var engagers = await client.GetEngagersAsync(workbook.WorkbookId).ToListAsync();

        var reaction = engagers.First(e => e.Kind == EngagerKind.Reaction);
        Assert.Equal("reaction", reaction.Type);
        Assert.True(reaction.AdditionalProperties.ContainsKey("reaction_type"));
        Assert.False(reaction.AdditionalProperties.ContainsKey("type"));
        Assert.StartsWith("https://www.social.com/in/", reaction.AdditionalProperties["profile_url"].GetString(), StringComparison.Ordinal);
        var comment = engagers.First(e => e.Kind == EngagerKind.Comment);
        Assert.False(string.IsNullOrEmpty(comment.GetString("comment_text")));
        Assert.Equal(JsonValueKind.Object, comment.Json.ValueKind);
    }

    [Fact]
    public async Task ContactsAreDeduplicatedSoSeveralEngagementsByOnePersonGiveOneContact()
    {
        await using var h = await Harness.StartAsync(o => o.EngagersPerPost = 600);
        var client = h.CreateClient();
        var workbook = await CompleteAsync(h, client);

        var engagers = await client.GetEngagersAsync(workbook.WorkbookId).ToListAsync();
        var contacts = await client.GetContactsAsync(workbook.WorkbookId).ToListAsync();

        var people = engagers.Select(e => e.GetString("profile_url")).Distinct().Count();
        Assert.True(contacts.Count < engagers.Count);
        Assert.Equal(people, contacts.Count);
        Assert.Equal(contacts.Count, contacts.Select(c => c.GetString("profile_url")).Distinct().Count());
        Assert.Equal(engagers.Count, contacts.Sum(c => c.AdditionalProperties["engagement_count"].GetInt32()));
        Assert.All(contacts, c =>
        {
            Assert.NotNull(c.Enrichment);
            Assert.Contains("@", c.Enrichment!.Value.GetProperty("email").GetString(), StringComparison.Ordinal);
            Assert.False(c.AdditionalProperties.ContainsKey("enrichment"));
        });
        // 400 people fit on one page of 500.
        Assert.Equal(1, h.Count("GET", $"/api/engagers/workbook/{workbook.WorkbookId}/contacts"));
    }

    [Fact]
    public async Task ReadingAnExpiredWorkbookRaisesAClearErrorNotAnEmptyList()
    {
        await using var h = await Harness.StartAsync();
        var client = h.CreateClient();
        var workbook = await CompleteAsync(h, client);
        Assert.Equal(workbook.CompletedAt!.Value + TimeSpan.FromHours(12), workbook.ExpiresAt);

        h.Time.SetUtcNow(workbook.ExpiresAt!.Value - TimeSpan.FromSeconds(1));
        Assert.NotEmpty(await client.GetEngagersAsync(workbook.WorkbookId).ToListAsync());

        h.Time.SetUtcNow(workbook.ExpiresAt.Value);
        var engagersError = await Assert.ThrowsAsync<EngagementWorkbookExpiredException>(() => client.GetEngagersAsync(workbook.WorkbookId).ToListAsync().AsTask());
        var contactsError = await Assert.ThrowsAsync<EngagementWorkbookExpiredException>(() => client.GetContactsAsync(workbook.WorkbookId).ToListAsync().AsTask());

        Assert.Equal(HttpStatusCode.Gone, engagersError.StatusCode);
        Assert.Contains("expired", engagersError.Detail, StringComparison.Ordinal);
        Assert.Equal(workbook.WorkbookId, engagersError.WorkbookId);
        Assert.Equal(HttpStatusCode.Gone, contactsError.StatusCode);
    }

    [Fact]
    public async Task AWorkbookKnownToBeExpiredFailsWithoutARequest()
    {
        await using var h = await Harness.StartAsync();
        var client = h.CreateClient();
        var workbook = await CompleteAsync(h, client);
        h.Time.Advance(TimeSpan.FromHours(13));
        h.Engagement.ClearRequests();

        var ex = Assert.Throws<EngagementWorkbookExpiredException>(() => client.GetEngagersAsync(workbook));

        Assert.Equal(workbook.ExpiresAt, ex.ExpiresAt);
        Assert.Null(ex.StatusCode);
        Assert.Empty(h.Engagement.Requests);
    }
}
