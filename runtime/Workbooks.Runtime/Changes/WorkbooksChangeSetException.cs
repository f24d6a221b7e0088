using System.Globalization;
using System.Text;
using Workbooks.Records;

namespace Workbooks.Changes;

/// <summary>
/// Some objects of a change set were not applied, or a request of it failed; <see cref="Result"/> says what became of
/// every object (including those earlier requests committed), and <see cref="Exception.InnerException"/> keeps the
/// failure that stopped the change set, if one did.
/// </summary>
public class WorkbooksChangeSetException : WorkbooksException
{
    /// <summary>Creates the exception.</summary>
    public WorkbooksChangeSetException(string message, ChangeSetResult result) : this(message, result, null) { }

    /// <summary>Creates the exception with the failure that stopped the change set.</summary>
    public WorkbooksChangeSetException(string message, ChangeSetResult result, Exception? innerException)
        : base(message, null, null, null, innerException) => Result = result ?? throw new ArgumentNullException(nameof(result));

    /// <summary>Every object's outcome.</summary>
    public ChangeSetResult Result { get; }
}

/// <summary>Records were changed elsewhere since they were read (stale lock_version): reload them and apply the change again.</summary>
public sealed class WorkbooksConcurrencyException : WorkbooksChangeSetException
{
    /// <summary>Creates the exception.</summary>
    public WorkbooksConcurrencyException(string message, ChangeSetResult result) : base(message, result) { }

    /// <summary>Creates the exception with the failure that stopped the change set.</summary>
    public WorkbooksConcurrencyException(string message, ChangeSetResult result, Exception? innerException) : base(message, result, innerException) { }

    /// <summary>The records whose lock_version was stale.</summary>
    public IReadOnlyList<WorkbooksRecord> ConflictingRecords => Result.Results.Where(r => r.IsConflict).Select(r => r.Record).ToArray();
}

/// <summary>Builds the exception a failed submit throws: the failed records and their causes first, then counts by outcome.</summary>
internal static class ChangeSetException
{
    private const int Listed = 5;

    public static WorkbooksChangeSetException Create(string controllerPath, ChangeSetResult result, Exception? failure)
    {
        var failures = result.Failures
            .OrderBy(f => f.Outcome switch { ChangeOutcome.Failed => f.Errors.Count > 0 ? 0 : 1, ChangeOutcome.Unknown => 2, ChangeOutcome.RolledBack => 3, _ => 4 })
            .ThenBy(f => f.Index)
            .ToArray();
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{failures.Length} of {result.Results.Count} changes to {controllerPath} were not applied");
        if (failure is not null)
            text.Append(CultureInfo.InvariantCulture, $" ({failure.GetType().Name}: {failure.Message})");
        text.Append(": ").AppendJoin(" | ", failures.Take(Listed));
        if (failures.Length > Listed)
            text.Append(CultureInfo.InvariantCulture, $" | and {failures.Length - Listed} more");
        text.Append(". Outcomes: ").AppendJoin(", ", result.Results.GroupBy(r => r.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"));
        text.Append(result.RequestCount > 1
            ? ". Each request of the change set is one transaction: those before the failure stay committed."
            : ".");
        var message = text.ToString();
        return failures.Any(f => f.IsConflict)
            ? new WorkbooksConcurrencyException(message, result, failure)
            : new WorkbooksChangeSetException(message, result, failure);
    }
}
