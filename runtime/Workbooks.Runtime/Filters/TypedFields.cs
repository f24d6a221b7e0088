namespace Workbooks.Filters;

/// <summary>A field of a generated filter shape: its wire name (also what OrderBy and Select selectors return).</summary>
public interface IWorkbooksField
{
    /// <summary>The wire name, e.g. <c>employer[name]</c>.</summary>
    string Name { get; }
}

/// <summary>Shared plumbing of the typed filter fields: equality by name, conditions by operator.</summary>
public abstract class WorkbooksField : IWorkbooksField
{
    /// <summary>Creates a field with its wire name.</summary>
    private protected WorkbooksField(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>A condition on this field with criteria in wire form.</summary>
    private protected WorkbooksFilter Condition(FilterOperator op, string? criteria = null) => WorkbooksFilter.Condition(Name, op, criteria);

    /// <summary>Is blank (null or empty).</summary>
    public WorkbooksFilter IsBlank() => Condition(FilterOperator.Blank);

    /// <summary>Is not blank.</summary>
    public WorkbooksFilter IsNotBlank() => Condition(FilterOperator.NotBlank);

    /// <summary>Fields are equal when they name the same wire field.</summary>
    public override bool Equals(object? obj) => obj is WorkbooksField other && other.GetType() == GetType() && other.Name == Name;

    /// <inheritdoc />
    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>A text field: equality (with IN lists), begins-with, contains and their negations, blank tests.</summary>
public sealed class StringField(string name) : WorkbooksField(name)
{
    /// <summary>Equals (<c>eq</c>); comparing with null tests for blank.</summary>
    public static WorkbooksFilter operator ==(StringField field, string? value) =>
        value is null ? field.IsBlank() : new FilterField(field.Name).Equal(value);

    /// <summary>Does not equal (<c>ne</c>); comparing with null tests for not blank.</summary>
    public static WorkbooksFilter operator !=(StringField field, string? value) =>
        value is null ? field.IsNotBlank() : new FilterField(field.Name).NotEqual(value);

    /// <summary>Begins with (<c>bg</c>).</summary>
    public WorkbooksFilter StartsWith(string text) => new FilterField(Name).StartsWith(text);

    /// <summary>Does not begin with (<c>nbg</c>).</summary>
    public WorkbooksFilter DoesNotStartWith(string text) => new FilterField(Name).DoesNotStartWith(text);

    /// <summary>Contains (<c>ct</c>; slower than equality on the service).</summary>
    public WorkbooksFilter Contains(string text) => new FilterField(Name).Contains(text);

    /// <summary>Does not contain (<c>nct</c>).</summary>
    public WorkbooksFilter DoesNotContain(string text) => new FilterField(Name).DoesNotContain(text);

    /// <summary>Equals any of the values (an <c>eq</c> comma list; commas in values are escaped).</summary>
    public WorkbooksFilter In(params IEnumerable<string> values) => new FilterField(Name).In(values);

    /// <inheritdoc />
    public override bool Equals(object? obj) => base.Equals(obj);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();
}

/// <summary>A numeric field (integer, float or decimal): comparisons and IN lists.</summary>
/// <typeparam name="T"><see cref="long"/>, <see cref="double"/> or <see cref="decimal"/>.</typeparam>
public sealed class NumberField<T>(string name) : WorkbooksField(name) where T : struct
{
    private static string Format(T value) => value switch
    {
        long l => FilterValues.Of(l),
        int i => FilterValues.Of(i),
        decimal m => FilterValues.Of(m),
        double d => FilterValues.Of(d),
        _ => throw new NotSupportedException($"A number field holds long, double or decimal values, not {typeof(T).Name}."),
    };

    /// <summary>Equals; comparing with null tests for blank.</summary>
    public static WorkbooksFilter operator ==(NumberField<T> field, T? value) =>
        value is { } v ? field.Condition(FilterOperator.Equal, Format(v)) : field.IsBlank();

    /// <summary>Does not equal; comparing with null tests for not blank.</summary>
    public static WorkbooksFilter operator !=(NumberField<T> field, T? value) =>
        value is { } v ? field.Condition(FilterOperator.NotEqual, Format(v)) : field.IsNotBlank();

    /// <summary>Greater than.</summary>
    public static WorkbooksFilter operator >(NumberField<T> field, T value) => field.Condition(FilterOperator.GreaterThan, Format(value));

    /// <summary>Greater than or equal.</summary>
    public static WorkbooksFilter operator >=(NumberField<T> field, T value) => field.Condition(FilterOperator.GreaterThanOrEqual, Format(value));

    /// <summary>Less than.</summary>
    public static WorkbooksFilter operator <(NumberField<T> field, T value) => field.Condition(FilterOperator.LessThan, Format(value));

    /// <summary>Less than or equal.</summary>
    public static WorkbooksFilter operator <=(NumberField<T> field, T value) => field.Condition(FilterOperator.LessThanOrEqual, Format(value));

    /// <summary>Equals any of the values (an <c>eq</c> comma list).</summary>
    public WorkbooksFilter In(params IEnumerable<T> values) => Condition(FilterOperator.Equal, FilterValues.List(values, Format, nameof(values)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => base.Equals(obj);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();
}

/// <summary>A currency field, compared by amount.</summary>
public sealed class CurrencyField(string name) : WorkbooksField(name)
{
    private static string Format(decimal amount) => FilterValues.Of(amount);

    /// <summary>Amount equals; null tests for blank.</summary>
    public static WorkbooksFilter operator ==(CurrencyField field, decimal? amount) =>
        amount is { } a ? field.Condition(FilterOperator.Equal, Format(a)) : field.IsBlank();

    /// <summary>Amount does not equal; null tests for not blank.</summary>
    public static WorkbooksFilter operator !=(CurrencyField field, decimal? amount) =>
        amount is { } a ? field.Condition(FilterOperator.NotEqual, Format(a)) : field.IsNotBlank();

    /// <summary>Amount greater than.</summary>
    public static WorkbooksFilter operator >(CurrencyField field, decimal amount) => field.Condition(FilterOperator.GreaterThan, Format(amount));

    /// <summary>Amount greater than or equal.</summary>
    public static WorkbooksFilter operator >=(CurrencyField field, decimal amount) => field.Condition(FilterOperator.GreaterThanOrEqual, Format(amount));

    /// <summary>Amount less than.</summary>
    public static WorkbooksFilter operator <(CurrencyField field, decimal amount) => field.Condition(FilterOperator.LessThan, Format(amount));

    /// <summary>Amount less than or equal.</summary>
    public static WorkbooksFilter operator <=(CurrencyField field, decimal amount) => field.Condition(FilterOperator.LessThanOrEqual, Format(amount));

    /// <inheritdoc />
    public override bool Equals(object? obj) => base.Equals(obj);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();
}

/// <summary>A boolean field.</summary>
public sealed class BooleanField(string name) : WorkbooksField(name)
{
    /// <summary>Is true.</summary>
    public WorkbooksFilter IsTrue() => Condition(FilterOperator.True);

    /// <summary>Is false.</summary>
    public WorkbooksFilter IsFalse() => Condition(FilterOperator.False);

    /// <summary>Equals (sent as 1/0, as the guide asks).</summary>
    public static WorkbooksFilter operator ==(BooleanField field, bool value) => value ? field.IsTrue() : field.IsFalse();

    /// <summary>Does not equal.</summary>
    public static WorkbooksFilter operator !=(BooleanField field, bool value) => value ? field.IsFalse() : field.IsTrue();

    /// <inheritdoc />
    public override bool Equals(object? obj) => base.Equals(obj);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();
}

/// <summary>Operators common to date and datetime fields that compare with today.</summary>
public abstract class DayField : WorkbooksField
{
    private protected DayField(string name) : base(name) { }

    /// <summary>Is today.</summary>
    public WorkbooksFilter IsToday() => Condition(FilterOperator.Today);

    /// <summary>Before today.</summary>
    public WorkbooksFilter BeforeToday() => Condition(FilterOperator.BeforeToday);

    /// <summary>After today.</summary>
    public WorkbooksFilter AfterToday() => Condition(FilterOperator.AfterToday);

    /// <summary>On or before today.</summary>
    public WorkbooksFilter OnOrBeforeToday() => Condition(FilterOperator.OnOrBeforeToday);

    /// <summary>On or after today.</summary>
    public WorkbooksFilter OnOrAfterToday() => Condition(FilterOperator.OnOrAfterToday);
}

/// <summary>A date field.</summary>
public sealed class DateField(string name) : DayField(name)
{
    private static string Format(DateOnly date) => FilterValues.Of(date);

    /// <summary>On the date.</summary>
    public WorkbooksFilter On(DateOnly date) => Condition(FilterOperator.Equal, Format(date));

    /// <summary>Not on the date.</summary>
    public WorkbooksFilter NotOn(DateOnly date) => Condition(FilterOperator.NotEqual, Format(date));

    /// <summary>Before the date.</summary>
    public WorkbooksFilter Before(DateOnly date) => Condition(FilterOperator.LessThan, Format(date));

    /// <summary>After the date.</summary>
    public WorkbooksFilter After(DateOnly date) => Condition(FilterOperator.GreaterThan, Format(date));

    /// <summary>On or before the date.</summary>
    public WorkbooksFilter OnOrBefore(DateOnly date) => Condition(FilterOperator.LessThanOrEqual, Format(date));

    /// <summary>On or after the date.</summary>
    public WorkbooksFilter OnOrAfter(DateOnly date) => Condition(FilterOperator.GreaterThanOrEqual, Format(date));

    /// <summary>On the date (<c>eq</c>).</summary>
    public static WorkbooksFilter operator ==(DateField field, DateOnly date) => field.On(date);

    /// <summary>Not on the date (<c>ne</c>).</summary>
    public static WorkbooksFilter operator !=(DateField field, DateOnly date) => field.NotOn(date);

    /// <summary>Before the date (<c>lt</c>).</summary>
    public static WorkbooksFilter operator <(DateField field, DateOnly date) => field.Before(date);

    /// <summary>After the date (<c>gt</c>).</summary>
    public static WorkbooksFilter operator >(DateField field, DateOnly date) => field.After(date);

    /// <summary>On or before the date (<c>le</c>).</summary>
    public static WorkbooksFilter operator <=(DateField field, DateOnly date) => field.OnOrBefore(date);

    /// <summary>On or after the date (<c>ge</c>).</summary>
    public static WorkbooksFilter operator >=(DateField field, DateOnly date) => field.OnOrAfter(date);

    /// <inheritdoc />
    public override bool Equals(object? obj) => base.Equals(obj);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();
}

/// <summary>A datetime field (UTC).</summary>
public sealed class DateTimeField(string name) : DayField(name)
{
    private static string Format(DateTimeOffset value) => FilterValues.Of(value);

    /// <summary>At exactly this moment (to the second).</summary>
    public WorkbooksFilter At(DateTimeOffset value) => Condition(FilterOperator.ExactEqual, Format(value));

    /// <summary>On this (UTC) day.</summary>
    public WorkbooksFilter On(DateOnly date) => Condition(FilterOperator.Equal, FilterValues.Of(date));

    /// <summary>Before the moment.</summary>
    public WorkbooksFilter Before(DateTimeOffset value) => Condition(FilterOperator.LessThan, Format(value));

    /// <summary>After the moment.</summary>
    public WorkbooksFilter After(DateTimeOffset value) => Condition(FilterOperator.GreaterThan, Format(value));

    /// <summary>At or before the moment.</summary>
    public WorkbooksFilter OnOrBefore(DateTimeOffset value) => Condition(FilterOperator.LessThanOrEqual, Format(value));

    /// <summary>At or after the moment.</summary>
    public WorkbooksFilter OnOrAfter(DateTimeOffset value) => Condition(FilterOperator.GreaterThanOrEqual, Format(value));

    /// <summary>At exactly this moment, to the second (<c>xeq</c>).</summary>
    public static WorkbooksFilter operator ==(DateTimeField field, DateTimeOffset value) => field.At(value);

    /// <summary>Not at this moment (<c>ne</c>).</summary>
    public static WorkbooksFilter operator !=(DateTimeField field, DateTimeOffset value) => field.NotAt(value);

    /// <summary>Before the moment (<c>lt</c>).</summary>
    public static WorkbooksFilter operator <(DateTimeField field, DateTimeOffset value) => field.Before(value);

    /// <summary>After the moment (<c>gt</c>).</summary>
    public static WorkbooksFilter operator >(DateTimeField field, DateTimeOffset value) => field.After(value);

    /// <summary>At or before the moment (<c>le</c>).</summary>
    public static WorkbooksFilter operator <=(DateTimeField field, DateTimeOffset value) => field.OnOrBefore(value);

    /// <summary>At or after the moment (<c>ge</c>).</summary>
    public static WorkbooksFilter operator >=(DateTimeField field, DateTimeOffset value) => field.OnOrAfter(value);

    /// <summary>Not at this moment (<c>ne</c>).</summary>
    public WorkbooksFilter NotAt(DateTimeOffset value) => Condition(FilterOperator.NotEqual, Format(value));

    /// <inheritdoc />
    public override bool Equals(object? obj) => base.Equals(obj);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();
}

/// <summary>A time-of-day field.</summary>
public sealed class TimeField(string name) : WorkbooksField(name)
{
    private static string Format(TimeOnly value) => FilterValues.Of(value);

    /// <summary>At the time.</summary>
    public WorkbooksFilter At(TimeOnly value) => Condition(FilterOperator.ExactEqual, Format(value));

    /// <summary>Before the time.</summary>
    public WorkbooksFilter Before(TimeOnly value) => Condition(FilterOperator.LessThan, Format(value));

    /// <summary>After the time.</summary>
    public WorkbooksFilter After(TimeOnly value) => Condition(FilterOperator.GreaterThan, Format(value));

    /// <summary>At or before the time.</summary>
    public WorkbooksFilter OnOrBefore(TimeOnly value) => Condition(FilterOperator.LessThanOrEqual, Format(value));

    /// <summary>At or after the time.</summary>
    public WorkbooksFilter OnOrAfter(TimeOnly value) => Condition(FilterOperator.GreaterThanOrEqual, Format(value));
    /// <summary>At the time (<c>xeq</c>).</summary>
    public static WorkbooksFilter operator ==(TimeField field, TimeOnly value) => field.At(value);

    /// <summary>Not at the time (<c>ne</c>).</summary>
    public static WorkbooksFilter operator !=(TimeField field, TimeOnly value) => field.NotAt(value);

    /// <summary>Before the time (<c>lt</c>).</summary>
    public static WorkbooksFilter operator <(TimeField field, TimeOnly value) => field.Before(value);

    /// <summary>After the time (<c>gt</c>).</summary>
    public static WorkbooksFilter operator >(TimeField field, TimeOnly value) => field.After(value);

    /// <summary>At or before the time (<c>le</c>).</summary>
    public static WorkbooksFilter operator <=(TimeField field, TimeOnly value) => field.OnOrBefore(value);

    /// <summary>At or after the time (<c>ge</c>).</summary>
    public static WorkbooksFilter operator >=(TimeField field, TimeOnly value) => field.OnOrAfter(value);

    /// <summary>Not at the time (<c>ne</c>).</summary>
    public WorkbooksFilter NotAt(TimeOnly value) => Condition(FilterOperator.NotEqual, Format(value));

    /// <inheritdoc />
    public override bool Equals(object? obj) => base.Equals(obj);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();
}
