using System.Runtime.CompilerServices;

namespace Workbooks.Query;

/// <summary>
/// A query's records projected by <see cref="WorkbooksQuery{T, TFields}.Select{TResult}(Func{T, TResult})"/>: read
/// it with <c>await foreach</c>, <see cref="ToListAsync"/> or <see cref="FirstOrDefaultAsync"/>. Only the fields the
/// projection reads are requested. Filter, order, skip and take on the query before projecting.
/// </summary>
/// <typeparam name="TResult">What each record becomes.</typeparam>
public sealed class WorkbooksProjection<TResult>
{
    private readonly Func<CancellationToken, IAsyncEnumerable<TResult>> _read;
    private readonly string _request;

    internal WorkbooksProjection(Func<CancellationToken, IAsyncEnumerable<TResult>> read, string request, IReadOnlyList<string> columns)
    {
        _read = read;
        _request = request;
        Columns = columns;
    }

    /// <summary>The fields requested: those the projection reads (the id and lock_version are always sent too).</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Reads the projected records, page by page.</summary>
    public IAsyncEnumerator<TResult> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        _read(cancellationToken).GetAsyncEnumerator(cancellationToken);

    /// <summary>Cancellation (and <c>ConfigureAwait</c>) for <c>await foreach</c>.</summary>
    public ConfiguredCancelableAsyncEnumerable<TResult> WithCancellation(CancellationToken cancellationToken) =>
        _read(cancellationToken).WithCancellation(cancellationToken);

    /// <summary>The projection as an <see cref="IAsyncEnumerable{T}"/>: the explicit step into LINQ-to-objects.</summary>
    public IAsyncEnumerable<TResult> AsAsyncEnumerable() => _read(CancellationToken.None);

    /// <summary>Every projected record, in a list.</summary>
    public async Task<List<TResult>> ToListAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<TResult>();
        await foreach (var item in _read(cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
            list.Add(item);
        return list;
    }

    /// <summary>The first projected record, or the default value when none matches. Take(1) on the query first to
    /// read one record only.</summary>
    public async Task<TResult?> FirstOrDefaultAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var item in _read(cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
            return item;
        return default;
    }

    /// <summary>The first request, form-encoded (no credentials).</summary>
    public override string ToString() => _request;
}
