using System.Net.Http.Json;
using System.Text.Json;
using Workbooks.Emulator.Engagement;

namespace Workbooks.Engagement.Tests;

/// <summary>
/// The emulator answers as the documentation's examples do, so the documentation's own polling loop (which compares
/// with lower-case statuses) ends: the create answer says PENDING, the status endpoint pending, running, success.
/// </summary>
public sealed class DocumentedSpellingTests
{
    [Fact]
    public async Task TheCreateAnswerSaysPendingAndTheStatusEndpointSpellsStatusesAsTheDocumentationsExamples()
    {
        await using var h = await Harness.StartAsync();
        using var http = new HttpClient { BaseAddress = h.Emulator.BaseAddress };
        http.DefaultRequestHeaders.Add("X-API-Key", h.Engagement.ApiKey);

        using var create = await http.PostAsJsonAsync("api/workbooks", new
        {
            workspace_id = EngagementEmulatorOptions.DefaultWorkspaceId,
            post_url = Harness.QuickStartPostUrl,
            data_types = new[] { "comment", "reaction" },
        });
        using var created = JsonDocument.Parse(await create.Content.ReadAsStringAsync());
        Assert.Equal("PENDING", created.RootElement.GetProperty("status").GetString());
        var taskId = created.RootElement.GetProperty("task_id").GetString();

        async Task<string?> StatusAsync()
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync($"api/tasks/{taskId}/status"));
            return doc.RootElement.GetProperty("status").GetString();
        }

        var seen = new List<string?> { await StatusAsync() };
        for (var step = 0; step < 200 && seen[^1] is not ("success" or "failure"); step++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(5));
            seen.Add(await StatusAsync());
        }

        // The documented Python loop: `if data["status"] in ["success", "failure"]: break`.
        Assert.Equal("success", seen[^1]);
        Assert.Contains("running", seen);
        Assert.All(seen, s => Assert.Equal(s, s?.ToLowerInvariant()));
    }
}
