using System.Collections.Concurrent;
using System.Security.Cryptography;
using Workbooks.Emulator.Query;

namespace Workbooks.Emulator.Sessions;

/// <summary>A logged-in session and the settings chosen at login that apply to all of its requests.</summary>
internal sealed class Session
{
    public required string Id { get; init; }
    public required string AuthenticityToken { get; init; }
    public required EmulatorUser User { get; init; }
    public required int DatabaseId { get; init; }
    public DateTime LastActivity { get; set; }
    public bool Expired { get; set; }
    public bool Pretty { get; init; }
    public bool Gzip { get; init; }
    public bool AsciiOnly { get; init; }
    public string? ApplicationName { get; init; }
    public string? TimeZone { get; init; }
    public bool PerObjectTransactions { get; init; }
    public bool StrictAttributeChecking { get; init; }
    public OutputFormats Formats { get; init; } = OutputFormats.Default;
}

/// <summary>What a request's credentials resolved to.</summary>
internal abstract record AuthResult
{
    public sealed record Ok(EmulatorUser User, int DatabaseId, Session? Session, string RateKey) : AuthResult;
    public sealed record Failed(int Status, string Reason, string Message) : AuthResult;
    /// <summary>An unknown session id: the guide says the service answers 302, as for logout.</summary>
    public sealed record InvalidSession : AuthResult;
}

internal sealed class SessionManager
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly WorkbooksEmulatorOptions _options;

    public SessionManager(WorkbooksEmulatorOptions options, EmulatorControl control)
    {
        _options = options;
        control.ExpireSessionsRequested += id =>
        {
            foreach (var session in _sessions.Values)
                if (id is null || session.Id == id)
                    session.Expired = true;
        };
    }

    public int Count => _sessions.Count;

    public static string NewHex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    public Session Create(EmulatorUser user, int databaseId, Func<string, Session> build)
    {
        var session = build(NewHex(16));
        _sessions[session.Id] = session;
        return session;
    }

    public Session? Find(string id) => _sessions.GetValueOrDefault(id);

    public void End(string id) => _sessions.TryRemove(id, out _);

    /// <summary>Resolves a session cookie, applying inactivity expiry.</summary>
    public AuthResult Resolve(string sessionId, DateTime now)
    {
        if (!_sessions.TryGetValue(sessionId, out var session))
            return new AuthResult.InvalidSession();
        if (session.Expired || now - session.LastActivity > _options.SessionInactivityTimeout)
        {
            session.Expired = true;
            return new AuthResult.Failed(401, "session_expired", "The session has expired.");
        }
        session.LastActivity = now;
        return new AuthResult.Ok(session.User, session.DatabaseId, session, "session:" + session.Id);
    }
}
