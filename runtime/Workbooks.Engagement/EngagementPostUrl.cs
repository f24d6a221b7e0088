using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Workbooks.Engagement;

/// <summary>
/// A post URL in one of the two formats the API documents:
/// <c>https://www.social.com/posts/username_activity-1234567890</c> and
/// <c>https://www.social.com/feed/update/urn:li:activity:1234567890</c>.
/// </summary>
public sealed partial class EngagementPostUrl
{
    /// <summary>The host every documented post URL uses.</summary>
    public const string Host = "www.social.com";

    private EngagementPostUrl(string url, string activityId)
    {
        Url = url;
        ActivityId = activityId;
    }

    /// <summary>The URL as given (trimmed).</summary>
    public string Url { get; }

    /// <summary>The numeric activity id that identifies the post in both formats.</summary>
    public string ActivityId { get; }

    /// <inheritdoc />
    public override string ToString() => Url;

    /// <summary>Validates <paramref name="postUrl"/> against the documented formats.</summary>
    /// <param name="postUrl">The URL to check.</param>
    /// <param name="result">The parsed URL when valid.</param>
    /// <param name="reason">Why the URL is not valid, when it is not.</param>
    /// <returns>Whether the URL is in a documented format.</returns>
    public static bool TryParse(string? postUrl, [NotNullWhen(true)] out EngagementPostUrl? result, [NotNullWhen(false)] out string? reason)
    {
        result = null;
        if (string.IsNullOrWhiteSpace(postUrl))
        {
            reason = "The post URL is empty.";
            return false;
        }
        var text = postUrl.Trim();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            reason = $"The post URL '{text}' is not an absolute URL.";
            return false;
        }
        if (!string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
        {
            reason = $"The post URL must use https, not '{uri.Scheme}'.";
            return false;
        }
        if (!string.Equals(uri.Host, Host, StringComparison.OrdinalIgnoreCase))
        {
            reason = $"The post URL must be on {Host}, not '{uri.Host}'.";
            return false;
        }
        var path = uri.AbsolutePath;
        var match = PostsPath().Match(path);
        if (!match.Success)
            match = FeedPath().Match(path);
        if (!match.Success)
        {
            reason = $"The post URL path '{path}' is in neither documented format: " +
                     "'/posts/{username}_activity-{id}' or '/feed/update/urn:li:activity:{id}' (the id is numeric).";
            return false;
        }
        result = new EngagementPostUrl(text, match.Groups["id"].Value);
        reason = null;
        return true;
    }

    /// <summary>Parses <paramref name="postUrl"/>, throwing an <see cref="ArgumentException"/> that states the reason when it is not valid.</summary>
    /// <param name="postUrl">The URL to check.</param>
    /// <returns>The parsed URL.</returns>
    /// <exception cref="ArgumentException">The URL is not in a documented format; the message says why.</exception>
    public static EngagementPostUrl Parse(string? postUrl)
    {
        if (TryParse(postUrl, out var result, out var reason))
            return result;
        throw new ArgumentException($"Invalid post URL: {reason}", nameof(postUrl));
    }

    [GeneratedRegex(@"^/posts/[^/_]+_(?:[^/]*-)?activity-(?<id>[0-9]+)(?:-[A-Za-z0-9]+)?/?$", RegexOptions.CultureInvariant)]
    private static partial Regex PostsPath();

    [GeneratedRegex(@"^/feed/update/urn:li:activity:(?<id>[0-9]+)/?$", RegexOptions.CultureInvariant)]
    private static partial Regex FeedPath();
}
