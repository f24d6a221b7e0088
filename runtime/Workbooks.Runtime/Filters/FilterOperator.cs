namespace Workbooks.Filters;

/// <summary>A filter type (<c>_ft[]</c>) as listed in the guide's "Filtering Types" table.</summary>
public enum FilterOperator
{
    /// <summary><c>bg</c>: begins with (strings).</summary>
    BeginsWith,
    /// <summary><c>nbg</c>: does not begin with (strings).</summary>
    NotBeginsWith,
    /// <summary><c>ct</c>: contains (strings).</summary>
    Contains,
    /// <summary><c>nct</c>: does not contain (strings).</summary>
    NotContains,
    /// <summary><c>eq</c>: equals / on (a comma list means "any of"; literal commas are escaped with a backslash).</summary>
    Equal,
    /// <summary><c>ne</c>: not equal / not on / not at.</summary>
    NotEqual,
    /// <summary><c>xeq</c>: at (times and date-times).</summary>
    ExactEqual,
    /// <summary><c>gt</c>: greater than / after.</summary>
    GreaterThan,
    /// <summary><c>ge</c>: greater than or equal / on or after.</summary>
    GreaterThanOrEqual,
    /// <summary><c>lt</c>: less than / before.</summary>
    LessThan,
    /// <summary><c>le</c>: less than or equal / on or before.</summary>
    LessThanOrEqual,
    /// <summary><c>blank</c>: is blank (no value needed).</summary>
    Blank,
    /// <summary><c>not_blank</c>: is not blank (no value needed).</summary>
    NotBlank,
    /// <summary><c>true</c>: is true (booleans; no value needed).</summary>
    True,
    /// <summary><c>false</c>: is false (booleans; no value needed).</summary>
    False,
    /// <summary><c>today</c>: is today (no value needed).</summary>
    Today,
    /// <summary><c>ge_today</c>: is on or after today (no value needed).</summary>
    OnOrAfterToday,
    /// <summary><c>gt_today</c>: after today (no value needed).</summary>
    AfterToday,
    /// <summary><c>le_today</c>: is on or before today (no value needed).</summary>
    OnOrBeforeToday,
    /// <summary><c>lt_today</c>: before today (no value needed).</summary>
    BeforeToday,
    /// <summary><c>between</c>: within two bounds, criteria <c>JSON([low,high])</c>.</summary>
    Between,
    /// <summary><c>not_between</c>: outside two bounds, criteria <c>JSON([low,high])</c>.</summary>
    NotBetween,
}

/// <summary>Wire spellings and properties of <see cref="FilterOperator"/>.</summary>
internal static class FilterOperators
{
    /// <summary>The <c>_ft[]</c> spelling: <c>bg</c>, <c>not_blank</c>, <c>ge_today</c>…</summary>
    public static string ToWire(this FilterOperator op) => op switch
    {
        FilterOperator.BeginsWith => "bg",
        FilterOperator.NotBeginsWith => "nbg",
        FilterOperator.Contains => "ct",
        FilterOperator.NotContains => "nct",
        FilterOperator.Equal => "eq",
        FilterOperator.NotEqual => "ne",
        FilterOperator.ExactEqual => "xeq",
        FilterOperator.GreaterThan => "gt",
        FilterOperator.GreaterThanOrEqual => "ge",
        FilterOperator.LessThan => "lt",
        FilterOperator.LessThanOrEqual => "le",
        FilterOperator.Blank => "blank",
        FilterOperator.NotBlank => "not_blank",
        FilterOperator.True => "true",
        FilterOperator.False => "false",
        FilterOperator.Today => "today",
        FilterOperator.OnOrAfterToday => "ge_today",
        FilterOperator.AfterToday => "gt_today",
        FilterOperator.OnOrBeforeToday => "le_today",
        FilterOperator.BeforeToday => "lt_today",
        FilterOperator.Between => "between",
        FilterOperator.NotBetween => "not_between",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Not a filter operator."),
    };

    /// <summary>Reads a wire spelling (case-insensitive).</summary>
    /// <param name="wire">The <c>_ft[]</c> text.</param>
    /// <param name="op">The operator, when the method returns true.</param>
    /// <returns>Whether <paramref name="wire"/> names a documented operator.</returns>
    public static bool TryParse(string? wire, out FilterOperator op)
    {
        foreach (var candidate in Enum.GetValues<FilterOperator>())
        {
            if (string.Equals(candidate.ToWire(), wire?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                op = candidate;
                return true;
            }
        }
        op = default;
        return false;
    }

    /// <summary>Whether the operator compares with criteria; value-less ones send an empty <c>_fc[]</c>.</summary>
    public static bool RequiresValue(this FilterOperator op) => op is not (FilterOperator.Blank or FilterOperator.NotBlank
        or FilterOperator.True or FilterOperator.False or FilterOperator.Today or FilterOperator.OnOrAfterToday
        or FilterOperator.AfterToday or FilterOperator.OnOrBeforeToday or FilterOperator.BeforeToday);
}
