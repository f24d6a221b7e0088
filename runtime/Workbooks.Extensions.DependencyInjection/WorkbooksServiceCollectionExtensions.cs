using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Workbooks;
using Workbooks.Extensions.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Workbooks client with a service collection.</summary>
public static class WorkbooksServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> registered with <see cref="IHttpClientFactory"/>.</summary>
    public const string HttpClientName = "Workbooks";

    /// <summary>
    /// Registers <see cref="WorkbooksOptions"/> configured by <paramref name="configure"/>, the named HTTP client
    /// <c>"Workbooks"</c> (no automatic redirects, no cookie container, no automatic decompression: the session asks for gzip when it pays and decodes it) and the
    /// <see cref="IWorkbooksSessionProvider"/> singleton that connects once, lazily.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the service, the credentials and the other options.</param>
    /// <returns>The builder of the named HTTP client, to add handlers (e.g. resilience or test handlers).</returns>
    public static IHttpClientBuilder AddWorkbooks(this IServiceCollection services, Action<WorkbooksOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<WorkbooksOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>
    /// Registers the Workbooks client with options read from a configuration section, e.g. <c>"Workbooks"</c> of
    /// <c>appsettings.json</c>: <c>Service</c>, <c>ApiKey</c>, <c>Username</c>, <c>Password</c>, <c>LogicalDatabaseId</c>,
    /// <c>SessionId</c>, <c>Authentication</c> (<c>Session</c> or <c>ApiKeyPerRequest</c>), <c>ApplicationName</c>,
    /// <c>UserAgent</c>, <c>AllowInsecureLoopback</c>, <c>Timeout</c>, <c>MaxRetries</c>, <c>RetryDelay</c>,
    /// <c>MaxRetryDelay</c>, <c>MaxRedirects</c>, <c>UseMethodOverride</c>, <c>MaxUrlLength</c>,
    /// <c>RequestUnambiguousFormats</c> and <c>PerObjectTransactions</c>. The section is bound by hand (no reflection),
    /// so this stays trimming- and AOT-safe. Keys are case-insensitive; missing keys keep their defaults.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section holding the options.</param>
    /// <param name="configure">Optional further configuration applied after the section (e.g. a secret from a vault).</param>
    /// <returns>The builder of the named HTTP client.</returns>
    public static IHttpClientBuilder AddWorkbooks(this IServiceCollection services, IConfiguration configuration, Action<WorkbooksOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddOptions<WorkbooksOptions>().Configure(options => WorkbooksConfigurationBinder.Bind(configuration, options));
        if (configure is not null)
            builder.Configure(configure);
        return AddCore(services);
    }

    /// <summary>
    /// Registers <see cref="IWorkbooksClient{TClient}"/>: a singleton that builds a client (typically a generated one,
    /// e.g. <c>session =&gt; new SampleCrm(session)</c>) over the shared session the first time it is asked for.
    /// Call <see cref="AddWorkbooks(IServiceCollection, Action{WorkbooksOptions})"/> too.
    /// </summary>
    /// <typeparam name="TClient">The client type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="factory">Builds the client from the connected session.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddWorkbooksClient<TClient>(this IServiceCollection services, Func<WorkbooksSession, TClient> factory)
        where TClient : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(factory);
        services.TryAddSingleton<IWorkbooksClient<TClient>>(sp => new WorkbooksClient<TClient>(sp.GetRequiredService<IWorkbooksSessionProvider>(), factory));
        return services;
    }

    private static IHttpClientBuilder AddCore(IServiceCollection services)
    {
        // Runs after every Configure: the logger and meter factories of the container unless the caller chose them.
        services.AddOptions<WorkbooksOptions>().PostConfigure<IServiceProvider>((options, provider) =>
            {
                options.LoggerFactory ??= provider.GetService<ILoggerFactory>();
                options.MeterFactory ??= provider.GetService<IMeterFactory>();
            })
            // Checked when the host starts, not at the first request: a bad value (Timeout "30s") fails the start.
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkbooksOptions>, WorkbooksOptionsValidator>());
        services.TryAddSingleton<WorkbooksSessionProvider>();
        services.TryAddSingleton<IWorkbooksSessionProvider>(sp => sp.GetRequiredService<WorkbooksSessionProvider>());
        return services.AddHttpClient(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler
            {
                // The session follows the service's (delaying) redirects itself: .NET would turn a redirected PUT into a GET.
                AllowAutoRedirect = false,
                // The session keeps the session cookie itself.
                UseCookies = false,
                // The session asks for gzip only when it pays (WorkbooksOptions.Compression) and decodes it itself:
                // an automatic decompression would add Accept-Encoding to every request.
                AutomaticDecompression = DecompressionMethods.None,
            })
            // The session applies WorkbooksOptions.Timeout to each attempt.
            .ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan)
            // The session logs requests itself with secrets redacted; the factory's loggers would log full URLs.
            .RemoveAllLoggers();
    }
}
