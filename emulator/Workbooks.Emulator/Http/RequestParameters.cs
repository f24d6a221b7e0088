using System.Text;
using System.Text.Json;
using System.Web;
using Microsoft.AspNetCore.Http;

namespace Workbooks.Emulator.Http;

/// <summary>
/// The parameters of one request: query string and body merged, for every verb, as the service does
/// (the PHP binding sends GETs as POST bodies, curl sends GETs with bodies, VBA puts changes in the URL).
/// Keys are kept as sent after URL decoding, so <c>_ff%5B%5D</c> and <c>_ff[]</c> are the same key.
/// </summary>
internal sealed class RequestParameters
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public IFormFileCollection? Files { get; private set; }

    public IEnumerable<string> Keys => _values.Keys;

    public static async Task<RequestParameters> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var parameters = new RequestParameters();
        // Endpoint strings with their own '?' get a second '?' appended by the PHP/Ruby/Python bindings
        // ("…&_fc[]=1?_dc=170…"): read every '?' after the first as '&'.
        var query = request.QueryString.HasValue ? request.QueryString.Value![1..].Replace('?', '&') : "";
        parameters.AddUrlEncoded(query);

        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (key, values) in form)
                foreach (var value in values)
                    parameters.Add(key, value ?? "");
            if (form.Files.Count > 0)
                parameters.Files = form.Files;
        }
        else if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8, leaveOpen: true);
            var body = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            var trimmed = body.TrimStart();
            if (trimmed.StartsWith('{'))
                parameters.AddJson(body); // the VBA binding logs in with a JSON body
            else
                parameters.AddUrlEncoded(body);
        }
        return parameters;
    }

    public static RequestParameters FromPairs(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var p = new RequestParameters();
        foreach (var (k, v) in pairs) p.Add(k, v);
        return p;
    }

    private void AddUrlEncoded(string text)
    {
        if (text.Length == 0) return;
        foreach (var part in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = HttpUtility.UrlDecode(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? "" : HttpUtility.UrlDecode(part[(eq + 1)..]);
            Add(key, value);
        }
    }

    private void AddJson(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return;
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in property.Value.EnumerateArray())
                        Add(property.Name, ScalarText(item));
                }
                else
                {
                    Add(property.Name, ScalarText(property.Value));
                }
            }
        }
        catch (JsonException)
        {
            AddUrlEncoded(body);
        }
    }

    private static string ScalarText(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "",
        _ => e.GetRawText(),
    };

    public void Add(string key, string value)
    {
        if (!_values.TryGetValue(key, out var list))
            _values[key] = list = [];
        list.Add(value);
    }

    public void Remove(string key) => _values.Remove(key);

    public bool Has(string key) => _values.ContainsKey(key) || _values.ContainsKey(key + "[]");

    /// <summary>The first value of a scalar parameter (also accepting the <c>name[]</c> spelling).</summary>
    public string? Get(string key) =>
        _values.TryGetValue(key, out var list) && list.Count > 0 ? list[0]
        : _values.TryGetValue(key + "[]", out var list2) && list2.Count > 0 ? list2[0] : null;

    /// <summary>A login-style optional value: absent, empty, and the bindings' literal "null"/"None" all mean "not given".</summary>
    public string? GetOptional(string key)
    {
        var value = Get(key);
        return string.IsNullOrEmpty(value) || value is "null" or "None" or "nil" ? null : value;
    }

    /// <summary>Every value of an array parameter: <c>name[]</c> values, or the bare <c>name</c> (single-filter shorthand).</summary>
    public IReadOnlyList<string> GetArray(string name)
    {
        if (_values.TryGetValue(name + "[]", out var list))
            return list;
        return _values.TryGetValue(name, out var bare) ? bare : [];
    }

    /// <summary>The square-array keys of a change request: every <c>key[]</c> that is not a housekeeping (<c>_…</c>) parameter.</summary>
    public IEnumerable<(string Key, IReadOnlyList<string> Values)> SquareArrays()
    {
        foreach (var (key, values) in _values)
        {
            if (!key.EndsWith("[]", StringComparison.Ordinal))
                continue;
            if (key.StartsWith('_') && !key.StartsWith("__method", StringComparison.Ordinal))
                continue;
            if (key is "class_names[]" or "return_fields[]")
                continue;
            yield return (key[..^2], values);
        }
    }

    /// <summary>Everything except secrets, for the request log.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToPairs() =>
        _values.SelectMany(kv => kv.Value.Select(v => new KeyValuePair<string, string>(kv.Key, v))).ToArray();
}
