
namespace Workbooks.Filters;

/// <summary>Builds conditions on one field; values are formatted by the one criteria formatter that the typed fields share.</summary>
public readonly struct FilterField : IWorkbooksField, IEquatable<FilterField>
{
    internal FilterField(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The field name.</summary>
    public string Name { get; }

    private WorkbooksFilter Make(FilterOperator op, string? criteria = null) => new FilterCondition(Name ?? throw new InvalidOperationException("Use WorkbooksFilter.Field(name)."), op, criteria);

    /// <summary><c>bg</c>: the field begins with the text.</summary>
    public WorkbooksFilter StartsWith(string text) => Make(FilterOperator.BeginsWith, text);

    /// <summary><c>nbg</c>: the field does not begin with the text.</summary>
    public WorkbooksFilter DoesNotStartWith(string text) => Make(FilterOperator.NotBeginsWith, text);

    /// <summary><c>ct</c>: the field contains the text.</summary>
    public WorkbooksFilter Contains(string text) => Make(FilterOperator.Contains, text);

    /// <summary><c>nct</c>: the field does not contain the text.</summary>
    public WorkbooksFilter DoesNotContain(string text) => Make(FilterOperator.NotContains, text);

    /// <summary><c>eq</c>: the field equals the text (commas are escaped).</summary>
    public WorkbooksFilter Equal(string value) => Make(FilterOperator.Equal, FilterValues.Text(value));

    /// <summary><c>eq</c>: the field equals the number.</summary>
    public WorkbooksFilter Equal(long value) => Make(FilterOperator.Equal, FilterValues.Of(value));

    /// <summary><c>eq</c>: the field equals the number.</summary>
    public WorkbooksFilter Equal(decimal value) => Make(FilterOperator.Equal, FilterValues.Of(value));

    /// <summary><c>eq</c> with <c>1</c>/<c>0</c>, as the guide recommends for booleans.</summary>
    public WorkbooksFilter Equal(bool value) => Make(FilterOperator.Equal, FilterValues.Of(value));

    /// <summary><c>eq</c>: the date field is on the date.</summary>
    public WorkbooksFilter Equal(DateOnly value) => Make(FilterOperator.Equal, FilterValues.Of(value));

    /// <summary><c>xeq</c>: the date-time field is at the instant (whole seconds, UTC).</summary>
    public WorkbooksFilter At(DateTimeOffset value) => Make(FilterOperator.ExactEqual, FilterValues.Of(value));

    /// <summary><c>ne</c>: the field is not equal to the text (commas are escaped).</summary>
    public WorkbooksFilter NotEqual(string value) => Make(FilterOperator.NotEqual, FilterValues.Text(value));

    /// <summary><c>ne</c>: the field is not equal to the number.</summary>
    public WorkbooksFilter NotEqual(long value) => Make(FilterOperator.NotEqual, FilterValues.Of(value));

    /// <summary><c>ne</c> with <c>1</c>/<c>0</c>.</summary>
    public WorkbooksFilter NotEqual(bool value) => Make(FilterOperator.NotEqual, FilterValues.Of(value));

    /// <summary><c>eq</c> with a comma list: the field equals any of the values (commas inside values are escaped).</summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public WorkbooksFilter In(params IEnumerable<string> values) => Make(FilterOperator.Equal, FilterValues.List(values, FilterValues.Text, nameof(values)));

    /// <summary><c>eq</c> with a comma list of numbers (e.g. ids).</summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public WorkbooksFilter In(params IEnumerable<long> values) => Make(FilterOperator.Equal, FilterValues.List(values, FilterValues.Of, nameof(values)));

    /// <summary><c>gt</c>: greater than.</summary>
    public WorkbooksFilter GreaterThan(long value) => Make(FilterOperator.GreaterThan, FilterValues.Of(value));

    /// <summary><c>gt</c>: greater than.</summary>
    public WorkbooksFilter GreaterThan(decimal value) => Make(FilterOperator.GreaterThan, FilterValues.Of(value));

    /// <summary><c>gt</c>: after the date.</summary>
    public WorkbooksFilter GreaterThan(DateOnly value) => Make(FilterOperator.GreaterThan, FilterValues.Of(value));

    /// <summary><c>gt</c>: after the instant.</summary>
    public WorkbooksFilter GreaterThan(DateTimeOffset value) => Make(FilterOperator.GreaterThan, FilterValues.Of(value));

    /// <summary><c>gt</c> with criteria text as given.</summary>
    public WorkbooksFilter GreaterThan(string value) => Make(FilterOperator.GreaterThan, value);

    /// <summary><c>ge</c>: greater than or equal.</summary>
    public WorkbooksFilter GreaterThanOrEqual(long value) => Make(FilterOperator.GreaterThanOrEqual, FilterValues.Of(value));

    /// <summary><c>ge</c>: greater than or equal.</summary>
    public WorkbooksFilter GreaterThanOrEqual(decimal value) => Make(FilterOperator.GreaterThanOrEqual, FilterValues.Of(value));

    /// <summary><c>ge</c>: on or after the date.</summary>
    public WorkbooksFilter GreaterThanOrEqual(DateOnly value) => Make(FilterOperator.GreaterThanOrEqual, FilterValues.Of(value));

    /// <summary><c>ge</c>: at or after the instant.</summary>
    public WorkbooksFilter GreaterThanOrEqual(DateTimeOffset value) => Make(FilterOperator.GreaterThanOrEqual, FilterValues.Of(value));

    /// <summary><c>ge</c> with criteria text as given.</summary>
    public WorkbooksFilter GreaterThanOrEqual(string value) => Make(FilterOperator.GreaterThanOrEqual, value);

    /// <summary><c>lt</c>: less than.</summary>
    public WorkbooksFilter LessThan(long value) => Make(FilterOperator.LessThan, FilterValues.Of(value));

    /// <summary><c>lt</c>: less than.</summary>
    public WorkbooksFilter LessThan(decimal value) => Make(FilterOperator.LessThan, FilterValues.Of(value));

    /// <summary><c>lt</c>: before the date.</summary>
    public WorkbooksFilter LessThan(DateOnly value) => Make(FilterOperator.LessThan, FilterValues.Of(value));

    /// <summary><c>lt</c>: before the instant.</summary>
    public WorkbooksFilter LessThan(DateTimeOffset value) => Make(FilterOperator.LessThan, FilterValues.Of(value));

    /// <summary><c>lt</c> with criteria text as given.</summary>
    public WorkbooksFilter LessThan(string value) => Make(FilterOperator.LessThan, value);

    /// <summary><c>le</c>: less than or equal.</summary>
    public WorkbooksFilter LessThanOrEqual(long value) => Make(FilterOperator.LessThanOrEqual, FilterValues.Of(value));

    /// <summary><c>le</c>: less than or equal.</summary>
    public WorkbooksFilter LessThanOrEqual(decimal value) => Make(FilterOperator.LessThanOrEqual, FilterValues.Of(value));

    /// <summary><c>le</c>: on or before the date.</summary>
    public WorkbooksFilter LessThanOrEqual(DateOnly value) => Make(FilterOperator.LessThanOrEqual, FilterValues.Of(value));

    /// <summary><c>le</c>: at or before the instant.</summary>
    public WorkbooksFilter LessThanOrEqual(DateTimeOffset value) => Make(FilterOperator.LessThanOrEqual, FilterValues.Of(value));

    /// <summary><c>le</c> with criteria text as given.</summary>
    public WorkbooksFilter LessThanOrEqual(string value) => Make(FilterOperator.LessThanOrEqual, value);

    /// <summary><c>blank</c>: the field has no value.</summary>
    public WorkbooksFilter IsBlank() => Make(FilterOperator.Blank);

    /// <summary><c>not_blank</c>: the field has a value.</summary>
    public WorkbooksFilter IsNotBlank() => Make(FilterOperator.NotBlank);

    /// <summary><c>true</c>: the boolean field is true.</summary>
    public WorkbooksFilter IsTrue() => Make(FilterOperator.True);

    /// <summary><c>false</c>: the boolean field is false.</summary>
    public WorkbooksFilter IsFalse() => Make(FilterOperator.False);

    /// <summary><c>today</c>: the date is today.</summary>
    public WorkbooksFilter IsToday() => Make(FilterOperator.Today);

    /// <summary><c>ge_today</c>: on or after today.</summary>
    public WorkbooksFilter IsOnOrAfterToday() => Make(FilterOperator.OnOrAfterToday);

    /// <summary><c>gt_today</c>: after today.</summary>
    public WorkbooksFilter IsAfterToday() => Make(FilterOperator.AfterToday);

    /// <summary><c>le_today</c>: on or before today.</summary>
    public WorkbooksFilter IsOnOrBeforeToday() => Make(FilterOperator.OnOrBeforeToday);

    /// <summary><c>lt_today</c>: before today.</summary>
    public WorkbooksFilter IsBeforeToday() => Make(FilterOperator.BeforeToday);

    /// <summary><c>between</c> two dates (inclusive), sent as <c>JSON([2023-12-01,2023-12-31])</c>.</summary>
    public WorkbooksFilter Between(DateOnly low, DateOnly high) => Make(FilterOperator.Between, FilterValues.Range(FilterValues.Bound(low), FilterValues.Bound(high)));

    /// <summary><c>between</c> two numbers (inclusive).</summary>
    public WorkbooksFilter Between(decimal low, decimal high) => Make(FilterOperator.Between, FilterValues.Range(FilterValues.Of(low), FilterValues.Of(high)));

    /// <summary><c>between</c> two bounds given as wire text (no commas).</summary>
    public WorkbooksFilter Between(string low, string high) => Make(FilterOperator.Between, FilterValues.Range(low, high));

    /// <summary><c>not_between</c> two dates.</summary>
    public WorkbooksFilter NotBetween(DateOnly low, DateOnly high) => Make(FilterOperator.NotBetween, FilterValues.Range(FilterValues.Bound(low), FilterValues.Bound(high)));

    /// <summary><c>not_between</c> two numbers.</summary>
    public WorkbooksFilter NotBetween(decimal low, decimal high) => Make(FilterOperator.NotBetween, FilterValues.Range(FilterValues.Of(low), FilterValues.Of(high)));

    /// <summary><c>not_between</c> two bounds given as wire text (no commas).</summary>
    public WorkbooksFilter NotBetween(string low, string high) => Make(FilterOperator.NotBetween, FilterValues.Range(low, high));

    /// <inheritdoc/>
    public bool Equals(FilterField other) => string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is FilterField other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Name is null ? 0 : StringComparer.Ordinal.GetHashCode(Name);

    /// <summary>Whether two builders name the same field.</summary>
    public static bool operator ==(FilterField left, FilterField right) => left.Equals(right);

    /// <summary>Whether two builders name different fields.</summary>
    public static bool operator !=(FilterField left, FilterField right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => Name ?? "";
}
