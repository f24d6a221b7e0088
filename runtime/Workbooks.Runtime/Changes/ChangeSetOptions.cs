namespace Workbooks.Changes;

/// <summary>Options of <see cref="WorkbooksChangeSet.SubmitAsync"/>.</summary>
public sealed class ChangeSetOptions
{
    /// <summary>Each object in its own transaction (null: the session's <see cref="WorkbooksOptions.PerObjectTransactions"/>).</summary>
    public bool? PerObjectTransactions { get; set; }

    /// <summary>Objects per request (the service accepts at most 100).</summary>
    public int ChunkSize { get; set; } = ChangeSetEncoder.DefaultMaxObjects;

    /// <summary>Throw <see cref="WorkbooksChangeSetException"/> (or its concurrency subtype) when any object was not applied.</summary>
    public bool ThrowOnFailure { get; set; } = true;
}
