using Workbooks.Transport;

namespace Workbooks.Transport.Policies;

/// <summary>A request on its way through the pipeline: the target may move (redirects); policies add parameters.</summary>
internal sealed class PipelineMessage(WorkbooksRequest request, Uri target)
{
    public WorkbooksRequest Request { get; } = request;

    /// <summary>Where the request goes now. After a redirect, the exact Location (its query is not rebuilt).</summary>
    public Uri Target { get; set; } = target;

    public bool Redirected { get; set; }

    /// <summary>Parameters added by policies (client=api, api_key, _authenticity_token…), sent after the request's own.</summary>
    public List<KeyValuePair<string, string>> Extra { get; } = [];

    /// <summary>The session cookie to send (set by the session policy for the service's own origin only).</summary>
    public string? Cookie { get; set; }

    public IEnumerable<KeyValuePair<string, string>> AllParameters => Request.Parameters.Concat(Extra);

    /// <summary>
    /// The deadline of the attempt whose response is being returned: it started with the attempt and ends
    /// <see cref="WorkbooksOptions.Timeout"/> later, and the response body is read under it. Replacing it disposes the
    /// previous attempt's.
    /// </summary>
    public CancellationTokenSource? Deadline
    {
        get => _deadline;
        set
        {
            if (!ReferenceEquals(_deadline, value))
                _deadline?.Dispose();
            _deadline = value;
        }
    }

    private CancellationTokenSource? _deadline;
}
