using Microsoft.AspNetCore.Http;

namespace Workbooks.Emulator.Engagement;

/// <summary>Options of the emulated engagement-extraction API.</summary>
public sealed class EngagementEmulatorOptions
{
}

/// <summary>The emulated engagement-extraction API (temporary workbooks, tasks, engagers, contacts).</summary>
public sealed class EngagementEmulator
{
    /// <summary>Creates the emulated API.</summary>
    public EngagementEmulator(EngagementEmulatorOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
    }

    /// <summary>Serves the request when its path belongs to this API (<c>/api/…</c>); returns false otherwise.</summary>
    internal Task<bool> TryHandleAsync(HttpContext context) => Task.FromResult(false);
}
