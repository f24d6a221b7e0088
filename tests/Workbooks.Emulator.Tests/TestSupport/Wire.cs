using System.Net;
using System.Text;
using System.Text.Json;

namespace Workbooks.Emulator.Tests.TestSupport;

/// <summary>One emulator shared by a test class (tests that change data use their own records).</summary>
public abstract class EmulatorFixture(int people, int organisations) : IAsyncLifetime
{
    public WorkbooksEmulator Emulator { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = people, OrganisationCount = organisations });

    public async Task DisposeAsync() => await Emulator.DisposeAsync();
}

/// <summary>The default database size: 1,000 people and organisations.</summary>
public sealed class SharedEmulator() : EmulatorFixture(1000, 1000);

/// <summary>A small database, for tests that do not need volume.</summary>
public sealed class ExtrasEmulatorFixture() : EmulatorFixture(200, 100);

/// <summary>A raw HTTP client speaking the wire protocol exactly as the guide's curl examples do.</summary>
public sealed class Wire : IDisposable
{
    private readonly HttpClient _http;
    private readonly CookieContainer _cookies = new();

    public Wire(WorkbooksEmulator emulator, string userAgent = "wire-tests/1.0")
    {
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = _cookies, UseCookies = true })
        {
            BaseAddress = emulator.BaseAddress,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
    }

    public string? AuthenticityToken { get; private set; }
    public string? SessionId => _cookies.GetAllCookies().FirstOrDefault(c => c.Name == "Workbooks-Session")?.Value;

    public async Task<WireResponse> LoginAsync(params (string Key, string Value)[] parameters)
    {
        var response = await SendAsync(HttpMethod.Post, "login.api", [("client", "api"), ("api_version", "1"), .. parameters]);
        if (response.Status == HttpStatusCode.OK)
            AuthenticityToken = response.Json.GetProperty("authenticity_token").GetString();
        return response;
    }

    public Task<WireResponse> GetAsync(string path, params (string Key, string Value)[] parameters) =>
        SendAsync(HttpMethod.Get, path, parameters);

    /// <summary>A change request (PUT) carrying the session's authenticity token.</summary>
    public Task<WireResponse> PutAsync(string path, params (string Key, string Value)[] parameters) =>
        SendAsync(HttpMethod.Put, path, AuthenticityToken is null ? parameters : [("_authenticity_token", AuthenticityToken), .. parameters]);

    /// <summary>GETs carry their parameters in the body, as the guide's curl -X GET -d examples do.</summary>
    public async Task<WireResponse> SendAsync(HttpMethod method, string path, IEnumerable<(string Key, string Value)> parameters)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = new FormUrlEncodedContent(parameters.Select(p => new KeyValuePair<string, string>(p.Key, p.Value))),
        };
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new WireResponse(response.StatusCode, body, response.Headers.Location?.OriginalString, response.Headers.TryGetValues("Set-Cookie", out var c) ? string.Join("\n", c) : null);
    }

    public async Task<WireResponse> GetRawAsync(string pathAndQuery)
    {
        using var response = await _http.GetAsync(pathAndQuery);
        return new WireResponse(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location?.OriginalString, null);
    }

    public void Dispose() => _http.Dispose();
}

public sealed record WireResponse(HttpStatusCode Status, string Body, string? Location, string? SetCookie)
{
    private JsonElement? _json;

    public JsonElement Json => _json ??= JsonDocument.Parse(Body).RootElement.Clone();

    public JsonElement[] Data => Json.GetProperty("data").EnumerateArray().ToArray();

    public int Total => Json.GetProperty("total").GetInt32();

    public long[] Ids => Data.Select(r => r.GetProperty("id").GetInt64()).ToArray();

    public override string ToString() => $"{(int)Status}: {Body}";
}

public static class Filters
{
    public static (string, string)[] Where(params (string Field, string Op, string Criteria)[] terms) =>
        terms.SelectMany(t => new[] { ("_ff[]", t.Field), ("_ft[]", t.Op), ("_fc[]", t.Criteria) }).ToArray();

    public static (string, string)[] Select(params string[] columns) => columns.Select(c => ("_select_columns[]", c)).ToArray();

    public static (string, string)[] Page(int start, int limit) => [("_start", start.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("_limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
