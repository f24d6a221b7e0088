using Workbooks.Emulator.Engagement;
using Workbooks.Engagement;

namespace Workbooks.Engagement.Tests;

public sealed class PostUrlTests(SharedHarness shared) : IClassFixture<SharedHarness>
{
    [Theory]
    [InlineData("https://www.social.com/posts/username_activity-1234567890", "1234567890")]
    [InlineData("https://www.social.com/posts/jane-doe_launch-day-activity-7012345678901234567-AbCd", "7012345678901234567")]
    [InlineData("https://www.social.com/feed/update/urn:li:activity:7012345678901234567", "7012345678901234567")]
    [InlineData("https://www.social.com/feed/update/urn:li:activity:42/", "42")]
    public void BothDocumentedFormatsAreAcceptedAndGiveTheActivityId(string url, string activityId)
    {
        Assert.True(EngagementPostUrl.TryParse(url, out var parsed, out var reason), reason);
        Assert.Equal(activityId, parsed.ActivityId);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("not a url", "not an absolute URL")]
    [InlineData("http://www.social.com/posts/username_activity-1234567890", "must use https")]
    [InlineData("https://www.example.com/posts/username_activity-1234567890", "must be on www.social.com")]
    [InlineData("https://www.social.com/in/username", "neither documented format")]
    [InlineData("https://www.social.com/posts/username_activity-12ab", "neither documented format")]
    [InlineData("https://www.social.com/feed/update/urn:li:share:1234567890", "neither documented format")]
    public async Task InvalidPostUrlsAreRejectedBeforeSendingWithTheReason(string url, string reason)
    {
        var h = shared.Harness;
        var client = h.CreateClient();
        var before = h.Engagement.Requests.Count;

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.CreateWorkbookAsync(url, EngagementDataTypes.All, EngagementEmulatorOptions.DefaultWorkspaceId));

        Assert.Equal("postUrl", ex.ParamName);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, h.Engagement.Requests.Count); // nothing was sent
    }

    [Fact]
    public async Task NoDataTypeIsRejectedBeforeSending()
    {
        var h = shared.Harness;
        var client = h.CreateClient();
        var before = h.Engagement.Requests.Count;

        await Assert.ThrowsAsync<ArgumentException>(() => client.CreateWorkbookAsync(Harness.QuickStartPostUrl, EngagementDataTypes.None, EngagementEmulatorOptions.DefaultWorkspaceId));

        Assert.Equal(before, h.Engagement.Requests.Count); // nothing was sent
    }
}
