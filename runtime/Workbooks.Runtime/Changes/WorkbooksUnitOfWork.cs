using System.Globalization;
using Workbooks.Query;
using Workbooks.Records;

namespace Workbooks.Changes;

/// <summary>A change set that a unit of work submits as one of its steps.</summary>
internal interface IChangeStep
{
    Task<ChangeSetResult> SubmitAsync(ChangeSetOptions? options, CancellationToken cancellationToken);
}

/// <summary>
/// Changes to records of several types, submitted together in the order their references need: an organisation and
/// the people it employs (<c>person.Employer = organisation</c> before the organisation has an id) in one call. Each
/// step is one change set of one type (requests of at most 100 objects, each its own transaction); a record that refers
/// to another created in the same unit is sent in a step after it, with its id filled in.
/// </summary>
/// <remarks>
/// Records are checked against their type's shape when added, before anything is sent. A unit that cannot be ordered
/// (records referring to each other in a cycle) or that refers to a record neither created nor in the unit is refused
/// before anything is sent. After a step that fails, later steps are not sent: the result says what was committed.
/// Not thread-safe: build and submit a unit from one thread at a time.
/// </remarks>
public sealed class WorkbooksUnitOfWork
{
    private readonly WorkbooksSession _session;
    private readonly List<Item> _items = [];

    /// <summary>Starts an empty unit of work on <paramref name="session"/>.</summary>
    public WorkbooksUnitOfWork(WorkbooksSession session) => _session = session ?? throw new ArgumentNullException(nameof(session));

    /// <summary>How many records the unit holds.</summary>
    public int Count => _items.Count;

    /// <summary>Adds a create of <paramref name="record"/> at <paramref name="endpoint"/>; it gets its id on submit.</summary>
    /// <exception cref="ArgumentException">A field the schema does not let a create set was set.</exception>
    public T Create<T, TFields>(WorkbooksEndpoint<T, TFields> endpoint, T record) where T : class =>
        Add(endpoint, record, ChangeKind.Create, static (set, r) => set.Create(r));

    /// <summary>Adds an update of the properties of <paramref name="record"/> changed since it was read.</summary>
    /// <exception cref="ArgumentException">A field the schema does not let an update set was set.</exception>
    public T Update<T, TFields>(WorkbooksEndpoint<T, TFields> endpoint, T record) where T : class =>
        Add(endpoint, record, ChangeKind.Update, static (set, r) => set.Update(r));

    /// <summary>Adds a delete of <paramref name="record"/>.</summary>
    public void Delete<T, TFields>(WorkbooksEndpoint<T, TFields> endpoint, T record) where T : class =>
        Add(endpoint, record, ChangeKind.Delete, static (set, r) => { set.Delete(r); return r; });

