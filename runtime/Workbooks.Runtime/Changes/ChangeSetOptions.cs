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
    /// How long to keep reading records back after an ambiguous failure (a timeout, a connection lost after sending, a
    /// 5xx, an unreadable answer) before reporting a change <see cref="ChangeOutcome.Unknown"/>. A request delayed on
    /// the network may be processed after the client gave up; reading back for a while finds it. Nothing is re-sent.
    /// </summary>
    public TimeSpan VerifyGracePeriod { get; set; } = TimeSpan.FromSeconds(10);
}
