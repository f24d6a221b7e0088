using Workbooks.Records;

namespace Workbooks.Filters;

/// <summary>
/// The one formatter of filter criteria (<c>_fc[]</c>), shared by <see cref="FilterField"/> and the typed field
/// members, so that both send the same text for the same value and keep the same rules.
/// </summary>
internal static class FilterValues
{
    public static string Of(long value) => WorkbooksValues.FormatInt64(value);

    public static string Of(decimal value) => WorkbooksValues.FormatDecimal(value);

    public static string Of(double value) => WorkbooksValues.FormatDouble(value);

    /// <summary><c>1</c>/<c>0</c>, as the guide recommends for booleans.</summary>
    public static string Of(bool value) => WorkbooksValues.FormatBoolean(value);

    /// <summary>A date as the service's own <c>%e %b %Y</c> format, without the leading space of single-digit days.</summary>
    public static string Of(DateOnly value) => WorkbooksValues.FormatDate(value).Trim();

    /// <summary>A date-time in UTC, to the second.</summary>
    public static string Of(DateTimeOffset value) => WorkbooksValues.FormatDateTime(value);

    public static string Of(TimeOnly value) => WorkbooksValues.FormatTime(value);

    /// <summary>A bound of <c>between</c>: dates in ISO form.</summary>
    public static string Bound(DateOnly value) => WorkbooksValues.FormatIsoDate(value);

    /// <summary>
    /// Text compared with <c>eq</c>/<c>ne</c>: the service reads a comma list as "any of", so literal commas are
    /// escaped with a backslash.
    /// </summary>
    public static string Text(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Replace(",", "\\,", StringComparison.Ordinal);
    }

    /// <summary>
    /// The criteria of <c>In</c>: a comma list of formatted values. An empty list is refused everywhere: the service's
    /// filter language has no "matches nothing", and sending an empty <c>eq</c> would match blank values instead.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public static string List<T>(IEnumerable<T> values, Func<T, string> format, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(values, parameterName);
        var joined = string.Join(",", values.Select(format));
        if (joined.Length == 0 && !values.Any())
            throw new ArgumentException("'In' needs at least one value: the service has no filter that matches nothing (test the list before querying).", parameterName);
        return joined;
    }

    /// <summary>The criteria of <c>between</c>/<c>not_between</c>: <c>JSON([low,high])</c>.</summary>
    public static string Range(string low, string high)
    {
        ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(high);
        if (low.Contains(',', StringComparison.Ordinal) || high.Contains(',', StringComparison.Ordinal))
            throw new ArgumentException("'between' bounds cannot contain a comma.", nameof(low));
        return $"JSON([{low},{high}])";
    }
}
