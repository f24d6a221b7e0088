using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Workbooks.Emulator.Http;
using Workbooks.Emulator.Query;

namespace Workbooks.Emulator.Faults;

/// <summary>
/// The service's way of slowing a client down: a 302 to a delaying URL (<c>/_delay/&lt;ticket&gt;</c>) that holds the
/// client for a while and then sends it back to where it was going.
/// </summary>
internal sealed class DelayingRedirects
{
    public const string RoutePrefix = "_delay/";

    private readonly ConcurrentDictionary<string, (string Location, TimeSpan Delay)> _tickets = new(StringComparer.Ordinal);

    /// <summary>Answers 302 to a new delaying URL that will hold the client for <paramref name="delay"/>.</summary>
    public Task RedirectAsync(HttpContext context, TimeSpan delay, ResponseStyle style)
    {
        var ticket = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        _tickets[ticket] = (context.Request.Path + context.Request.QueryString, delay);
        return ResponseWriter.RedirectAsync(context, "/" + RoutePrefix + ticket, style);
    }

    /// <summary>The delaying URL: hold the client, then send it back to where it was going.</summary>
    public async Task ServeAsync(HttpContext context, string ticket, ResponseStyle style)
    {
        if (!_tickets.TryRemove(ticket, out var entry))
            throw new RequestRejectedException(404, "This delaying URL has expired.");
        await Task.Delay(entry.Delay, context.RequestAborted).ConfigureAwait(false);
        await ResponseWriter.RedirectAsync(context, entry.Location, style).ConfigureAwait(false);
    }
}
