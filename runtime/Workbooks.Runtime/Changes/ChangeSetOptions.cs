namespace Workbooks.Changes;

/// <summary>Options of <see cref="WorkbooksChangeSet.SubmitAsync"/>.</summary>
public sealed class ChangeSetOptions
{
    /// <summary>Each object in its own transaction (null: the session's <see cref="WorkbooksOptions.PerObjectTransactions"/>).</summary>
    public bool? PerObjectTransactions { get; set; }

    /// <summary>Objects per request (the service accepts at most 100). Each request is one transaction on the service.</summary>
    public int ChunkSize { get; set; } = ChangeSetEncoder.DefaultMaxObjects;

    /// <summary>Throw <see cref="WorkbooksChangeSetException"/> (or its concurrency subtype) when any object was not applied.</summary>
    public bool ThrowOnFailure { get; set; } = true;

    /// <summary>
    /// All or nothing: refuse, before anything is sent, a change set that needs more than one request (more than
    /// <see cref="ChunkSize"/> objects). Each request is one transaction, so only a change set of one request can be
    /// applied or refused as a whole.
    /// </summary>
    public bool RequireSingleTransaction { get; set; }

    /// <summary>
    /// How many requests of the change set may be in flight at once (1, the default: one after another). With more,
    /// a change set of thousands of records goes faster over a slow link; each request is still at most
    /// <see cref="ChunkSize"/> objects and its own transaction, requests may be applied in any order, and after a
    /// failure no further request is started (those in flight finish, and every record's outcome is reported).
    /// </summary>
    public int MaxConcurrency { get; set; } = 1;

    /// <summary>
    /// How long to keep reading records back after an ambiguous failure (a timeout, a connection lost after sending, a
    /// 5xx, an unreadable answer) before reporting a change <see cref="ChangeOutcome.Unknown"/>. A request delayed on
    /// the network may be processed after the client gave up; reading back for a while finds it. Nothing is re-sent.
    /// </summary>
    public TimeSpan VerifyGracePeriod { get; set; } = TimeSpan.FromSeconds(10);
}
