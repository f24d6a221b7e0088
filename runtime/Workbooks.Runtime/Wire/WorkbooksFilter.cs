using System.Globalization;

namespace Workbooks.Wire;

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
public static class FilterOperators
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

/// <summary>
/// An immutable filter expression: <see cref="FilterCondition"/> leaves combined with <see cref="FilterAnd"/>,
/// <see cref="FilterOr"/> and <see cref="FilterNot"/> (or the <c>&amp;</c>, <c>|</c> and <c>!</c> operators).
/// <see cref="FilterEncoding"/> turns it into <c>_ff[]/_ft[]/_fc[]</c> plus <c>_fm</c>.
/// </summary>
public abstract class WorkbooksFilter
{
    private protected WorkbooksFilter() { }

    /// <summary>A condition with criteria exactly as they go on the wire (no escaping is applied).</summary>
    /// <param name="field">The field, e.g. <c>name</c> or <c>main_location[email]</c>.</param>
    /// <param name="op">The filter type.</param>
    /// <param name="criteria">The criteria text; ignored (sent empty) for value-less operators.</param>
    public static FilterCondition Condition(string field, FilterOperator op, string? criteria = null) => new(field, op, criteria);

    /// <summary>Starts a condition on a field: <c>WorkbooksFilter.Field("name").StartsWith("J")</c>.</summary>
    public static FilterField Field(string field) => new(field);

    /// <summary>All of the filters (nested ANDs are flattened).</summary>
    public static WorkbooksFilter And(params IEnumerable<WorkbooksFilter> filters) => FilterAnd.Create(filters);

    /// <summary>Any of the filters (nested ORs are flattened).</summary>
    public static WorkbooksFilter Or(params IEnumerable<WorkbooksFilter> filters) => FilterOr.Create(filters);

    /// <summary>The negation of a filter (a double negation cancels out).</summary>
    public static WorkbooksFilter Not(WorkbooksFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return filter is FilterNot negation ? negation.Operand : new FilterNot(filter);
    }

    /// <summary>Both filters.</summary>
    public static WorkbooksFilter operator &(WorkbooksFilter left, WorkbooksFilter right) => And(left, right);

    /// <summary>Either filter.</summary>
    public static WorkbooksFilter operator |(WorkbooksFilter left, WorkbooksFilter right) => Or(left, right);

    /// <summary>The negation of a filter.</summary>
    public static WorkbooksFilter operator !(WorkbooksFilter filter) => Not(filter);

    /// <summary>Never true: with <see cref="op_False"/> this lets C# compose filters with <c>&amp;&amp;</c> and <c>||</c>
    /// (both sides always build; <c>a &amp;&amp; b</c> means <c>a &amp; b</c>).</summary>
    public static bool operator true(WorkbooksFilter filter) => false;

    /// <summary>Never false: see <see cref="op_True"/>.</summary>
    public static bool operator false(WorkbooksFilter filter) => false;

    /// <summary>Named alternative to <c>&amp;</c>.</summary>
    public static WorkbooksFilter BitwiseAnd(WorkbooksFilter left, WorkbooksFilter right) => And(left, right);

    /// <summary>Named alternative to <c>|</c>.</summary>
    public static WorkbooksFilter BitwiseOr(WorkbooksFilter left, WorkbooksFilter right) => Or(left, right);

    /// <summary>Named alternative to <c>!</c>.</summary>
    public static WorkbooksFilter LogicalNot(WorkbooksFilter filter) => Not(filter);

    /// <summary>A readable rendering of the expression, for logs and tests.</summary>
    public abstract override string ToString();
}

/// <summary>A leaf: one <c>_ff[]/_ft[]/_fc[]</c> triple.</summary>
public sealed class FilterCondition : WorkbooksFilter
{
    internal FilterCondition(string field, FilterOperator op, string? criteria)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        _ = op.ToWire();
        FieldName = field;
        Operator = op;
        Criteria = op.RequiresValue() ? criteria ?? "" : "";
    }

    /// <summary>The field name (<c>_ff[]</c>).</summary>
    public string FieldName { get; }

    /// <summary>The filter type (<c>_ft[]</c>).</summary>
    public FilterOperator Operator { get; }

    /// <summary>The criteria as sent (<c>_fc[]</c>); empty for value-less operators.</summary>
    public string Criteria { get; }

    /// <inheritdoc/>
    public override string ToString() => Operator.RequiresValue() ? $"{FieldName} {Operator.ToWire()} {Criteria}" : $"{FieldName} {Operator.ToWire()}";
}

