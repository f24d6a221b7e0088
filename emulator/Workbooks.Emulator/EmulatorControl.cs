using System.Collections.Concurrent;

namespace Workbooks.Emulator;

/// <summary>The faults the emulator can inject, each deterministic and consumed by the request(s) it matches.</summary>
public enum EmulatorFaultKind
{
    /// <summary>Answer with <see cref="EmulatorFault.StatusCode"/> (500 by default) and an exception reference, without processing.</summary>
    ServerError,
    /// <summary>Answer with a delaying 302 redirect, as the service does for over-eager clients.</summary>
    DelayingRedirect,
    /// <summary>Process the request, then wait <see cref="EmulatorFault.Delay"/> before answering.</summary>
    Slow,
    /// <summary>Process the request, then send half of the body and cut the connection.</summary>
    TruncateResponse,
    /// <summary>Cut the connection before processing: the request had no effect.</summary>
    DropConnection,
    /// <summary>Process the request, then cut the connection without answering: the change may have been applied.</summary>
    DropConnectionAfterProcessing,
    /// <summary>Expire the caller's session just before processing, so the request gets 401 <c>session_expired</c>.</summary>
    ExpireSession,
    /// <summary>Late delivery: wait <see cref="EmulatorFault.Delay"/> before processing (a slow network), then process the
    /// request even if the client has given up meanwhile, and answer (to no one, when it has).</summary>
    LateDelivery,
    /// <summary>Process the request, then answer <see cref="EmulatorFault.StatusCode"/> (500 by default): the change was applied.</summary>
    ServerErrorAfterProcessing,
    /// <summary>Process the request, send the headers and half of the body, then stall for <see cref="EmulatorFault.Delay"/>
    /// before sending the rest.</summary>
    StallBody,
    /// <summary>Process the request and answer with a gzip body that is corrupt in the middle (when the client asked for gzip).</summary>
    CorruptGzip,
    /// <summary>Process the request, then answer 200 with a body that is not valid JSON: arrays nested deeper than JSON
    /// readers accept, never closed.</summary>
    MalformedJson,
    /// <summary>Process the request, then answer 200 with <see cref="EmulatorFault.Body"/> as
    /// <see cref="EmulatorFault.ContentType"/> instead of the real answer: an answer the client must not trust (an HTML
    /// error page from a proxy, a success that leaves out objects, values out of range).</summary>
    ReplaceBody,
    /// <summary>Answer 302 to <see cref="EmulatorFault.Location"/> without processing (a misconfigured proxy, a moved
    /// service): what a client does with its credentials then is the test.</summary>
    Redirect,
}

/// <summary>A fault to inject into matching requests.</summary>
/// <param name="Kind">What goes wrong.</param>
public sealed record EmulatorFault(EmulatorFaultKind Kind)
{
    /// <summary>The status of a <see cref="EmulatorFaultKind.ServerError"/> (500, 502, 503…).</summary>
    public int StatusCode { get; init; } = 500;

    /// <summary>The delay of <see cref="EmulatorFaultKind.Slow"/>, <see cref="EmulatorFaultKind.LateDelivery"/>,
    /// <see cref="EmulatorFaultKind.StallBody"/> or of the delaying URL.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The body of a <see cref="EmulatorFaultKind.ReplaceBody"/> answer.</summary>
    public string? Body { get; init; }

    /// <summary>The content type of a <see cref="EmulatorFaultKind.ReplaceBody"/> answer.</summary>
    public string ContentType { get; init; } = "application/json; charset=utf-8";

    /// <summary>Where a <see cref="EmulatorFaultKind.Redirect"/> points (absolute, e.g. another server's URL).</summary>
    public string? Location { get; init; }

    /// <summary>Only requests whose path contains this text match (null: any request but login/logout).</summary>
    public string? PathContains { get; init; }

    /// <summary>Only requests with this effective method (GET, PUT…) match (null: any).</summary>
    public string? Method { get; init; }

    /// <summary>How many matching requests the fault applies to.</summary>
    public int Times { get; init; } = 1;

    /// <summary>How many matching requests to let through before the fault starts applying.</summary>
    public int Skip { get; init; }
}

