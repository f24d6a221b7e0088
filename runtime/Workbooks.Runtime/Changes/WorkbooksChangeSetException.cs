using Workbooks.Records;

namespace Workbooks.Changes;

/// <summary>Some objects of a change set were not applied; <see cref="Result"/> says which and why.</summary>
public class WorkbooksChangeSetException : WorkbooksException
{
    /// <summary>Creates the exception.</summary>
    public WorkbooksChangeSetException(string message, ChangeSetResult result) : base(message) => Result = result;

    /// <summary>Every object's outcome.</summary>
    public ChangeSetResult Result { get; }
}

/// <summary>Records were changed elsewhere since they were read (stale lock_version): reload them and apply the change again.</summary>
public sealed class WorkbooksConcurrencyException : WorkbooksChangeSetException
{
    /// <summary>Creates the exception.</summary>
    public WorkbooksConcurrencyException(string message, ChangeSetResult result) : base(message, result) { }

    /// <summary>The records whose lock_version was stale.</summary>
    public IReadOnlyList<WorkbooksRecord> ConflictingRecords => Result.Results.Where(r => r.IsConflict).Select(r => r.Record).ToArray();
}
