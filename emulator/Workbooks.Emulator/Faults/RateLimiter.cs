using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Workbooks.Emulator.Http;

namespace Workbooks.Emulator.Faults;

/// <summary>
/// <see cref="WorkbooksEmulatorOptions.RateLimit"/>: so many requests a second per session or API key; a request over
/// the limit is sent to a delaying URL, as the service does.
/// </summary>
internal sealed class RateLimiter(WorkbooksEmulatorOptions options, DelayingRedirects delays)
{
    private readonly ConcurrentDictionary<string, (long Window, int Count)> _rates = new(StringComparer.Ordinal);

    /// <summary>True when the request may go on; otherwise it has been answered with a delaying redirect.</summary>
    public async Task<bool> AdmitAsync(HttpContext context, string rateKey, ResponseStyle style)
    {
        if (options.RateLimit is not { } limit || TryConsume(rateKey, limit))
            return true;
        await delays.RedirectAsync(context, limit.Delay, style).ConfigureAwait(false);
        return false;
    }

    private bool TryConsume(string key, EmulatorRateLimit limit)
    {
        var window = options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        var allowed = true;
        _rates.AddOrUpdate(key, _ => (window, 1), (_, current) =>
        {
            if (current.Window != window)
                return (window, 1);
            allowed = current.Count < limit.PermitsPerSecond;
            return allowed ? (window, current.Count + 1) : current;
        });
        return allowed;
    }
}