/// <summary>One request as the emulator received it, for assertions.</summary>
/// <param name="Method">The effective method (after <c>_method</c>).</param>
/// <param name="Path">The path, without the query string.</param>
/// <param name="Parameters">Query and body parameters merged.</param>
/// <param name="StatusCode">The status the emulator answered.</param>
/// <param name="Headers">Selected request headers (User-Agent, Cookie, Accept-Encoding, Content-Type).</param>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyList<KeyValuePair<string, string>> Parameters, int StatusCode, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The first value of a parameter, or null.</summary>
    public string? Parameter(string name) => Parameters.FirstOrDefault(p => p.Key == name).Value;

    /// <summary>Every value of a parameter, in order.</summary>
    public IReadOnlyList<string> ParameterValues(string name) => Parameters.Where(p => p.Key == name).Select(p => p.Value).ToArray();
}

/// <summary>
/// Concurrent inserts, updates and deletes applied after each index request of a type (as another user's work would
/// land between a client's pages), to test paging and delta sync that must not skip or repeat.
/// </summary>
/// <param name="ControllerPath">The record type that changes, e.g. <c>crm/people</c>.</param>
/// <param name="InsertsPerRequest">Records inserted after each index request of that type.</param>
/// <param name="DeletesPerRequest">Records soft-deleted after each index request (chosen deterministically among live ones).</param>
public sealed record ConcurrentChurn(string ControllerPath, int InsertsPerRequest, int DeletesPerRequest)
{
    /// <summary>Seed of the choice of deleted and updated records and of the values written.</summary>
    public int Seed { get; init; } = 7;

    /// <summary>Live records updated after each index request (chosen deterministically).</summary>
    public int UpdatesPerRequest { get; init; }

    /// <summary>How many times each chosen record is changed, one after another: several versions within one second.</summary>
    public int ChangesPerUpdate { get; init; } = 1;

    /// <summary>
    /// Values to write, by field: each insert and each change sets every listed field to one of its values (wire text;
    /// null clears it). Lets churn move records in a sort order, create ties and blanks. Null: inserts set a name only,
    /// updates set a new name.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string?>>? Values { get; init; }
}

/// <summary>Control knobs of a running emulator. Thread-safe.</summary>
public sealed class EmulatorControl
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly List<FaultSlot> _faults = [];
    private readonly Lock _gate = new();

    internal EmulatorControl() { }

    /// <summary>Injects a fault into the next matching request(s).</summary>
    public void Inject(EmulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (_gate)
            _faults.Add(new FaultSlot(fault));
    }

    /// <summary>Removes every pending fault.</summary>
    public void ClearFaults()
    {
        lock (_gate)
            _faults.Clear();
    }

    /// <summary>Concurrent inserts/deletes applied after each index request of one type (null: none).</summary>
    public ConcurrentChurn? Churn { get; set; }

    /// <summary>Every request received so far (oldest first, the last 20,000 kept).</summary>
    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    /// <summary>Forgets the recorded requests.</summary>
    public void ClearRequests() => _requests.Clear();

    /// <summary>Expires every open session now: the next request of each gets 401 <c>session_expired</c>.</summary>
    public void ExpireAllSessions() => ExpireSessionsRequested?.Invoke(null);

    /// <summary>Expires one session now.</summary>
    public void ExpireSession(string sessionId) => ExpireSessionsRequested?.Invoke(sessionId);

    /// <summary>When set, the next login fails with this reason (documented or not), e.g. <c>database_being_migrated</c>.</summary>
    public string? ForcedLoginFailure { get; set; }

    internal event Action<string?>? ExpireSessionsRequested;

    internal void Record(RecordedRequest request)
    {
        _requests.Enqueue(request);
        while (_requests.Count > 20_000 && _requests.TryDequeue(out _)) { }
    }

    internal EmulatorFault? TakeFault(string method, string path, Func<EmulatorFaultKind, bool> applicable)
    {
        lock (_gate)
        {
            for (var i = 0; i < _faults.Count; i++)
            {
                var slot = _faults[i];
                var f = slot.Fault;
                if (!applicable(f.Kind)) continue;
                if (f.Method is not null && !string.Equals(f.Method, method, StringComparison.OrdinalIgnoreCase)) continue;
                if (f.PathContains is not null ? !path.Contains(f.PathContains, StringComparison.Ordinal) : path.StartsWith("/login", StringComparison.Ordinal) || path.StartsWith("/logout", StringComparison.Ordinal)) continue;
                if (slot.Skipped < f.Skip)
                {
                    slot.Skipped++;
                    continue;
                }
                slot.Used++;
                if (slot.Used >= f.Times)
                    _faults.RemoveAt(i);
                return f;
            }
            return null;
        }
    }

    private sealed class FaultSlot(EmulatorFault fault)
    {
        public EmulatorFault Fault { get; } = fault;
        public int Used { get; set; }
        public int Skipped { get; set; }
    }
}
