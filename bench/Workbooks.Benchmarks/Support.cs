using System.Text.Json;
using Workbooks.Emulator;

namespace Workbooks.Benchmarks;

/// <summary>Shared helpers: an in-process emulator and synchronous enumeration of in-memory pages.</summary>
internal static class Support
{
    public static async Task<WorkbooksEmulator> StartEmulatorAsync(int people) =>
        await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = people, OrganisationCount = 200, OtherRecordCount = 5 });

    /// <summary>Fetches one raw index page (the exact bytes the service sends).</summary>
    public static async Task<byte[]> FetchPageAsync(WorkbooksEmulator emulator, int limit)
    {
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
        var url = $"crm/people.api?_start=0&_limit={limit}&api_key={Uri.EscapeDataString(emulator.ApiKey)}";
        var bytes = await http.GetByteArrayAsync(url);
        using var doc = JsonDocument.Parse(bytes);
        var count = doc.RootElement.GetProperty("data").GetArrayLength();
        if (count != limit) throw new InvalidOperationException($"Expected {limit} records from {url}, got {count}.");
        return bytes;
    }

    /// <summary>Drains an async enumerable that completes synchronously (a MemoryStream body) without Task overhead.</summary>
    public static IEnumerable<T> Sync<T>(IAsyncEnumerable<T> source)
    {
        var e = source.GetAsyncEnumerator();
        try
        {
            while (true)
            {
                var next = e.MoveNextAsync();
                var has = next.IsCompletedSuccessfully ? next.Result : next.AsTask().GetAwaiter().GetResult();
                if (!has) yield break;
                yield return e.Current;
            }
        }
        finally
        {
            var d = e.DisposeAsync();
            if (!d.IsCompletedSuccessfully) d.AsTask().GetAwaiter().GetResult();
        }
    }

    public static string RepoFile(string relative)
    {
        var local = Path.Combine(AppContext.BaseDirectory, relative);
        if (File.Exists(local)) return local;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException(relative);
    }
}
