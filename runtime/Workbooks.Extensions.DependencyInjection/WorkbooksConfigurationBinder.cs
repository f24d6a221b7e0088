using Microsoft.Extensions.Configuration;

namespace Workbooks.Extensions.DependencyInjection;

/// <summary>Binds <see cref="WorkbooksOptions"/> from configuration with the configuration-binding source generator (no
/// reflection: trimming- and AOT-safe; a new option is bound without editing anything here).</summary>
public static class WorkbooksConfigurationBinder
{
    /// <summary>Copies the keys present in <paramref name="configuration"/> onto <paramref name="options"/>.</summary>
    /// <exception cref="InvalidOperationException">A value cannot be parsed (the message names the key, never a secret value).</exception>
    public static void Bind(IConfiguration configuration, WorkbooksOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        // Generated at build time (EnableConfigurationBindingGenerator); see the project file for the two options it
        // leaves alone.
        configuration.Bind(options);
    }
}
