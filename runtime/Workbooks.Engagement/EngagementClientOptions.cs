using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Workbooks.Engagement;

/// <summary>Configures an <see cref="EngagementClient"/>. The client validates and copies the options when it is created.</summary>
public sealed class EngagementClientOptions
{
    /// <summary>The environment variable read when <see cref="ApiKey"/> is not set.</summary>
    public const string ApiKeyEnvironmentVariable = "ENGAGEMENT_API_KEY";

    /// <summary>The production service address.</summary>
    public static readonly Uri DefaultBaseAddress = new("https://production.viacurrent.com/");

    /// <summary>The service address; endpoints such as <c>api/workbooks</c> are relative to it. Must be https unless
    /// <see cref="AllowInsecureLoopback"/> is set and the host is a loopback address.</summary>
    public Uri BaseAddress { get; set; } = DefaultBaseAddress;

    /// <summary>The API key sent as <c>X-API-Key</c>. When null, the <c>ENGAGEMENT_API_KEY</c> environment variable is used.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Allows plain http to a loopback host (an emulator on 127.0.0.1 or localhost). Never allows http elsewhere.</summary>
    public bool AllowInsecureLoopback { get; set; }

    /// <summary>The clock used for waiting (polling, rate limits, retries) and for expiry checks. Tests pass a fake.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The name passed to <see cref="System.Net.Http.IHttpClientFactory.CreateClient(string)"/> when the client is built from a factory.</summary>
    public string HttpClientName { get; set; } = "Workbooks.Engagement";

    /// <summary>Workbook creations allowed per minute and API key (documented: 6). The client never sends more.</summary>
    public int CreateRequestsPerMinute { get; set; } = 6;

    /// <summary>Task-status requests allowed per minute and API key (documented: 60). The client never sends more.</summary>
    public int StatusRequestsPerMinute { get; set; } = 60;

    /// <summary>The first wait between two status polls; it grows by <see cref="PollBackoffFactor"/> up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two status polls.</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How much each wait between polls grows (1 keeps it constant).</summary>
    public double PollBackoffFactor { get; set; } = 1.5;

    /// <summary>How long <see cref="EngagementClient.WaitForCompletionAsync"/> waits before giving up with an
    /// <see cref="EngagementTaskTimeoutException"/>. Extraction typically takes 1-3 minutes.</summary>
    public TimeSpan CompletionTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How many times a <c>429 Too Many Requests</c> answer is waited out (Retry-After, else backoff) and retried
    /// before an <see cref="EngagementRateLimitException"/> is thrown. 0 throws at once.</summary>
    public int MaxRateLimitRetries { get; set; } = 5;

    /// <summary>The wait after a 429 that has no Retry-After header; doubled on each further 429.</summary>
    public TimeSpan RateLimitBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>When positive, a creation answered <c>409 task_blocked_by_another_task</c> is retried every
    /// <see cref="BlockedTaskRetryInterval"/> until the other task finishes or this much time has passed. Zero (the default) throws
    /// <see cref="EngagementTaskBlockedException"/> at once.</summary>
    public TimeSpan BlockedTaskMaxWait { get; set; } = TimeSpan.Zero;

    /// <summary>The wait between two creation attempts while another task blocks the post.</summary>
    public TimeSpan BlockedTaskRetryInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Engagers requested per page (the documented example uses 100).</summary>
    public int EngagersPageSize { get; set; } = 100;

    /// <summary>Contacts requested per page (the documented example uses 500).</summary>
    public int ContactsPageSize { get; set; } = 500;

