namespace Workbooks.Filters;

/// <summary>
/// A value of a picklist, as a generated value type holds it (<c>IndustriesPicklist</c>): the known entries are its
/// static members, and any other value the service holds is kept as it is.
/// </summary>
public interface IPicklistValue
{
    /// <summary>The value as stored and sent (the entry's text).</summary>
    string Value { get; }
}

/// <summary>
/// A picklist field whose entries were captured with the schema: equality and IN lists over its generated value type,
/// as the service filters picklists (<c>eq</c>, <c>ne</c>), and blank tests.
/// </summary>
/// <typeparam name="TValue">The picklist's generated value type.</typeparam>
public sealed class PicklistField<TValue>(string name) : WorkbooksField(name) where TValue : struct, IPicklistValue
{
    /// <summary>Equals (<c>eq</c>).</summary>
    public static WorkbooksFilter operator ==(PicklistField<TValue> field, TValue value) =>
        new FilterField(field.Name).Equal(value.Value);

    /// <summary>Does not equal (<c>ne</c>).</summary>
    public static WorkbooksFilter operator !=(PicklistField<TValue> field, TValue value) =>
        new FilterField(field.Name).NotEqual(value.Value);

    /// <summary>Equals any of the values (an <c>eq</c> comma list; commas in values are escaped).</summary>
    public WorkbooksFilter In(params IEnumerable<TValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new FilterField(Name).In(values.Select(v => v.Value));
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => base.Equals(obj);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();
}
