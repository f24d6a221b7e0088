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
    private readonly List<(ChangeKind Kind, WorkbooksRecord Record, string? UpsertKey)> _items = [];

    /// <summary>The field a create is verified by after an ambiguous failure, unless an upsert names its own key.</summary>
    internal const string ReferenceField = "created_through_reference";

    /// <summary>Fields an update may not set (from the typed change set's shape); checked when an upsert becomes an update.</summary>
    internal IReadOnlySet<string> NotUpdateable { get; init; } = new HashSet<string>();

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
        _items.Add((ChangeKind.Create, record, null));
        return record;
    }

    /// <summary>Adds an update of the record's changed fields (with its id and lock_version).</summary>
    public WorkbooksRecord Update(WorkbooksRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Id <= 0)
            throw new ArgumentException("Only an existing record (id > 0) can be updated.", nameof(record));
        _items.Add((ChangeKind.Update, record, null));
        return record;
    }

    /// <summary>Adds a delete of the record.</summary>
    public void Delete(WorkbooksRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Id <= 0)
            throw new ArgumentException("Only an existing record (id > 0) can be deleted.", nameof(record));
        _items.Add((ChangeKind.Delete, record, null));
    }

    /// <summary>
    /// Adds an upsert: when submitted, the record is created, or, if one record with the same
    /// <paramref name="keyField"/> value exists, that record is updated with the record's changed fields (and the record
    /// gets its id). The key is looked up in one read for all upserts of the change set; two records with the same key
    /// refuse the upsert before anything is sent. The usual rules hold after a failure: a create is verified by its key,
    /// never re-sent.
    /// </summary>
    /// <param name="record">A new record (id 0) that sets <paramref name="keyField"/>.</param>
    /// <param name="keyField">A field that identifies the record, e.g. <c>created_through_reference</c> (the default) or a unique custom field.</param>
    public WorkbooksRecord Upsert(WorkbooksRecord record, string keyField = ReferenceField)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(keyField);
        if (record.Id != 0)
            throw new ArgumentException($"An upsert takes a new record (id 0); this one has id {record.Id}: update it instead.", nameof(record));
        if (!record.TryGetChange(keyField, out var key) || key.Text is not { Length: > 0 })
            throw new ArgumentException($"An upsert needs a value of its key field '{keyField}' to look the record up by.", nameof(record));
        _items.Add((ChangeKind.Create, record, keyField));
        return record;
    }

    /// <summary>Adds a delete by id and lock_version.</summary>
    public void Delete(long id, int lockVersion) => Delete(new WorkbooksRecord { Id = id, LockVersion = lockVersion });

    /// <summary>
    /// Submits every object, in order, in as few requests as the limit allows. Each request (at most
    /// <see cref="ChangeSetOptions.ChunkSize"/> objects, 100 by default) is one transaction on the service: all of its
    /// objects are applied or none is (unless <see cref="ChangeSetOptions.PerObjectTransactions"/>). After a request
    /// fails, later requests are not sent. A request is re-sent only when it provably never reached the service (the
    /// connection could not be opened); after any ambiguous failure the records are read back instead.
    /// </summary>
    /// <returns>One result per object, in the order they were added.</returns>
    /// <exception cref="WorkbooksChangeSetException">Some objects were not applied (<see cref="ChangeSetOptions.ThrowOnFailure"/>),
    /// or a request failed: <see cref="WorkbooksChangeSetException.Result"/> says what became of every object (records
    /// committed by earlier requests are <see cref="ChangeOutcome.Applied"/>, with their ids) and the inner exception
    /// keeps the cause.</exception>
    /// <exception cref="InvalidOperationException"><see cref="ChangeSetOptions.RequireSingleTransaction"/> is set and the
    /// change set needs more than one request (nothing was sent).</exception>
    public async Task<ChangeSetResult> SubmitAsync(ChangeSetOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ChangeSetOptions();
        if (options.ChunkSize is < 1 or > ChangeSetEncoder.DefaultMaxObjects)
            throw new ArgumentOutOfRangeException(nameof(options), options.ChunkSize, "ChunkSize must be between 1 and 100.");
        if (options.RequireSingleTransaction && _items.Count > options.ChunkSize)
            throw new InvalidOperationException(
                $"The change set holds {_items.Count} objects, which takes {(_items.Count + options.ChunkSize - 1) / options.ChunkSize} requests of at most {options.ChunkSize}: "
                + "each request is its own transaction, so it cannot be applied all or nothing. Nothing was sent; split the work or clear RequireSingleTransaction.");
        // References to records created earlier become their ids now; one to a record not created yet is refused
        // before anything is sent.
        foreach (var item in _items)
            item.Record.ResolveReferences();
        var perObject = options.PerObjectTransactions ?? _session.Options.PerObjectTransactions;
        var kinds = await ResolveUpsertsAsync(cancellationToken).ConfigureAwait(false);
        var results = _items.Select((item, i) => new ChangeResult(i, kinds[i].Kind, item.Record) { VerifyKey = item.UpsertKey ?? ReferenceField }).ToArray();
        if (kinds.Any(k => k.Refusal is not null))
        {
            // Refused before anything is sent: an upsert whose key names several records.
            for (var i = 0; i < results.Length; i++)
            {
                if (kinds[i].Refusal is { } refusal)
                {
                    results[i].Outcome = ChangeOutcome.Failed;
                    results[i].Errors = new Dictionary<string, IReadOnlyList<string>> { [_items[i].UpsertKey!] = [refusal] };
                }
            }
            throw ChangeSetException.Create(ControllerPath, new ChangeSetResult(results, 0), null);
        }
        if (options.MaxConcurrency < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxConcurrency, "MaxConcurrency must be at least 1.");
        var chunks = Enumerable.Range(0, (results.Length + options.ChunkSize - 1) / options.ChunkSize)
            .Select(c => results[(c * options.ChunkSize)..Math.Min((c + 1) * options.ChunkSize, results.Length)]).ToArray();
        var requests = 0;
        Exception? failure = null;
        var stopped = false;
        using var gate = new SemaphoreSlim(options.MaxConcurrency);
        var inFlight = new List<Task>();
        foreach (var chunk in chunks)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (Volatile.Read(ref stopped))
            {
                gate.Release();
                break; // later chunks stay NotAttempted: the caller decides what to do after a failure
            }
            Interlocked.Increment(ref requests);
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    var chunkFailure = await SubmitChunkAsync(chunk, perObject, options.VerifyGracePeriod, cancellationToken).ConfigureAwait(false);
                    if (chunkFailure is not null)
                        Interlocked.CompareExchange(ref failure, chunkFailure, null);
                    if (chunkFailure is not null || (!perObject && chunk.Any(r => r.Outcome != ChangeOutcome.Applied)))
                        Volatile.Write(ref stopped, true);
                }
                finally
                {
                    gate.Release();
                }
            }, CancellationToken.None));
            if (options.MaxConcurrency == 1)
                await inFlight[^1].ConfigureAwait(false); // one at a time: decide about the next after this one
        }
        await Task.WhenAll(inFlight).ConfigureAwait(false);
        var result = new ChangeSetResult(results, requests);
        foreach (var group in results.GroupBy(r => (r.Kind, r.Outcome)))
            _session.Metrics.RecordsWritten.Add(group.Count(), new("workbooks.controller_path", ControllerPath),
                new("workbooks.change.kind", group.Key.Kind.ToString().ToLowerInvariant()), new("workbooks.change.outcome", group.Key.Outcome.ToString().ToLowerInvariant()));
        if (failure is not null || (options.ThrowOnFailure && !result.Success))
            throw ChangeSetException.Create(ControllerPath, result, failure);
        return result;
    }

    /// <summary>
    /// Reads back the records of <see cref="ChangeOutcome.Unknown"/> results (by <c>created_through_reference</c> for
    /// creates, by lock_version for updates and deletes) and settles those it can: a create found once is
    /// <see cref="ChangeOutcome.Applied"/> with its id; an update whose lock_version moved one step is applied.
    /// Use it some time after a submit that left outcomes unknown. Nothing is sent but reads.
    /// </summary>
    /// <param name="result">The result of an earlier submit of this change set (or the one its exception carries).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>How many outcomes were settled.</returns>
    public async Task<int> SettleAsync(ChangeSetResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        var unknown = result.Results.Where(r => r.Outcome == ChangeOutcome.Unknown).ToArray();
        if (unknown.Length == 0)
            return 0;
        var operations = unknown.Select(r => r.Sent ?? ChangeOperation.FromRecord(r.Record, r.Kind)).ToArray();
        var applied = await VerifyAsync(unknown, operations, cancellationToken).ConfigureAwait(false);
        var settled = 0;
        for (var i = 0; i < unknown.Length; i++)
        {
            if (applied[i] != true)
                continue;
            unknown[i].Outcome = ChangeOutcome.Applied;
            unknown[i].Verified = true;
            settled++;
        }
        return settled;
    }

    /// <summary>
    /// Turns each upsert into a create or an update: one read per key field finds the existing records (live ones).
    /// Found once: an update of that record (its id and lock_version adopted, the unchanged key not sent again).
    /// </summary>
    private async Task<(ChangeKind Kind, string? Refusal)[]> ResolveUpsertsAsync(CancellationToken cancellationToken)
    {
        var kinds = _items.Select(i => (i.Kind, (string?)null)).ToArray();
        foreach (var group in _items.Select((item, index) => (item, index)).Where(x => x.item.UpsertKey is not null).GroupBy(x => x.item.UpsertKey!, StringComparer.Ordinal))
        {
            var keyField = group.Key;
            var keys = group.Select(x => KeyOf(x.item.Record, keyField)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            var existing = new Dictionary<string, List<WorkbooksRecord>>(StringComparer.OrdinalIgnoreCase);
            foreach (var chunk in keys.Chunk(100))
            {
                await foreach (var r in _session.Records(ControllerPath).Where(WorkbooksFilter.Field(keyField).In(chunk)).SelectFields("id", "lock_version", keyField)
                    .PageSize(100).WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    if (r.GetString(keyField) is { } value)
                        (existing.TryGetValue(value, out var list) ? list : existing[value] = []).Add(r);
                }
            }
            foreach (var (item, index) in group)
            {
                var key = KeyOf(item.Record, keyField);
                var found = existing.GetValueOrDefault(key) ?? [];
                if (found.Count > 1)
                {
                    kinds[index] = (ChangeKind.Create, $"{found.Count} records ({string.Join(", ", found.Select(f => f.Id))}) have {keyField} '{key}': an upsert needs at most one.");
                    continue;
                }
                if (found.Count == 0)
                    continue;
                var forbidden = item.Record.ChangedFields.Where(f => f != keyField && NotUpdateable.Contains(f)).Order(StringComparer.Ordinal).ToArray();
                if (forbidden.Length > 0)
                {
                    kinds[index] = (ChangeKind.Update, $"the record exists (id {found[0].Id}), and an update cannot set {string.Join(", ", forbidden.Select(f => $"'{f}'"))}.");
                    continue;
                }
                item.Record.Id = found[0].Id;
                item.Record.LockVersion = found[0].LockVersion;
                item.Record.ForgetChange(keyField);
                kinds[index] = (ChangeKind.Update, null);
            }
        }
        return kinds;

        static string KeyOf(WorkbooksRecord record, string keyField) =>
            record.TryGetChange(keyField, out var value) && value.Text is { } text ? text : record.GetString(keyField) ?? "";
    }

    /// <summary>Sends one chunk and sets each object's outcome. Returns the failure that stops the change set, if any.</summary>
    private async Task<Exception?> SubmitChunkAsync(ChangeResult[] items, bool perObject, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        var operations = items.Select(r => ChangeOperation.FromRecord(r.Record, r.Kind)).ToArray();
        for (var i = 0; i < items.Length; i++)
            items[i].Sent = operations[i];
        var request = new WorkbooksRequest(WorkbooksRequestKind.Change, ControllerPath).AddRange(ChangeSetEncoder.Encode(operations));
        if (perObject)
            request.Add("_per_object_transactions", "1");
        ChangeResponse response;
        try
        {
            using var http = await _session.SendAsync(request, cancellationToken).ConfigureAwait(false);
            response = await ChangeResponse.ParseAsync(http.Content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsAmbiguous(e))
        {
            // The service may have applied the chunk, or may yet apply it (a request delayed on the network). Sending it
            // again could duplicate the creates, so read the records back, for a while, instead.
            var unsettled = await SettleAfterAmbiguousFailureAsync(items, operations, gracePeriod, cancellationToken).ConfigureAwait(false);
            return unsettled ? e : null;
        }
        catch (WorkbooksException e)
        {
            // Refused before anything was applied (a 4xx, a lost session that could not be re-established, delaying
            // redirects that never ended): nothing of the chunk was applied.
            var cause = new Dictionary<string, IReadOnlyList<string>> { ["base"] = [e.ServiceMessage ?? e.Message] };
            foreach (var item in items)
            {
                item.Outcome = ChangeOutcome.Failed;
                item.Errors = cause;
            }
            return e;
        }
        var missing = Apply(items, response, perObject);
        if (missing.Length > 0)
        {
            // A success that does not account for every object sent: learn what became of the others by reading back.
            var unsettled = await SettleAfterAmbiguousFailureAsync(missing, [.. missing.Select(m => m.Sent!)], TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            if (unsettled)
                return new WorkbooksProtocolException($"{request} answered success but listed {response.Objects.Count} affected objects for {items.Length} sent.");
        }
        return null;
    }

    /// <summary>
    /// A failure after which the request may have been applied: the connection was lost or timed out after sending
    /// (the transport says the outcome is unknown), the service answered 5xx (it may have failed after committing), or
    /// the answer could not be read.
    /// </summary>
    private static bool IsAmbiguous(Exception e) =>
        e is WorkbooksTransportException { OutcomeUnknown: true } or WorkbooksServiceException or WorkbooksProtocolException or IOException;

    /// <summary>
    /// Reads the chunk back until every object is proven applied or the grace period ends; objects not proven applied
    /// by then are <see cref="ChangeOutcome.Unknown"/> (never re-sent). Returns whether any object is left unknown.
    /// </summary>
    private async Task<bool> SettleAfterAmbiguousFailureAsync(ChangeResult[] items, ChangeOperation[] operations, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        var clock = _session.Options.TimeProvider;
        var deadline = clock.GetUtcNow() + gracePeriod;
        var delay = TimeSpan.FromMilliseconds(100);
        var pending = Enumerable.Range(0, items.Length).ToList();
        while (true)
        {
            var round = pending.ToArray();
            var applied = await VerifyAsync([.. round.Select(i => items[i])], [.. round.Select(i => operations[i])], cancellationToken).ConfigureAwait(false);
            for (var k = 0; k < round.Length; k++)
            {
                var item = items[round[k]];
                if (applied[k] == true)
                {
                    item.Outcome = ChangeOutcome.Applied;
                    item.Verified = true;
                    pending.Remove(round[k]);
                }
                else if (applied[k] is null && item.Kind == ChangeKind.Create)
                {
                    pending.Remove(round[k]); // a create without a reference cannot be verified however long we wait
                }
            }
            if (pending.Count == 0 || clock.GetUtcNow() >= deadline)
                break;
            var pause = deadline - clock.GetUtcNow();
            await Task.Delay(pause < delay ? pause : delay, clock, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
        foreach (var item in items.Where(i => !i.Verified))
            item.Outcome = ChangeOutcome.Unknown;
        return items.Any(i => i.Outcome == ChangeOutcome.Unknown);
    }

    /// <summary>Maps the answer onto the objects; returns those a successful answer did not account for.</summary>
    private static ChangeResult[] Apply(ChangeResult[] items, ChangeResponse response, bool perObject)
    {
        var missing = new List<ChangeResult>();
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            var result = i < response.Objects.Count ? response.Objects[i] : null;
            item.Errors = result?.Errors ?? new Dictionary<string, IReadOnlyList<string>>();
            item.Messages = result?.Messages ?? [];
            if (result is null && response.Success)
            {
                missing.Add(item);
            }
            else if (result is { Success: true } && (response.Success || perObject))
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
        return [.. missing];
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
        var current = new Dictionary<long, WorkbooksRecord>();
        if (ids.Length > 0)
        {
            await foreach (var r in _session.Records(ControllerPath).Where(WorkbooksFilter.Field("id").In(ids)).IncludeDeleted()
                .PageSize(100).WithCancellation(cancellationToken).ConfigureAwait(false))
                current[r.Id] = r;
        }
        var references = new string?[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i].Kind == ChangeKind.Create && items[i].Record.TryGetChange(items[i].VerifyKey, out var reference) && reference.Text is { Length: > 0 } text)
                references[i] = text;
        }
        // Every create's reference in one read per key field: the records created under each (the service compares
        // text without case).
        var created = new Dictionary<(string Field, string Value), List<WorkbooksRecord>>(ReferenceComparer.Instance);
        foreach (var field in items.Where((_, i) => references[i] is not null).Select(i => i.VerifyKey).Distinct(StringComparer.Ordinal))
        {
            var wanted = items.Select((item, i) => (item, i)).Where(x => x.item.VerifyKey == field && references[x.i] is not null)
                .Select(x => references[x.i]!).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            await foreach (var r in _session.Records(ControllerPath).Where(WorkbooksFilter.Field(field).In(wanted))
                .PageSize(100).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (r.GetString(field) is { } key)
                    (created.TryGetValue((field, key), out var list) ? list : created[(field, key)] = []).Add(r);
            }
        }
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            var sent = operations[i].LockVersion;
            switch (item.Kind)
            {
                case ChangeKind.Update when current.TryGetValue(item.Record.Id, out var now):
                    applied[i] = now.LockVersion == sent + 1 ? true : now.LockVersion == sent ? false : null;
                    if (applied[i] == true)
                        item.Record.AdoptStored(now);
                    break;
                case ChangeKind.Delete when current.TryGetValue(item.Record.Id, out var now):
                    var deleted = now.GetBoolean("is_deleted") ?? false;
                    applied[i] = deleted && now.LockVersion == sent + 1 ? true : !deleted && now.LockVersion == sent ? false : null;
                    break;
                case ChangeKind.Create when references[i] is { } text:
                    var found = created.GetValueOrDefault((item.VerifyKey, text)) ?? [];
                    applied[i] = found.Count == 1 ? true : found.Count == 0 ? false : null;
                    if (found.Count == 1)
                    {
                        // The record as the service stored it: the caller's object gets its id, lock_version and every
                        // field, as an answered create would have given it.
                        item.Record.AdoptStored(found[0]);
                    }
                    break;
                default:
                    applied[i] = null;
                    break;
            }
        }
        return applied;
    }

    /// <summary>Compares (field, value) keys: the field exactly, the value as the service compares text (without case).</summary>
    private sealed class ReferenceComparer : IEqualityComparer<(string Field, string Value)>
    {
        public static ReferenceComparer Instance { get; } = new();

        public bool Equals((string Field, string Value) x, (string Field, string Value) y) =>
            string.Equals(x.Field, y.Field, StringComparison.Ordinal) && string.Equals(x.Value, y.Value, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode((string Field, string Value) obj) =>
            HashCode.Combine(StringComparer.Ordinal.GetHashCode(obj.Field), StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Value));
    }
}
