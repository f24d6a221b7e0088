using System.Net;
using System.Text;
using Workbooks.Transport.Policies;

namespace Workbooks.Runtime.Tests.Transport;

/// <summary>
/// An <see cref="HttpMessageHandler"/> that answers from a script and records every request it receives (method, URL,
/// cookie, form body), for fast unit tests of the pipeline's policies without a server.
/// </summary>
internal sealed class RecordingHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new();

    /// <summary>Answers once the script runs out: 200 with an empty JSON object.</summary>
    public Func<HttpRequestMessage, HttpResponseMessage> Otherwise { get; set; } = _ => Json(HttpStatusCode.OK, "{}");

    public List<Sent> Requests { get; } = [];

    public RecordingHandler Then(Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        _script.Enqueue(answer);
        return this;
    }

    public RecordingHandler Then(HttpStatusCode status, string json = "{}") => Then(_ => Json(status, json));

    public RecordingHandler ThenRedirect(string location, HttpStatusCode status = HttpStatusCode.Found) => Then(_ =>
    {
        var response = new HttpResponseMessage(status);
        response.Headers.Location = new Uri(location, UriKind.RelativeOrAbsolute);
        return response;
    });

    public RecordingHandler ThenThrow(Exception exception) => Then(_ => throw exception);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add(new Sent(request.Method.Method, request.RequestUri!,
            request.Headers.TryGetValues("Cookie", out var cookies) ? string.Join("; ", cookies) : null, body));
        var answer = _script.Count > 0 ? _script.Dequeue() : Otherwise;
        return answer(request);
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    /// <summary>A pipeline over this handler, with a session already established, as a connected session has one.</summary>
    public WorkbooksPipeline Pipeline(Action<WorkbooksOptions>? configure = null, Func<CancellationToken, Task>? relogin = null)
    {
        var options = new WorkbooksOptions
        {
            Service = new Uri("https://service.example/"),
            ApiKey = "key-not-for-other-origins",
            RetryDelay = TimeSpan.Zero,
            MaxRetryDelay = TimeSpan.Zero,
        };
        configure?.Invoke(options);
        var metrics = RuntimeMetrics.Create(null);
        var session = new SessionPolicy(options, metrics);
        session.Establish("session-1", "token-1");
        session.Relogin = relogin;
        return new WorkbooksPipeline(new HttpClient(this), options, session, metrics);
    }

    internal sealed record Sent(string Method, Uri Url, string? Cookie, string Body)
    {
        public string Origin => Url.GetLeftPart(UriPartial.Authority);
    }
}
