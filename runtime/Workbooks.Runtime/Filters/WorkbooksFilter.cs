using System.Globalization;

namespace Workbooks.Filters;

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
    public static WorkbooksFilter Condition(string field, FilterOperator op, string? criteria = null) => new FilterCondition(field, op, criteria);

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
internal sealed class FilterCondition : WorkbooksFilter
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
internal sealed class FilterAnd : WorkbooksFilter
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
internal sealed class FilterOr : WorkbooksFilter
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
internal sealed class FilterNot : WorkbooksFilter
{
    internal FilterNot(WorkbooksFilter operand) => Operand = operand;

    /// <summary>The negated filter.</summary>
    public WorkbooksFilter Operand { get; }

    /// <inheritdoc/>
    public override string ToString() => $"NOT {Operand}";
}
