using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Workbooks.Extensions.DependencyInjection.Tests;

/// <summary>Options are validated when the host starts (what a host does with ValidateOnStart), not at the first request.</summary>
public sealed class StartupValidationTests
{
    private static void Start(IServiceProvider provider) => provider.GetRequiredService<IStartupValidator>().Validate();

    private static ServiceProvider WithSection(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("Workbooks:" + v.Key, v.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddWorkbooks(configuration.GetSection("Workbooks"));
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AValueThatCannotBeParsedFailsTheStart()
    {
        using var provider = WithSection(("Service", "https://secure.workbooks.com/"), ("ApiKey", "k"), ("Timeout", "30s"));
        var error = Assert.Throws<InvalidOperationException>(() => Start(provider));
        Assert.Contains("'30s' at 'Workbooks:Timeout' to type 'System.TimeSpan'", error.Message, StringComparison.Ordinal); // the generated binder's words
    }

    [Fact]
    public void OptionsThatCannotWorkFailTheStartWithTheirOwnMessage()
    {
        using var provider = WithSection(("ApiKey", "k"));
        var error = Assert.Throws<OptionsValidationException>(() => Start(provider));
        Assert.Contains("WorkbooksOptions.Service is required", error.Message, StringComparison.Ordinal);

        using var plainHttp = WithSection(("Service", "http://crm.example/"), ("ApiKey", "k"));
        Assert.Contains("must use HTTPS", Assert.Throws<OptionsValidationException>(() => Start(plainHttp)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GoodOptionsStart()
    {
        using var provider = WithSection(("Service", "https://secure.workbooks.com/"), ("ApiKey", "k"), ("Timeout", "00:00:30"));
        Start(provider);
        Assert.Equal(TimeSpan.FromSeconds(30), provider.GetRequiredService<IOptions<WorkbooksOptions>>().Value.Timeout);
    }
}