    /// <summary>How long workbook data is kept after completion (documented: 12 hours).</summary>
    public TimeSpan WorkbookLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How long one request may take, its whole answer included (a body that stalls after the headers ends in
    /// an <see cref="EngagementException"/>, never a read that hangs).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Skips the client-side post URL check (for URL formats the service accepts but the documentation does not list).</summary>
    public bool SkipPostUrlValidation { get; set; }

    /// <summary>Where the client logs, under the category <c>Workbooks.Engagement</c> (requests, retries, polls, workbooks
    /// created, ready or failed); null logs nothing. Never the API key nor any header.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Creates the client's <see cref="Meter"/> named <c>Workbooks.Engagement</c> (as <c>AddWorkbooksEngagement</c>
    /// does from the container, so that meters are scoped to it); null uses one static meter of that name.</summary>
    public IMeterFactory? MeterFactory { get; set; }

    internal EngagementClientOptions ValidatedCopy()
    {
        if (RequestTimeout <= TimeSpan.Zero)
            throw new ArgumentException("RequestTimeout must be positive.", nameof(RequestTimeout));
        var baseAddress = BaseAddress ?? throw new ArgumentException("BaseAddress is required.", nameof(BaseAddress));
        if (!baseAddress.IsAbsoluteUri)
            throw new ArgumentException($"BaseAddress '{baseAddress}' must be absolute.", nameof(BaseAddress));
        var https = string.Equals(baseAddress.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase);
        var http = string.Equals(baseAddress.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase);
        if (!https)
        {
            if (!http)
                throw new ArgumentException($"BaseAddress '{baseAddress}' must use https.", nameof(BaseAddress));
            if (!baseAddress.IsLoopback)
                throw new ArgumentException($"BaseAddress '{baseAddress}' must use https (http is only allowed to a loopback host, with AllowInsecureLoopback).", nameof(BaseAddress));
            if (!AllowInsecureLoopback)
                throw new ArgumentException($"BaseAddress '{baseAddress}' uses http: set AllowInsecureLoopback to talk to a local emulator.", nameof(BaseAddress));
        }
        var text = baseAddress.AbsoluteUri;
        if (!text.EndsWith('/'))
            baseAddress = new Uri(text + "/");

        var apiKey = string.IsNullOrWhiteSpace(ApiKey) ? Environment.GetEnvironmentVariable(ApiKeyEnvironmentVariable) : ApiKey;
        if (string.IsNullOrWhiteSpace(apiKey))
            throw new ArgumentException($"An API key is required: set ApiKey or the {ApiKeyEnvironmentVariable} environment variable.", nameof(ApiKey));
        if (apiKey.Any(char.IsControl))
            throw new ArgumentException("The API key contains control characters.", nameof(ApiKey));

        Positive(CreateRequestsPerMinute, nameof(CreateRequestsPerMinute));
        Positive(StatusRequestsPerMinute, nameof(StatusRequestsPerMinute));
        Positive(EngagersPageSize, nameof(EngagersPageSize));
        Positive(ContactsPageSize, nameof(ContactsPageSize));
        Positive(PollInterval, nameof(PollInterval));
        Positive(MaxPollInterval, nameof(MaxPollInterval));
        Positive(CompletionTimeout, nameof(CompletionTimeout));
        Positive(RateLimitBackoff, nameof(RateLimitBackoff));
        Positive(BlockedTaskRetryInterval, nameof(BlockedTaskRetryInterval));
        Positive(WorkbookLifetime, nameof(WorkbookLifetime));
        if (MaxPollInterval < PollInterval)
            throw new ArgumentOutOfRangeException(nameof(MaxPollInterval), MaxPollInterval, "MaxPollInterval must not be shorter than PollInterval.");
        if (double.IsNaN(PollBackoffFactor) || PollBackoffFactor < 1)
            throw new ArgumentOutOfRangeException(nameof(PollBackoffFactor), PollBackoffFactor, "PollBackoffFactor must be at least 1.");
        if (MaxRateLimitRetries < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxRateLimitRetries), MaxRateLimitRetries, "MaxRateLimitRetries must not be negative.");
        if (BlockedTaskMaxWait < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(BlockedTaskMaxWait), BlockedTaskMaxWait, "BlockedTaskMaxWait must not be negative.");
        if (string.IsNullOrWhiteSpace(HttpClientName))
            throw new ArgumentException("HttpClientName is required.", nameof(HttpClientName));

        // A copy of every field (a property added later cannot be forgotten here), then the normalized values.
        var copy = (EngagementClientOptions)MemberwiseClone();
        copy.BaseAddress = baseAddress;
        copy.ApiKey = apiKey.Trim();
        copy.TimeProvider = TimeProvider ?? throw new ArgumentException("TimeProvider is required.", nameof(TimeProvider));
        return copy;
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }
}
