using System.Net;
using System.Text;
using System.Text.Json;

namespace Workbooks.Emulator.Tests.TestSupport;

/// <summary>A clock that only moves when told to.</summary>
public sealed class ExtrasManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>Raw HTTP helpers: no redirects followed, no decompression, cookies handled by hand.</summary>
public static class ExtrasHttp
{
    public const string UserAgent = "extras-tests/1.0";

    public static HttpClient Client(WorkbooksEmulator emulator, string userAgent = UserAgent)
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
        })
        {
            BaseAddress = emulator.BaseAddress,
            Timeout = TimeSpan.FromSeconds(15),
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        return client;
    }

    /// <summary><c>path?api_key=…&amp;k=v…</c> with every part escaped.</summary>
    public static string WithKey(WorkbooksEmulator emulator, string path, params (string Key, string Value)[] parameters) =>
        path + "?" + Query([("api_key", emulator.ApiKey), .. parameters]);

    public static string Query(IEnumerable<(string Key, string Value)> parameters) =>
        string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

    public static FormUrlEncodedContent Form(params (string Key, string Value)[] parameters) =>
        new(parameters.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));

    public static async Task<(HttpStatusCode Status, JsonElement Json)> GetJsonAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        return (response.StatusCode, await ReadJsonAsync(response));
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"HTTP {(int)response.StatusCode}: body is not JSON ({e.Message}): {text[..Math.Min(text.Length, 500)]}");
        }
    }

    /// <summary>Logs in with the API key; returns the session cookie value and the authenticity token.</summary>
    public static async Task<(string SessionId, string Token, HttpResponseMessage Response)> LoginAsync(HttpClient client, WorkbooksEmulator emulator)
    {
        var response = await client.PostAsync(new Uri("login.api", UriKind.Relative),
            Form(("api_key", emulator.ApiKey), ("client", "api"), ("api_version", "1")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("Workbooks-Session=", StringComparison.Ordinal));
        var id = cookie["Workbooks-Session=".Length..cookie.IndexOf(';', StringComparison.Ordinal)];
        var body = await ReadBodyTextAsync(response);
        using var doc = JsonDocument.Parse(body);
        return (id, doc.RootElement.GetProperty("authenticity_token").GetString()!, response);
    }

    /// <summary>The body as text, gunzipped when the response says gzip.</summary>
    public static async Task<string> ReadBodyTextAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (response.Content.Headers.ContentEncoding.Contains("gzip"))
        {
            using var input = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
            using var output = new MemoryStream();
            await input.CopyToAsync(output);
            bytes = output.ToArray();
        }
        return Encoding.UTF8.GetString(bytes);
    }

    public static HttpRequestMessage WithSession(HttpMethod method, string url, string sessionId)
    {
        var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative));
        request.Headers.Add("Cookie", "Workbooks-Session=" + sessionId);
        return request;
    }

    /// <summary>A minimal RFC 4180 reader (quoted fields, doubled quotes, CRLF rows).</summary>
    public static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; break;
                case ',': row.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n': row.Add(field.ToString()); field.Clear(); rows.Add(row); row = []; break;
                default: field.Append(c); break;
            }
        }
        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>schema/sample.types.json found above the test's directory.</summary>
    public static string SampleSchemaPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "schema", "sample.types.json");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException("schema/sample.types.json");
    }
}
