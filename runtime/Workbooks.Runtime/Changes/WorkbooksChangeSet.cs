using System.Globalization;
using Workbooks.Filters;
using Workbooks.Records;
using Workbooks.Transport;

namespace Workbooks.Changes;

/// <summary>
/// Creates, updates and deletes of one record type, submitted together: chunked to the service's 100-objects limit,
/// each chunk one request carrying its working-set filter; <c>affected_objects</c> are mapped back onto the records
/// (new ids, lock versions, changed fields). After an ambiguous failure (connection lost after sending) the change
/// set reads the records back to learn whether the chunk was applied before anything is sent again; a create it
/// cannot verify is reported <see cref="ChangeOutcome.Unknown"/>, never resubmitted. Give creates a
/// <c>created_through_reference</c> to make them verifiable.
/// </summary>
public sealed class WorkbooksChangeSet
{
    private readonly WorkbooksSession _session;
    private readonly List<(ChangeKind Kind, WorkbooksRecord Record)> _items = [];

    internal WorkbooksChangeSet(WorkbooksSession session, string controllerPath)
    {
        _session = session;
        ControllerPath = controllerPath.Trim('/');
    }

    /// <summary>The endpoint, e.g. <c>crm/people</c>.</summary>
    public string ControllerPath { get; }

    /// <summary>How many objects the change set holds.</summary>
    public int Count => _items.Count;

