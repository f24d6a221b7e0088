using System.Net;

namespace Workbooks.Transport;

/// <summary>What a redirect answer means to a client of the service.</summary>
internal enum RedirectKind
{
    /// <summary>Not a redirect (or one without a Location).</summary>
    None,

    /// <summary>To the service's own login page: the session is gone (the guide's "302 to the login page").</summary>
    Login,

    /// <summary>Within the service: its delaying redirect for over-eager clients. Re-send the same request there.</summary>
    Delay,

    /// <summary>To another origin: never followed, so no credential can leave the service.</summary>
    ForeignOrigin,
}

/// <summary>The one classification of redirects; the session and redirect policies both act on it.</summary>
internal static class Redirects
{
    /// <summary>Classifies an answer to a request sent to <paramref name="requestTarget"/>.</summary>
    /// <param name="response">The answer.</param>
    /// <param name="requestTarget">Where the request went (relative Locations resolve against it).</param>
    /// <param name="service">The service root: its scheme, host and port are the only origin credentials go to.</param>
    /// <param name="location">The absolute Location, when the answer is a redirect.</param>
    public static RedirectKind Classify(HttpResponseMessage response, Uri requestTarget, Uri service, out Uri? location)
    {
        location = null;
        if (!IsRedirect(response.StatusCode) || response.Headers.Location is not { } header)
            return RedirectKind.None;
        location = header.IsAbsoluteUri ? header : new Uri(requestTarget, header);
        if (!IsServiceOrigin(location, service))
            return RedirectKind.ForeignOrigin;
        return location.AbsolutePath.TrimEnd('/') is "/login" or "/" + Protocol.LoginPath or "/login.html"
            ? RedirectKind.Login
            : RedirectKind.Delay;
    }

    /// <summary>Whether <paramref name="target"/> has the service's scheme, host and port.</summary>
    public static bool IsServiceOrigin(Uri target, Uri service) =>
        Uri.Compare(target, service, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.Moved or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
}
