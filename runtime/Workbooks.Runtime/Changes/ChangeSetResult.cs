using System.Globalization;
using Workbooks.Records;

namespace Workbooks.Changes;

/// <summary>What became of one object of a change set.</summary>
public enum ChangeOutcome
{
    /// <summary>Not sent (an earlier request of the change set failed).</summary>
    NotAttempted,
    /// <summary>The service applied it; the record now has its id, lock_version and changed fields.</summary>
    Applied,
    /// <summary>The service refused it (see <see cref="ChangeResult.Errors"/>).</summary>
    Failed,
    /// <summary>Sent with objects that failed in the same all-or-nothing request, so rolled back.</summary>
    RolledBack,
    /// <summary>The connection failed after sending and the change set could not tell whether it was applied.
    /// It was not resubmitted, so that a create is never duplicated.</summary>
    Unknown,
}

/// <summary>The result of one object of a change set.</summary>
public sealed class ChangeResult
{
    internal ChangeResult(int index, ChangeKind kind, WorkbooksRecord record)
    {
        Index = index;
        Kind = kind;
        Record = record;
    }

    /// <summary>The object's position in the change set.</summary>
    public int Index { get; }

    /// <summary>Create, update or delete.</summary>
    public ChangeKind Kind { get; }

    /// <summary>The record (updated in place when applied).</summary>
    public WorkbooksRecord Record { get; }

    /// <summary>What happened.</summary>
    public ChangeOutcome Outcome { get; internal set; }

    /// <summary>Field errors (<c>lock_version</c> for a conflict), as the service gave them.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Errors { get; internal set; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Messages the service attached (e.g. a home-currency notice).</summary>
    public IReadOnlyList<ChangeMessage> Messages { get; internal set; } = [];

    /// <summary>Whether it failed because the record was changed elsewhere (stale lock_version).</summary>
    public bool IsConflict => Errors.ContainsKey("lock_version");

    /// <summary>Whether its outcome was established by reading the records back after a failed connection.</summary>
    public bool Verified { get; internal set; }

    /// <summary>The field a create is verified by after an ambiguous failure (its upsert key, else created_through_reference).</summary>
    internal string VerifyKey { get; init; } = "created_through_reference";

    /// <summary>The operation as it was sent (its lock_version is what verification compares with); null until sent.</summary>
    internal ChangeOperation? Sent { get; set; }

    /// <summary>The same result at another position (a unit of work reports each record at its place in the unit).</summary>
    internal ChangeResult At(int index) => new(index, Kind, Record)
    {
        Outcome = Outcome, Errors = Errors, Messages = Messages, Verified = Verified, VerifyKey = VerifyKey, Sent = Sent,
    };

    /// <summary>"create #3 (id 0): refcode: 'X' is already used".</summary>
    public override string ToString() =>
        $"{Kind.ToString().ToLowerInvariant()} #{Index} (id {Record.Id}): {Outcome}" +
        (Errors.Count == 0 ? "" : ": " + string.Join("; ", Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
}

/// <summary>The results of a change set, in the order the objects were added.</summary>
public sealed class ChangeSetResult
{
    internal ChangeSetResult(IReadOnlyList<ChangeResult> results, int requests)
    {
        Results = results;
        RequestCount = requests;
    }

    /// <summary>One result per object.</summary>
    public IReadOnlyList<ChangeResult> Results { get; }

    /// <summary>How many requests the change set took.</summary>
    public int RequestCount { get; }

    /// <summary>Whether every object was applied.</summary>
    public bool Success => Results.All(r => r.Outcome == ChangeOutcome.Applied);

    /// <summary>The objects that were not applied.</summary>
    public IEnumerable<ChangeResult> Failures => Results.Where(r => r.Outcome != ChangeOutcome.Applied);
}