    private T Add<T, TFields>(WorkbooksEndpoint<T, TFields> endpoint, T record, ChangeKind kind, Func<WorkbooksChangeSet<T>, T, T> add) where T : class
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(record);
        add(endpoint.Changes(), record); // the type's checks, now, before anything is sent
        _items.Add(new Item(kind, endpoint.Reader.RecordOf(record), endpoint.ControllerPath, typeof(T),
            () => endpoint.Changes(), set => add((WorkbooksChangeSet<T>)set, record)));
        return record;
    }

    /// <summary>
    /// Sends the records, step by step: first those that refer to no record created in this unit, then those that refer
    /// to records created in the steps before (their ids filled in), one change set per type and step.
    /// </summary>
    /// <returns>One result per record in the order they were added, and the steps as sent.</returns>
    /// <exception cref="InvalidOperationException">The records refer to each other in a cycle, or to a record neither
    /// created nor in this unit (nothing was sent).</exception>
    /// <exception cref="WorkbooksChangeSetException">A request failed, or (with <see cref="ChangeSetOptions.ThrowOnFailure"/>)
    /// some records were not applied: its result says what became of every record of the unit.</exception>
    public async Task<UnitOfWorkResult> SubmitAsync(ChangeSetOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ChangeSetOptions();
        var waves = Order();
        // Every step's change set is built (and each record checked against its type again) before anything is sent.
        var planned = waves.SelectMany(wave => wave.GroupBy(i => (_items[i].ControllerPath, _items[i].RecordType)).Select(group =>
        {
            var indices = group.ToArray();
            var set = _items[indices[0]].NewSet();
            foreach (var i in indices)
                _items[i].AddTo(set);
            return (Path: group.Key.ControllerPath, Indices: indices, Set: set);
        })).ToList();
        if (options.RequireSingleTransaction && planned.Count > 1)
            throw new InvalidOperationException(
                $"The unit of work takes {planned.Count} steps (one change set per type and link order), each its own request(s): it cannot be applied all or nothing. Nothing was sent; clear RequireSingleTransaction.");

        var results = new ChangeResult?[_items.Count];
        var steps = new List<UnitOfWorkStep>();
        var requests = 0;
        Exception? failure = null;
        var failedStep = 0;
        var perObject = options.PerObjectTransactions ?? _session.Options.PerObjectTransactions;
        foreach (var (path, indices, set) in planned)
        {
            if (failedStep > 0)
            {
                foreach (var i in indices)
                    results[i] = NotSent(i, failedStep);
                continue;
            }
            ChangeSetResult result;
            try
            {
                result = await set.SubmitAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (WorkbooksChangeSetException e)
            {
                result = e.Result;
                failure = e is WorkbooksConcurrencyException ? e : e.InnerException ?? (options.ThrowOnFailure ? null : e);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Cancelled, or failed before anything of this step was sent: what earlier steps committed still counts.
                result = new ChangeSetResult(indices.Select((_, k) => new ChangeResult(k, _items[indices[k]].Kind, _items[indices[k]].Record)
                {
                    Outcome = ChangeOutcome.NotAttempted,
                    Messages = [new ChangeMessage("Not sent", e.Message)],
                }).ToArray(), 0);
                failure = e;
            }
            requests += result.RequestCount;
            steps.Add(new UnitOfWorkStep(steps.Count + 1, path, indices, result.RequestCount, perObject));
            for (var k = 0; k < indices.Length; k++)
                results[indices[k]] = result.Results[k].At(indices[k]);
            if (!result.Success || failure is not null)
                failedStep = steps.Count;
        }
        var unit = new UnitOfWorkResult(results.Select(r => r!).ToArray(), steps);
        if (failure is not null || (options.ThrowOnFailure && !unit.Success))
        {
            var at = steps[failedStep - 1];
            var message = $"The unit of work stopped at step {at.Number} of {planned.Count} ({at.ControllerPath}): {unit.Results.Count(r => r.Outcome == ChangeOutcome.Applied)} of {unit.Results.Count} records were applied; later steps were not sent.";
            var whole = new ChangeSetResult(unit.Results, requests);
            if (failure is WorkbooksConcurrencyException)
                throw new WorkbooksConcurrencyException(message, whole, failure);
            throw new WorkbooksChangeSetException(message, whole, failure is WorkbooksChangeSetException ? null : failure);
        }
        return unit;
    }

    /// <summary>
    /// Reads back the records of <see cref="ChangeOutcome.Unknown"/> results (after an ambiguous failure, once the
    /// service has had time to apply them) and settles those it can, type by type (see
    /// <see cref="WorkbooksChangeSet.SettleAsync"/>). Nothing is sent but reads; records not sent stay not attempted:
    /// submit a new unit with them.
    /// </summary>
    /// <param name="result">The result of this unit's submit, or the one its exception carries.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>How many outcomes were settled.</returns>
    public async Task<int> SettleAsync(ChangeSetResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        return await SettleAsync(result.Results, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="SettleAsync(ChangeSetResult, CancellationToken)"/>
    public async Task<int> SettleAsync(UnitOfWorkResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        return await SettleAsync(result.Results, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> SettleAsync(IReadOnlyList<ChangeResult> results, CancellationToken cancellationToken)
    {
        var settled = 0;
        foreach (var group in results.Where(r => r.Outcome == ChangeOutcome.Unknown && r.Index < _items.Count)
                     .GroupBy(r => _items[r.Index].ControllerPath, StringComparer.Ordinal))
        {
            var unknown = group.ToArray();
            settled += await _session.Changes(group.Key).SettleAsync(new ChangeSetResult(unknown, 0), cancellationToken).ConfigureAwait(false);
        }
        return settled;
    }

    private ChangeResult NotSent(int index, int failedStep) =>
        new(index, _items[index].Kind, _items[index].Record)
        {
            Outcome = ChangeOutcome.NotAttempted,
            Messages = [new ChangeMessage("Not sent", string.Create(CultureInfo.InvariantCulture, $"step {failedStep} failed, so the steps after it were not sent"))],
        };

    /// <summary>
    /// The records in waves: each wave refers only to records created in the waves before it. A depth-first walk with
    /// its own stack, so that a long chain of records (each referring to the one before) cannot overflow the thread's.
    /// </summary>
    internal List<int[]> Order()
    {
        var byRecord = new Dictionary<WorkbooksRecord, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < _items.Count; i++)
        {
            if (_items[i].Kind == ChangeKind.Create)
                byRecord.TryAdd(_items[i].Record, i);
        }
        var wave = new int[_items.Count];
        var state = new byte[_items.Count]; // 0 new, 1 on the walk's path, 2 done
        var path = new List<(int Item, (string Field, WorkbooksRecord Target)[] References, int Next, int Level)>();
        for (var root = 0; root < _items.Count; root++)
        {
            if (state[root] != 0)
                continue;
            Enter(root);
            while (path.Count > 0)
            {
                var (item, references, next, level) = path[^1];
                if (next == references.Length)
                {
                    wave[item] = level;
                    state[item] = 2;
                    path.RemoveAt(path.Count - 1);
                    if (path.Count > 0)
                        path[^1] = path[^1] with { Level = Math.Max(path[^1].Level, level + 1) };
                    continue;
                }
                path[^1] = path[^1] with { Next = next + 1 };
                var (field, target) = references[next];
                if (target.Id > 0)
                    continue; // created since the link was set (by an earlier submit): its id is filled in when sent
                if (!byRecord.TryGetValue(target, out var j))
                    throw new InvalidOperationException($"{Describe(item)} refers ('{field}') to a record that is neither created nor created by this unit of work. Nothing was sent.");
                if (state[j] == 2)
                    path[^1] = path[^1] with { Level = Math.Max(path[^1].Level, wave[j] + 1) };
                else if (state[j] == 1)
                    throw new InvalidOperationException($"The records refer to each other in a cycle ({string.Join(" → ", path.Select(p => p.Item).Append(j).Select(Describe))}): none of them can be created first. Nothing was sent.");
                else
                    Enter(j);
            }
        }
        return [.. Enumerable.Range(0, _items.Count).GroupBy(i => wave[i]).OrderBy(g => g.Key).Select(g => g.ToArray())];

        void Enter(int i)
        {
            state[i] = 1;
            path.Add((i, _items[i].Record.PendingReferences.Select(r => (r.Key, r.Value)).ToArray(), 0, 0));
        }
    }

    private string Describe(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"#{index} ({_items[index].Kind.ToString().ToLowerInvariant()} at {_items[index].ControllerPath})");

    private sealed record Item(ChangeKind Kind, WorkbooksRecord Record, string ControllerPath, Type RecordType, Func<IChangeStep> NewSet, Action<IChangeStep> AddTo);
}

/// <summary>What a unit of work did: one result per record, in the order they were added, and the steps as sent.</summary>
public sealed class UnitOfWorkResult
{
    internal UnitOfWorkResult(IReadOnlyList<ChangeResult> results, IReadOnlyList<UnitOfWorkStep> steps)
    {
        Results = results;
        Steps = steps;
    }

    /// <summary>One result per record, in the order they were added (<see cref="ChangeResult.Index"/> is the record's place in the unit).</summary>
    public IReadOnlyList<ChangeResult> Results { get; }

    /// <summary>The steps in the order they were sent.</summary>
    public IReadOnlyList<UnitOfWorkStep> Steps { get; }

    /// <summary>Whether every record was applied.</summary>
    public bool Success => Results.All(r => r.Outcome == ChangeOutcome.Applied);

    /// <summary>The records that were not applied.</summary>
    public IEnumerable<ChangeResult> Failures => Results.Where(r => r.Outcome != ChangeOutcome.Applied);

    /// <summary>One line per step.</summary>
    public override string ToString() => string.Join(Environment.NewLine, Steps);
}

/// <summary>One step of a unit of work: a change set of one record type.</summary>
/// <param name="Number">The step's place (1 is sent first).</param>
/// <param name="ControllerPath">The record type.</param>
/// <param name="Records">The records it sent, by their place in the unit.</param>
/// <param name="Requests">How many requests it took (at most 100 objects each).</param>
/// <param name="PerObjectTransactions">Whether each object was its own transaction; otherwise each request was one
/// transaction (all of its objects applied or none).</param>
public sealed record UnitOfWorkStep(int Number, string ControllerPath, IReadOnlyList<int> Records, int Requests, bool PerObjectTransactions)
{
    /// <summary>"step 2: crm/people, 2 records (#1, #2): 1 request, one transaction".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"step {Number}: {ControllerPath}, {Records.Count} record{(Records.Count == 1 ? "" : "s")} ({string.Join(", ", Records.Select(r => "#" + r.ToString(CultureInfo.InvariantCulture)))}): {Requests} request{(Requests == 1 ? "" : "s")}, {(PerObjectTransactions ? "each object its own transaction" : Requests == 1 ? "one transaction" : "each request one transaction")}");
}