    /// <summary>Adds a create of a new record (its id must be 0); the record gets its id when submitted.</summary>
    public WorkbooksRecord Create(WorkbooksRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Id != 0)
            throw new ArgumentException($"Only a new record (id 0) can be created; this one has id {record.Id}.", nameof(record));
        _items.Add((ChangeKind.Create, record));
        return record;
    }

    /// <summary>Adds an update of the record's changed fields (with its id and lock_version).</summary>
    public WorkbooksRecord Update(WorkbooksRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Id <= 0)
            throw new ArgumentException("Only an existing record (id > 0) can be updated.", nameof(record));
        _items.Add((ChangeKind.Update, record));
        return record;
    }

    /// <summary>Adds a delete of the record.</summary>
    public void Delete(WorkbooksRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Id <= 0)
            throw new ArgumentException("Only an existing record (id > 0) can be deleted.", nameof(record));
        _items.Add((ChangeKind.Delete, record));
    }

    /// <summary>Adds a delete by id and lock_version.</summary>
    public void Delete(long id, int lockVersion) => Delete(new WorkbooksRecord { Id = id, LockVersion = lockVersion });

    /// <summary>Submits every object, in order, in as few requests as the limit allows.</summary>
    public async Task<ChangeSetResult> SubmitAsync(ChangeSetOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ChangeSetOptions();
        if (options.ChunkSize is < 1 or > ChangeSetEncoder.DefaultMaxObjects)
            throw new ArgumentOutOfRangeException(nameof(options), options.ChunkSize, "ChunkSize must be between 1 and 100.");
        var perObject = options.PerObjectTransactions ?? _session.Options.PerObjectTransactions;
        var results = _items.Select((item, i) => new ChangeResult(i, item.Kind, item.Record)).ToArray();
        var requests = 0;
        for (var start = 0; start < results.Length; start += options.ChunkSize)
        {
            var chunk = results.AsMemory(start, Math.Min(options.ChunkSize, results.Length - start));
            requests += await SubmitChunkAsync(chunk, perObject, cancellationToken).ConfigureAwait(false);
            if (!perObject && chunk.Span.ToArray().Any(r => r.Outcome != ChangeOutcome.Applied))
                break; // later chunks stay NotAttempted: the caller decides what to do after a failure
        }
        var result = new ChangeSetResult(results, requests);
        if (options.ThrowOnFailure && !result.Success)
        {
            var failures = result.Failures.ToArray();
            var summary = $"{failures.Length} of {results.Length} changes to {ControllerPath} were not applied: {string.Join(" | ", failures.Take(5))}{(failures.Length > 5 ? " …" : "")}";
            throw failures.Any(f => f.IsConflict) ? new WorkbooksConcurrencyException(summary, result) : new WorkbooksChangeSetException(summary, result);
        }
        return result;
    }

    private async Task<int> SubmitChunkAsync(Memory<ChangeResult> chunk, bool perObject, CancellationToken cancellationToken)
    {
        var items = chunk.ToArray();
        for (var attempt = 0; ; attempt++)
        {
            var operations = items.Select(r => ChangeOperation.FromRecord(r.Record, r.Kind)).ToArray();
            var request = new WorkbooksRequest(WorkbooksRequestKind.Change, ControllerPath).AddRange(ChangeSetEncoder.Encode(operations));
            if (perObject)
                request.Add("_per_object_transactions", "1");
            ChangeResponse response;
            try
            {
                using var http = await _session.SendAsync(request, cancellationToken).ConfigureAwait(false);
                response = await ChangeResponse.ParseAsync(http.Content, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WorkbooksTransportException { OutcomeUnknown: true } or WorkbooksProtocolException or IOException)
            {
                var applied = await VerifyAsync(items, operations, cancellationToken).ConfigureAwait(false);
                if (applied.All(a => a == false) && attempt == 0)
                    continue; // provably not applied: sending it again cannot duplicate anything
                for (var i = 0; i < items.Length; i++)
                {
                    items[i].Verified = applied[i] is not null;
                    items[i].Outcome = applied[i] switch { true => ChangeOutcome.Applied, false => ChangeOutcome.NotAttempted, null => ChangeOutcome.Unknown };
                    if (applied[i] == true) items[i].Record.AcceptChanges();
                }
                return attempt + 1;
            }
            Apply(items, response, perObject);
            return attempt + 1;
        }
    }

    private static void Apply(ChangeResult[] items, ChangeResponse response, bool perObject)
    {
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            var result = i < response.Objects.Count ? response.Objects[i] : null;
            item.Errors = result?.Errors ?? new Dictionary<string, IReadOnlyList<string>>();
            item.Messages = result?.Messages ?? [];
            if (result is { Success: true } && (response.Success || perObject))
            {
                result.ApplyTo(item.Record);
                item.Record.AcceptChanges();
                item.Outcome = ChangeOutcome.Applied;
            }
            else if (item.Errors.Count > 0 || (perObject && result is { Success: false }))
            {
                item.Outcome = ChangeOutcome.Failed;
            }
            else
            {
                // No error of its own: applied with the request, or rolled back with the objects that failed.
                item.Outcome = response.Success ? ChangeOutcome.Applied : ChangeOutcome.RolledBack;
            }
        }
        if (!response.Success && !perObject && items.All(i => i.Outcome != ChangeOutcome.Failed))
        {
            // The request failed as a whole without naming an object: report it on every one.
            var failure = new Dictionary<string, IReadOnlyList<string>> { ["base"] = response.Failures.Count > 0 ? response.Failures : [response.Flash ?? "The change was not applied."] };
            foreach (var item in items)
            {
                item.Outcome = ChangeOutcome.Failed;
                item.Errors = failure;
            }
        }
    }

    /// <summary>
    /// Reads the chunk's records back after an ambiguous failure. Per object: true (applied), false (not applied) or
    /// null (cannot tell). An update or delete is applied when its lock_version moved exactly one step; a create is
    /// found by its <c>created_through_reference</c>.
    /// </summary>
    private async Task<bool?[]> VerifyAsync(ChangeResult[] items, ChangeOperation[] operations, CancellationToken cancellationToken)
    {
        var applied = new bool?[items.Length];
        var ids = items.Where(i => i.Kind != ChangeKind.Create).Select(i => i.Record.Id).Distinct().ToArray();
        var current = new Dictionary<long, (int LockVersion, bool Deleted)>();
        if (ids.Length > 0)
        {
            await foreach (var r in _session.Records(ControllerPath).Where(WorkbooksFilter.Field("id").In(ids)).IncludeDeleted()
                .Select("lock_version", "is_deleted").PageSize(100).WithCancellation(cancellationToken).ConfigureAwait(false))
                current[r.Id] = (r.LockVersion, r.GetBoolean("is_deleted") ?? false);
        }
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            var sent = operations[i].LockVersion;
            switch (item.Kind)
            {
                case ChangeKind.Update when current.TryGetValue(item.Record.Id, out var now):
                    applied[i] = now.LockVersion == sent + 1 ? true : now.LockVersion == sent ? false : null;
                    if (applied[i] == true) item.Record.LockVersion = now.LockVersion;
                    break;
                case ChangeKind.Delete when current.TryGetValue(item.Record.Id, out var now):
                    applied[i] = now.Deleted && now.LockVersion == sent + 1 ? true : !now.Deleted && now.LockVersion == sent ? false : null;
                    break;
                case ChangeKind.Create when item.Record.TryGetChange("created_through_reference", out var reference) && reference.Text is { Length: > 0 } text:
                    var found = await _session.Records(ControllerPath).Where(WorkbooksFilter.Field("created_through_reference").Equal(text))
                        .Select("lock_version").Take(2).ToListAsync(cancellationToken).ConfigureAwait(false);
                    applied[i] = found.Count == 1 ? true : found.Count == 0 ? false : null;
                    if (found.Count == 1)
                    {
                        item.Record.Id = found[0].Id;
                        item.Record.LockVersion = found[0].LockVersion;
                    }
                    break;
                default:
                    applied[i] = null;
                    break;
            }
        }
        return applied;
    }
}
