using System.Threading.RateLimiting;

namespace Workbooks.Engagement;

/// <summary>
/// A strict "at most N requests in any window" limiter on a <see cref="TimeProvider"/>. The built-in window limiters replenish
/// on real-time timers and can admit up to one segment early; this one keeps a log instead. A permit occupies the window from
/// its grant until <em>its lease is disposed</em> (the response arrived) plus the window: the service necessarily received the
/// request before then, so however long the request travelled, the service never sees more than N requests in any window.
/// Waiters are served in arrival order.
/// </summary>
internal sealed class SlidingLogRateLimiter : RateLimiter
{
    private readonly int _permitLimit;
    private readonly TimeSpan _window;
    private readonly TimeProvider _timeProvider;
    private readonly List<Grant> _grants = [];
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Lock _lock = new();
    private long? _lastGrant;
    private long _successfulLeases;
    private long _failedLeases;

    public SlidingLogRateLimiter(int permitLimit, TimeSpan window, TimeProvider timeProvider)
    {
        _permitLimit = permitLimit;
        _window = window;
        _timeProvider = timeProvider;
    }

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
                return _lastGrant is { } last && _grants.TrueForAll(g => !g.InFlight) ? _timeProvider.GetElapsedTime(last) : null;
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            Prune(_timeProvider.GetTimestamp());
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = _permitLimit - _grants.Count,
                CurrentQueuedCount = _turn.CurrentCount == 0 ? 1 : 0,
                TotalSuccessfulLeases = _successfulLeases,
                TotalFailedLeases = _failedLeases,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        CheckPermitCount(permitCount);
        lock (_lock)
        {
            if (TryGrant(permitCount, out var lease, out var wait))
                return lease;
            _failedLeases++;
            return new Lease(this, [], wait);
        }
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        CheckPermitCount(permitCount);
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                Lease? lease;
                TimeSpan wait;
                lock (_lock)
                {
                    if (TryGrant(permitCount, out lease, out wait))
                        return lease;
                }
                await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _turn.Dispose();
        base.Dispose(disposing);
    }

    // Under _lock.
    private bool TryGrant(int permitCount, out Lease lease, out TimeSpan wait)
    {
        var now = _timeProvider.GetTimestamp();
        Prune(now);
        if (_grants.Count + permitCount <= _permitLimit)
        {
            var grants = new Grant[permitCount];
            for (var i = 0; i < permitCount; i++)
            {
                grants[i] = new Grant(now);
                _grants.Add(grants[i]);
            }
            _lastGrant = now;
            _successfulLeases++;
            lease = new Lease(this, grants, null);
            wait = TimeSpan.Zero;
            return true;
        }
        // Enough permits must leave the window; one still in flight leaves a full window after it returns, at the earliest.
        var mustLeave = _grants.Count + permitCount - _permitLimit;
        var waits = _grants.Select(g => g.InFlight ? _window : _window - _timeProvider.GetElapsedTime(g.Stamp, now)).Order().ToList();
        wait = waits[mustLeave - 1];
        if (wait <= TimeSpan.Zero)
            wait = TimeSpan.FromTicks(1);
        lease = null!;
        return false;
    }

    private void Release(Grant[] grants)
    {
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            foreach (var grant in grants)
            {
                grant.Stamp = now;
                grant.InFlight = false;
            }
        }
    }

    private void Prune(long now)
        => _grants.RemoveAll(g => !g.InFlight && _timeProvider.GetElapsedTime(g.Stamp, now) >= _window);

    private void CheckPermitCount(int permitCount)
    {
        if (permitCount < 0 || permitCount > _permitLimit)
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, $"Between 0 and {_permitLimit} permits can be requested.");
    }

    private sealed class Grant(long stamp)
    {
        public long Stamp { get; set; } = stamp;

        public bool InFlight { get; set; } = true;
    }

    private sealed class Lease(SlidingLogRateLimiter owner, Grant[] grants, TimeSpan? retryAfter) : RateLimitLease
    {
        private int _disposed;

        public override bool IsAcquired => retryAfter is null;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is not null && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = retryAfter.Value;
                return true;
            }
            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0 && grants.Length > 0)
                owner.Release(grants);
            base.Dispose(disposing);
        }
    }
}
