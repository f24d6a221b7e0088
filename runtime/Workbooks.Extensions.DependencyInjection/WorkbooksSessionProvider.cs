using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Workbooks.Extensions.DependencyInjection;

/// <summary>Gives out the application's shared <see cref="WorkbooksSession"/>.</summary>
public interface IWorkbooksSessionProvider
{
    /// <summary>The connected session. The first call connects; concurrent callers share that attempt; after a
    /// failed attempt the next call tries again. The session is thread-safe and re-logs in by itself when it expires.
    /// Do not dispose it: the provider does, when the container is disposed.</summary>
    /// <param name="cancellationToken">Stops waiting (the shared connection attempt itself carries on for other callers).</param>
    Task<WorkbooksSession> GetSessionAsync(CancellationToken cancellationToken = default);
}

/// <summary>The singleton <see cref="IWorkbooksSessionProvider"/>: connects once, lazily, over the
/// <c>"Workbooks"</c> client of <see cref="IHttpClientFactory"/>, and disposes (logs out) the session when disposed.</summary>
public sealed class WorkbooksSessionProvider : IWorkbooksSessionProvider, IAsyncDisposable, IDisposable
{
    private readonly IOptions<WorkbooksOptions> _options;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _lock = new();
    private Task<WorkbooksSession>? _connecting;
    private bool _disposed;

    /// <summary>Creates the provider (the container does this).</summary>
    public WorkbooksSessionProvider(IOptions<WorkbooksOptions> options, IHttpClientFactory httpClientFactory)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _httpClientFactory = httpClientFactory ?? throw new ArgumentNullException(nameof(httpClientFactory));
    }

    /// <inheritdoc />
    public Task<WorkbooksSession> GetSessionAsync(CancellationToken cancellationToken = default)
    {
        Task<WorkbooksSession> connecting;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled)
                _connecting = ConnectAsync();
            connecting = _connecting;
        }
        return connecting.IsCompletedSuccessfully ? connecting : connecting.WaitAsync(cancellationToken);
    }

    private async Task<WorkbooksSession> ConnectAsync()
    {
        // Not the caller's token: one caller giving up must not fail the attempt the others share.
        await Task.Yield();
        return await WorkbooksSession.ConnectAsync(_options.Value, _httpClientFactory, WorkbooksServiceCollectionExtensions.HttpClientName, _disposing.Token)
            .ConfigureAwait(false);
    }

    /// <summary>Logs out and releases the session, if one was opened (waiting for an attempt in flight).</summary>
    public async ValueTask DisposeAsync()
    {
        Task<WorkbooksSession>? connecting;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            connecting = _connecting;
        }
        await _disposing.CancelAsync().ConfigureAwait(false);
        if (connecting is not null)
        {
            WorkbooksSession session;
            try
            {
                session = await connecting.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The attempt failed or was cancelled: there is nothing to close.
                _disposing.Dispose();
                return;
            }
            await session.DisposeAsync().ConfigureAwait(false);
        }
        _disposing.Dispose();
    }

    /// <summary>Synchronous disposal for containers disposed synchronously; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}

/// <summary>A client (typically generated, e.g. <c>SampleCrm</c>) built over the shared session on first use.</summary>
/// <typeparam name="TClient">The client type.</typeparam>
public interface IWorkbooksClient<TClient> where TClient : class
{
    /// <summary>The client; the first call connects the session and builds the client.</summary>
    ValueTask<TClient> GetAsync(CancellationToken cancellationToken = default);
}

internal sealed class WorkbooksClient<TClient>(IWorkbooksSessionProvider sessions, Func<WorkbooksSession, TClient> factory) : IWorkbooksClient<TClient>
    where TClient : class
{
    private readonly Lock _lock = new();
    private WorkbooksSession? _session;
    private TClient? _client;

    public async ValueTask<TClient> GetAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_client is not null) return _client;
        }
        var session = await sessions.GetSessionAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (_client is null || !ReferenceEquals(_session, session))
            {
                _client = factory(session);
                _session = session;
            }
            return _client;
        }
    }
}
