using Microsoft.Extensions.Options;

namespace Workbooks.Extensions.DependencyInjection;

/// <summary>Validates <see cref="WorkbooksOptions"/> with their own rules (<see cref="WorkbooksOptions.Validate"/>) when the host starts.</summary>
internal sealed class WorkbooksOptionsValidator : IValidateOptions<WorkbooksOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkbooksOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