/// <summary>All operands must match.</summary>
public sealed class FilterAnd : WorkbooksFilter
{
    private FilterAnd(IReadOnlyList<WorkbooksFilter> operands) => Operands = operands;

    /// <summary>The operands (at least two; none is itself an AND).</summary>
    public IReadOnlyList<WorkbooksFilter> Operands { get; }

    internal static WorkbooksFilter Create(IEnumerable<WorkbooksFilter> filters)
    {
        var list = Flatten<FilterAnd>(filters, a => a.Operands);
        return list.Count == 1 ? list[0] : new FilterAnd(list);
    }

    internal static List<WorkbooksFilter> Flatten<T>(IEnumerable<WorkbooksFilter> filters, Func<T, IReadOnlyList<WorkbooksFilter>> operands)
        where T : WorkbooksFilter
    {
        ArgumentNullException.ThrowIfNull(filters);
        var list = new List<WorkbooksFilter>();
        foreach (var f in filters)
        {
            ArgumentNullException.ThrowIfNull(f, nameof(filters));
            if (f is T same) list.AddRange(operands(same));
            else list.Add(f);
        }
        if (list.Count == 0) throw new ArgumentException("A combination needs at least one filter.", nameof(filters));
        return list;
    }

    /// <inheritdoc/>
    public override string ToString() => "(" + string.Join(" AND ", Operands) + ")";
}

/// <summary>At least one operand must match.</summary>
public sealed class FilterOr : WorkbooksFilter
{
    private FilterOr(IReadOnlyList<WorkbooksFilter> operands) => Operands = operands;

    /// <summary>The operands (at least two; none is itself an OR).</summary>
    public IReadOnlyList<WorkbooksFilter> Operands { get; }

    internal static WorkbooksFilter Create(IEnumerable<WorkbooksFilter> filters)
    {
        var list = FilterAnd.Flatten<FilterOr>(filters, o => o.Operands);
        return list.Count == 1 ? list[0] : new FilterOr(list);
    }

    /// <inheritdoc/>
    public override string ToString() => "(" + string.Join(" OR ", Operands) + ")";
}

/// <summary>The operand must not match.</summary>
public sealed class FilterNot : WorkbooksFilter
{
    internal FilterNot(WorkbooksFilter operand) => Operand = operand;

    /// <summary>The negated filter.</summary>
    public WorkbooksFilter Operand { get; }

    /// <inheritdoc/>
    public override string ToString() => $"NOT {Operand}";
}

