using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Workbooks.Engagement;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the engagement-extraction API client with a service collection.</summary>
public static class EngagementServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EngagementClientOptions"/> configured by <paramref name="configure"/> (validated when the
    /// host starts), the named HTTP client <see cref="EngagementClientOptions.HttpClientName"/> and a singleton
    /// <see cref="EngagementClient"/> that sends through it. Unless <paramref name="configure"/> sets them,
    /// <see cref="EngagementClientOptions.LoggerFactory"/> and <see cref="EngagementClientOptions.MeterFactory"/> are the
    /// container's <see cref="ILoggerFactory"/> and <see cref="IMeterFactory"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the API key, the base address and the other options.</param>
    /// <returns>The builder of the named HTTP client, to add handlers.</returns>
    public static IHttpClientBuilder AddWorkbooksEngagement(this IServiceCollection services, Action<EngagementClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<EngagementClientOptions>().Configure(configure)
            // Runs after every Configure: the container's logger and meter factories unless the caller chose others.
            .PostConfigure<IServiceProvider>(static (options, provider) =>
            {
                options.LoggerFactory ??= provider.GetService<ILoggerFactory>();
                options.MeterFactory ??= provider.GetService<IMeterFactory>();
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EngagementClientOptions>, EngagementOptionsValidator>());
        services.TryAddSingleton(provider => new EngagementClient(provider.GetRequiredService<IHttpClientFactory>(), provider.GetRequiredService<IOptions<EngagementClientOptions>>().Value));
        var name = new EngagementClientOptions().HttpClientName;
        return services.AddHttpClient(name);
    }

    private sealed class EngagementOptionsValidator : IValidateOptions<EngagementClientOptions>
    {
        public ValidateOptionsResult Validate(string? name, EngagementClientOptions options)
        {
            try
            {
                _ = options.ValidatedCopy();
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException e)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }
}
