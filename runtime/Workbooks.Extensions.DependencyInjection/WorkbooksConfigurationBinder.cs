using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Workbooks.Extensions.DependencyInjection;

/// <summary>Binds <see cref="WorkbooksOptions"/> from configuration by hand (no reflection: trimming- and AOT-safe).</summary>
public static class WorkbooksConfigurationBinder
{
    /// <summary>Copies the keys present in <paramref name="configuration"/> onto <paramref name="options"/>.</summary>
    /// <exception cref="InvalidOperationException">A value cannot be parsed (the message names the key, never a secret value).</exception>
    public static void Bind(IConfiguration configuration, WorkbooksOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        var path = configuration is IConfigurationSection section ? section.Path + ":" : "";

        if (Text(configuration, "Service") is { } service)
            options.Service = Uri.TryCreate(service, UriKind.Absolute, out var uri) ? uri : throw Invalid(path, "Service", service, "an absolute URI");
        if (Text(configuration, "ApiKey") is { } apiKey) options.ApiKey = apiKey;
        if (Text(configuration, "Username") is { } username) options.Username = username;
        if (Text(configuration, "Password") is { } password) options.Password = password;
        if (Text(configuration, "SessionId") is { } sessionId) options.SessionId = sessionId;
        if (Int(configuration, path, "LogicalDatabaseId") is { } database) options.LogicalDatabaseId = database;
        if (Text(configuration, "Authentication") is { } authentication)
            options.Authentication = Enum.TryParse<WorkbooksAuthentication>(authentication, ignoreCase: true, out var mode) && Enum.IsDefined(mode)
                ? mode
                : throw Invalid(path, "Authentication", authentication, "Session or ApiKeyPerRequest");
        if (Text(configuration, "ApplicationName") is { } application) options.ApplicationName = application;
        if (Text(configuration, "UserAgent") is { } userAgent) options.UserAgent = userAgent;
        if (Bool(configuration, path, "AllowInsecureLoopback") is { } loopback) options.AllowInsecureLoopback = loopback;
        if (Span(configuration, path, "Timeout") is { } timeout) options.Timeout = timeout;
        if (Int(configuration, path, "MaxRetries") is { } retries) options.MaxRetries = retries;
        if (Span(configuration, path, "RetryDelay") is { } retryDelay) options.RetryDelay = retryDelay;
        if (Span(configuration, path, "MaxRetryDelay") is { } maxRetryDelay) options.MaxRetryDelay = maxRetryDelay;
        if (Int(configuration, path, "MaxRedirects") is { } redirects) options.MaxRedirects = redirects;
        if (Bool(configuration, path, "UseMethodOverride") is { } methodOverride) options.UseMethodOverride = methodOverride;
        if (Int(configuration, path, "MaxUrlLength") is { } maxUrl) options.MaxUrlLength = maxUrl;
        if (Bool(configuration, path, "RequestUnambiguousFormats") is { } unambiguous) options.RequestUnambiguousFormats = unambiguous;
        if (Bool(configuration, path, "PerObjectTransactions") is { } perObject) options.PerObjectTransactions = perObject;
        if (Bool(configuration, path, "Compression") is { } compression) options.Compression = compression;
    }

    private static string? Text(IConfiguration configuration, string key) =>
        configuration[key] is { Length: > 0 } value ? value : null;

    private static int? Int(IConfiguration configuration, string path, string key) =>
        Text(configuration, key) is not { } text ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw Invalid(path, key, text, "a whole number");

    private static bool? Bool(IConfiguration configuration, string path, string key) =>
        Text(configuration, key) is not { } text ? null
        : bool.TryParse(text, out var value) ? value
        : throw Invalid(path, key, text, "true or false");

    private static TimeSpan? Span(IConfiguration configuration, string path, string key) =>
        Text(configuration, key) is not { } text ? null
        : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value
        : throw Invalid(path, key, text, "a time span such as 00:02:00");

    private static InvalidOperationException Invalid(string path, string key, string value, string expected) =>
        new($"Configuration value {path}{key} '{value}' is not valid: expected {expected}.");
}