/// <summary>Builds conditions on one field; values are formatted with <see cref="WorkbooksValues"/>.</summary>
public readonly struct FilterField : IEquatable<FilterField>
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    internal FilterField(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The field name.</summary>
    public string Name { get; }

    private FilterCondition Make(FilterOperator op, string? criteria = null) => new(Name ?? throw new InvalidOperationException("Use WorkbooksFilter.Field(name)."), op, criteria);

    /// <summary>Escapes commas with a backslash so an <c>eq</c>/<c>ne</c> criteria is not split into a list.</summary>
    public static string EscapeListValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Replace(",", "\\,", StringComparison.Ordinal);
    }

    /// <summary><c>bg</c>: the field begins with the text.</summary>
    public FilterCondition StartsWith(string text) => Make(FilterOperator.BeginsWith, text);

    /// <summary><c>nbg</c>: the field does not begin with the text.</summary>
    public FilterCondition DoesNotStartWith(string text) => Make(FilterOperator.NotBeginsWith, text);

    /// <summary><c>ct</c>: the field contains the text.</summary>
    public FilterCondition Contains(string text) => Make(FilterOperator.Contains, text);

    /// <summary><c>nct</c>: the field does not contain the text.</summary>
    public FilterCondition DoesNotContain(string text) => Make(FilterOperator.NotContains, text);

    /// <summary><c>eq</c>: the field equals the text (commas are escaped).</summary>
    public FilterCondition Equal(string value) => Make(FilterOperator.Equal, EscapeListValue(value));

    /// <summary><c>eq</c>: the field equals the number.</summary>
    public FilterCondition Equal(long value) => Make(FilterOperator.Equal, WorkbooksValues.FormatInt64(value));

    /// <summary><c>eq</c>: the field equals the number.</summary>
    public FilterCondition Equal(decimal value) => Make(FilterOperator.Equal, WorkbooksValues.FormatDecimal(value));

    /// <summary><c>eq</c> with <c>1</c>/<c>0</c>, as the guide recommends for booleans.</summary>
    public FilterCondition Equal(bool value) => Make(FilterOperator.Equal, WorkbooksValues.FormatBoolean(value));

    /// <summary><c>eq</c>: the date field is on the date.</summary>
    public FilterCondition Equal(DateOnly value) => Make(FilterOperator.Equal, WorkbooksValues.FormatDate(value).Trim());

    /// <summary><c>xeq</c>: the date-time field is at the instant (whole seconds, UTC).</summary>
    public FilterCondition At(DateTimeOffset value) => Make(FilterOperator.ExactEqual, WorkbooksValues.FormatDateTime(value));

    /// <summary><c>ne</c>: the field is not equal to the text (commas are escaped).</summary>
    public FilterCondition NotEqual(string value) => Make(FilterOperator.NotEqual, EscapeListValue(value));

    /// <summary><c>ne</c>: the field is not equal to the number.</summary>
    public FilterCondition NotEqual(long value) => Make(FilterOperator.NotEqual, WorkbooksValues.FormatInt64(value));

    /// <summary><c>ne</c> with <c>1</c>/<c>0</c>.</summary>
    public FilterCondition NotEqual(bool value) => Make(FilterOperator.NotEqual, WorkbooksValues.FormatBoolean(value));

    /// <summary><c>eq</c> with a comma list: the field equals any of the values (commas inside values are escaped).</summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public FilterCondition In(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var joined = string.Join(",", values.Select(EscapeListValue));
        if (joined.Length == 0 && !values.Any()) throw new ArgumentException("'In' needs at least one value.", nameof(values));
        return Make(FilterOperator.Equal, joined);
    }

    /// <summary><c>eq</c> with a comma list of numbers (e.g. ids).</summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public FilterCondition In(IEnumerable<long> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var joined = string.Join(",", values.Select(v => v.ToString(Invariant)));
        if (joined.Length == 0) throw new ArgumentException("'In' needs at least one value.", nameof(values));
        return Make(FilterOperator.Equal, joined);
    }

    /// <summary><c>gt</c>: greater than.</summary>
    public FilterCondition GreaterThan(long value) => Make(FilterOperator.GreaterThan, WorkbooksValues.FormatInt64(value));

    /// <summary><c>gt</c>: greater than.</summary>
    public FilterCondition GreaterThan(decimal value) => Make(FilterOperator.GreaterThan, WorkbooksValues.FormatDecimal(value));

    /// <summary><c>gt</c>: after the date.</summary>
    public FilterCondition GreaterThan(DateOnly value) => Make(FilterOperator.GreaterThan, WorkbooksValues.FormatDate(value).Trim());

    /// <summary><c>gt</c>: after the instant.</summary>
    public FilterCondition GreaterThan(DateTimeOffset value) => Make(FilterOperator.GreaterThan, WorkbooksValues.FormatDateTime(value));

    /// <summary><c>gt</c> with criteria text as given.</summary>
    public FilterCondition GreaterThan(string value) => Make(FilterOperator.GreaterThan, value);

    /// <summary><c>ge</c>: greater than or equal.</summary>
    public FilterCondition GreaterThanOrEqual(long value) => Make(FilterOperator.GreaterThanOrEqual, WorkbooksValues.FormatInt64(value));

    /// <summary><c>ge</c>: greater than or equal.</summary>
    public FilterCondition GreaterThanOrEqual(decimal value) => Make(FilterOperator.GreaterThanOrEqual, WorkbooksValues.FormatDecimal(value));

    /// <summary><c>ge</c>: on or after the date.</summary>
    public FilterCondition GreaterThanOrEqual(DateOnly value) => Make(FilterOperator.GreaterThanOrEqual, WorkbooksValues.FormatDate(value).Trim());

    /// <summary><c>ge</c>: at or after the instant.</summary>
    public FilterCondition GreaterThanOrEqual(DateTimeOffset value) => Make(FilterOperator.GreaterThanOrEqual, WorkbooksValues.FormatDateTime(value));

    /// <summary><c>ge</c> with criteria text as given.</summary>
    public FilterCondition GreaterThanOrEqual(string value) => Make(FilterOperator.GreaterThanOrEqual, value);

    /// <summary><c>lt</c>: less than.</summary>
    public FilterCondition LessThan(long value) => Make(FilterOperator.LessThan, WorkbooksValues.FormatInt64(value));

    /// <summary><c>lt</c>: less than.</summary>
    public FilterCondition LessThan(decimal value) => Make(FilterOperator.LessThan, WorkbooksValues.FormatDecimal(value));

    /// <summary><c>lt</c>: before the date.</summary>
    public FilterCondition LessThan(DateOnly value) => Make(FilterOperator.LessThan, WorkbooksValues.FormatDate(value).Trim());

    /// <summary><c>lt</c>: before the instant.</summary>
    public FilterCondition LessThan(DateTimeOffset value) => Make(FilterOperator.LessThan, WorkbooksValues.FormatDateTime(value));

    /// <summary><c>lt</c> with criteria text as given.</summary>
    public FilterCondition LessThan(string value) => Make(FilterOperator.LessThan, value);

    /// <summary><c>le</c>: less than or equal.</summary>
    public FilterCondition LessThanOrEqual(long value) => Make(FilterOperator.LessThanOrEqual, WorkbooksValues.FormatInt64(value));

    /// <summary><c>le</c>: less than or equal.</summary>
    public FilterCondition LessThanOrEqual(decimal value) => Make(FilterOperator.LessThanOrEqual, WorkbooksValues.FormatDecimal(value));

    /// <summary><c>le</c>: on or before the date.</summary>
    public FilterCondition LessThanOrEqual(DateOnly value) => Make(FilterOperator.LessThanOrEqual, WorkbooksValues.FormatDate(value).Trim());

    /// <summary><c>le</c>: at or before the instant.</summary>
    public FilterCondition LessThanOrEqual(DateTimeOffset value) => Make(FilterOperator.LessThanOrEqual, WorkbooksValues.FormatDateTime(value));

    /// <summary><c>le</c> with criteria text as given.</summary>
    public FilterCondition LessThanOrEqual(string value) => Make(FilterOperator.LessThanOrEqual, value);

    /// <summary><c>blank</c>: the field has no value.</summary>
    public FilterCondition IsBlank() => Make(FilterOperator.Blank);

    /// <summary><c>not_blank</c>: the field has a value.</summary>
    public FilterCondition IsNotBlank() => Make(FilterOperator.NotBlank);

    /// <summary><c>true</c>: the boolean field is true.</summary>
    public FilterCondition IsTrue() => Make(FilterOperator.True);

    /// <summary><c>false</c>: the boolean field is false.</summary>
    public FilterCondition IsFalse() => Make(FilterOperator.False);

    /// <summary><c>today</c>: the date is today.</summary>
    public FilterCondition IsToday() => Make(FilterOperator.Today);

    /// <summary><c>ge_today</c>: on or after today.</summary>
    public FilterCondition IsOnOrAfterToday() => Make(FilterOperator.OnOrAfterToday);

    /// <summary><c>gt_today</c>: after today.</summary>
    public FilterCondition IsAfterToday() => Make(FilterOperator.AfterToday);

    /// <summary><c>le_today</c>: on or before today.</summary>
    public FilterCondition IsOnOrBeforeToday() => Make(FilterOperator.OnOrBeforeToday);

    /// <summary><c>lt_today</c>: before today.</summary>
    public FilterCondition IsBeforeToday() => Make(FilterOperator.BeforeToday);

    /// <summary><c>between</c> two dates (inclusive), sent as <c>JSON([2023-12-01,2023-12-31])</c>.</summary>
    public FilterCondition Between(DateOnly low, DateOnly high) => Make(FilterOperator.Between, Range(WorkbooksValues.FormatIsoDate(low), WorkbooksValues.FormatIsoDate(high)));

    /// <summary><c>between</c> two numbers (inclusive).</summary>
    public FilterCondition Between(decimal low, decimal high) => Make(FilterOperator.Between, Range(WorkbooksValues.FormatDecimal(low), WorkbooksValues.FormatDecimal(high)));

    /// <summary><c>between</c> two bounds given as wire text (no commas).</summary>
    public FilterCondition Between(string low, string high) => Make(FilterOperator.Between, Range(low, high));

    /// <summary><c>not_between</c> two dates.</summary>
    public FilterCondition NotBetween(DateOnly low, DateOnly high) => Make(FilterOperator.NotBetween, Range(WorkbooksValues.FormatIsoDate(low), WorkbooksValues.FormatIsoDate(high)));

    /// <summary><c>not_between</c> two numbers.</summary>
    public FilterCondition NotBetween(decimal low, decimal high) => Make(FilterOperator.NotBetween, Range(WorkbooksValues.FormatDecimal(low), WorkbooksValues.FormatDecimal(high)));

    /// <summary><c>not_between</c> two bounds given as wire text (no commas).</summary>
    public FilterCondition NotBetween(string low, string high) => Make(FilterOperator.NotBetween, Range(low, high));

    private static string Range(string low, string high)
    {
        ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(high);
        if (low.Contains(',', StringComparison.Ordinal) || high.Contains(',', StringComparison.Ordinal))
            throw new ArgumentException("'between' bounds cannot contain a comma.", nameof(low));
        return $"JSON([{low},{high}])";
    }

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
