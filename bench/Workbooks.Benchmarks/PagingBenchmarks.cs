using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Sample.Crm;
using Workbooks.Emulator;

namespace Workbooks.Benchmarks;

/// <summary>Suite 4: per-call overhead over loopback: 100 pages of 100 people from an in-process emulator.</summary>
[MemoryDiagnoser]
public class PagingBenchmarks
{
    private WorkbooksEmulator _emulator = null!;
    private WorkbooksSession _session = null!;
    private SampleCrm _crm = null!;
    private HttpClient _raw = null!;
    private RecordingHandler _recorder = null!;
    private HttpClient _sessionClient = null!;
    private List<(HttpMethod Method, Uri Url, byte[]? Body, string? ContentType, KeyValuePair<string, string[]>[] Headers)> _requests = [];

    public const int Records = 10_000;

    [GlobalSetup]
    public void Setup()
    {
        _emulator = Support.StartEmulatorAsync(Records).GetAwaiter().GetResult();
        _recorder = new RecordingHandler(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10), AutomaticDecompression = System.Net.DecompressionMethods.None, AllowAutoRedirect = false, UseCookies = false });
        _sessionClient = new HttpClient(_recorder) { Timeout = Timeout.InfiniteTimeSpan };
        _session = WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = _emulator.BaseAddress, ApiKey = _emulator.ApiKey, AllowInsecureLoopback = true }, _sessionClient).GetAwaiter().GetResult();
        _crm = new SampleCrm(_session);
        // Same handler settings as the session's own client: no automatic decompression (which would add Accept-Encoding
        // to the replayed requests: the session asks for gzip only off loopback), no automatic redirects.
        _raw = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10), AutomaticDecompression = System.Net.DecompressionMethods.None, AllowAutoRedirect = false, UseCookies = false }) { Timeout = Timeout.InfiniteTimeSpan };

        // Record exactly what the generated client sends, so the baseline replays the same requests.
        _recorder.Recording = true;
        var typed = GeneratedClient().GetAwaiter().GetResult();
        _recorder.Recording = false;
        _requests = [.. _recorder.Requests];
        if (_requests.Count != Records / 100)
            throw new InvalidOperationException($"The generated client sent {_requests.Count} requests, expected {Records / 100}.");
        var raw = RawHttpClientJsonDocument().GetAwaiter().GetResult();
        if (typed != raw) throw new InvalidOperationException($"Checksums differ: typed {typed}, raw {raw}.");
        FirstRequest = _requests[0].Method + " " + _requests[0].Url.PathAndQuery + "  headers: " + string.Join(", ", _requests[0].Headers.Select(h => h.Key));
        LastRequest = _requests[^1].Method + " " + _requests[^1].Url.PathAndQuery;
    }

    public static string? FirstRequest { get; private set; }
    public static string? LastRequest { get; private set; }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _raw.Dispose();
        _emulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Raw HttpClient + JsonDocument issuing the same 100 requests.</summary>
    [Benchmark(Baseline = true, Description = "raw HttpClient + JsonDocument, same requests")]
    public async Task<long> RawHttpClientJsonDocument()
    {
        long sum = 0;
        foreach (var (method, url, body, contentType, headers) in _requests)
        {
            using var request = new HttpRequestMessage(method, url);
            foreach (var (name, values) in headers) request.Headers.TryAddWithoutValidation(name, values);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
            using var response = await _raw.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync();
            using var doc = await JsonDocument.ParseAsync(stream);
            foreach (var record in doc.RootElement.GetProperty("data").EnumerateArray())
                sum += record.GetProperty("id").GetInt64() + (record.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()!.Length : 0);
        }
        return sum;
    }

    /// <summary>The generated client: keyset paging through crm.People.</summary>
    [Benchmark(Description = "generated client crm.People.PageSize(100).Take(10_000)")]
    public async Task<long> GeneratedClient()
    {
        long sum = 0;
        await foreach (var person in _crm.People.PageSize(100).Take(Records))
            sum += person.Id + (person.Name?.Length ?? 0);
        return sum;
    }

    private sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public bool Recording { get; set; }
        public List<(HttpMethod, Uri, byte[]?, string?, KeyValuePair<string, string[]>[])> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Recording)
            {
                byte[]? body = null;
                string? type = null;
                if (request.Content is not null)
                {
                    body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
                    type = request.Content.Headers.ContentType?.ToString();
                }
                Requests.Add((request.Method, request.RequestUri!, body, type,
                    [.. request.Headers.Select(h => new KeyValuePair<string, string[]>(h.Key, [.. h.Value]))]));
            }
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
