using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Workbooks.Transport;

namespace Workbooks.Filters;

/// <summary>How a filter travels: as <c>_ff[]/_ft[]/_fc[]</c> triples, as <c>_filter_json</c>, or whichever is shorter.</summary>
public enum FilterWireForm
{
    /// <summary><c>_ff[]</c>, <c>_ft[]</c>, <c>_fc[]</c> per condition (the default; what every binding sends).</summary>
    Triples,
    /// <summary>One <c>_filter_json</c> parameter holding <c>[[field, type, criteria], …]</c>.</summary>
    Json,
    /// <summary><c>_filter_json</c> when its form-encoded length is shorter than the triples, otherwise the triples.</summary>
    Shortest,
}

/// <summary>One <c>_ff[]/_ft[]/_fc[]</c> triple as it goes on the wire.</summary>
/// <param name="Field">The field (<c>_ff[]</c>).</param>
/// <param name="Type">The filter type's wire spelling (<c>_ft[]</c>).</param>
/// <param name="Criteria">The criteria (<c>_fc[]</c>); empty for value-less types.</param>
internal readonly record struct FilterTriple(string Field, string Type, string Criteria);

/// <summary>A compiled filter: the ordered triples and the matching mode (<c>_fm</c>; null means the default AND).</summary>
internal sealed class EncodedFilter
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal EncodedFilter(IReadOnlyList<FilterTriple> triples, string? mode)
    {
        Triples = triples;
        Mode = mode;
    }

    /// <summary>The triples in order; <c>_fm</c> expressions refer to them 1-based.</summary>
    public IReadOnlyList<FilterTriple> Triples { get; }

    /// <summary><c>_fm</c>: null (AND of everything, the default), <c>or</c>, or a boolean expression such as <c>(1 OR 2) AND 3</c>.</summary>
    public string? Mode { get; }

    /// <summary>The parameters as triples: <c>_fm</c> (when needed) then <c>_ff[]</c>, <c>_ft[]</c>, <c>_fc[]</c> per condition.</summary>
    public List<KeyValuePair<string, string>> ToTripleParameters()
    {
        var list = new List<KeyValuePair<string, string>>(Triples.Count * 3 + 1);
        AppendTriples(list);
        return list;
    }

    /// <summary>The parameters as <c>_fm</c> (when needed) then one <c>_filter_json</c>.</summary>
    public List<KeyValuePair<string, string>> ToJsonParameters()
    {
        var list = new List<KeyValuePair<string, string>>(2);
        AppendJson(list);
        return list;
    }

    /// <summary>Appends the parameters in the chosen form.</summary>
    /// <param name="target">The parameter list to append to.</param>
    /// <param name="form">Triples (default), JSON, or the shorter of the two once form-encoded.</param>
    public void AppendTo(ICollection<KeyValuePair<string, string>> target, FilterWireForm form = FilterWireForm.Triples)
    {
        ArgumentNullException.ThrowIfNull(target);
        switch (form)
        {
            case FilterWireForm.Triples:
                AppendTriples(target);
                break;
            case FilterWireForm.Json:
                AppendJson(target);
                break;
            case FilterWireForm.Shortest:
                var json = ToJsonParameters();
                var triples = ToTripleParameters();
                var chosen = FormEncoder.GetEncodedLength(json) < FormEncoder.GetEncodedLength(triples) ? json : triples;
                foreach (var pair in chosen) target.Add(pair);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(form), form, "Not a filter wire form.");
        }
    }

    /// <summary>The <c>_filter_json</c> text: <c>[["name","ct","Hello World"],["object_ref","eq","CASE-1234"]]</c>.</summary>
    public string ToFilterJson()
    {
        var buffer = new ArrayBufferWriter<byte>(64 + Triples.Count * 32);
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            writer.WriteStartArray();
            foreach (var t in Triples)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(t.Field);
                writer.WriteStringValue(t.Type);
                writer.WriteStringValue(t.Criteria);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private void AppendTriples(ICollection<KeyValuePair<string, string>> target)
    {
        if (Mode is not null) target.Add(new(Protocol.FilterMode, Mode));
        foreach (var t in Triples)
            FilterEncoding.AppendTriple(target, t.Field, t.Type, t.Criteria);
    }

    private void AppendJson(ICollection<KeyValuePair<string, string>> target)
    {
        if (Mode is not null) target.Add(new(Protocol.FilterMode, Mode));
        target.Add(new(Protocol.FilterJson, ToFilterJson()));
    }
}

/// <summary>Compiles a <see cref="WorkbooksFilter"/> into the service's filter parameters.</summary>
internal static class FilterEncoding
{
    /// <summary>One numbered filter: <c>_ff[]</c>, <c>_ft[]</c>, <c>_fc[]</c> (the only place the triple is written).</summary>
    internal static void AppendTriple(ICollection<KeyValuePair<string, string>> target, string field, string type, string criteria)
    {
        target.Add(new(Protocol.FilterField, field));
        target.Add(new(Protocol.FilterType, type));
        target.Add(new(Protocol.FilterCriteria, criteria));
    }

    /// <summary>
    /// The id filter a change request carries (<c>id = each id</c>, OR-ed when there are several), as the guide's
    /// "Changing" section asks: the service only touches records the filter selects.
    /// </summary>
    internal static void AppendIdFilter(ICollection<KeyValuePair<string, string>> target, IReadOnlyCollection<string> ids)
    {
        var pairs = new KeyValuePair<string, string>[IdFilterLength(ids.Count)];
        WriteIdFilter(pairs, [.. ids]);
        foreach (var pair in pairs)
            target.Add(pair);
    }

    /// <summary>How many parameters the id filter of <paramref name="count"/> distinct ids takes.</summary>
    internal static int IdFilterLength(int count) => (count > 1 ? 1 : 0) + count * 3;

    /// <summary>Writes the id filter into <paramref name="target"/> (<see cref="IdFilterLength"/> long): the change-set
    /// encoder fills a pre-sized body through a span, without a collection per call.</summary>
    internal static void WriteIdFilter(Span<KeyValuePair<string, string>> target, ReadOnlySpan<string> ids)
    {
        var at = 0;
        if (ids.Length > 1) target[at++] = new(Protocol.FilterMode, "or");
        foreach (var id in ids)
        {
            target[at++] = new(Protocol.FilterField, "id");
            target[at++] = new(Protocol.FilterType, "eq");
            target[at++] = new(Protocol.FilterCriteria, id);
        }
    }

    /// <summary>
    /// Numbers the conditions depth-first (1-based) and chooses <c>_fm</c>: none for a single condition or an AND of
    /// conditions, <c>or</c> for an OR of conditions, otherwise a boolean expression with parentheses around every
    /// nested combination and <c>NOT</c> for negation, e.g. <c>(1 OR 2) AND 3</c>.
    /// </summary>
    public static EncodedFilter Encode(WorkbooksFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var triples = new List<FilterTriple>();
        switch (filter)
        {
            case FilterCondition c:
                triples.Add(Triple(c));
                return new EncodedFilter(triples, null);
            case FilterAnd all when all.Operands.All(o => o is FilterCondition):
                foreach (var o in all.Operands) triples.Add(Triple((FilterCondition)o));
                return new EncodedFilter(triples, null);
            case FilterOr any when any.Operands.All(o => o is FilterCondition):
                foreach (var o in any.Operands) triples.Add(Triple((FilterCondition)o));
                return new EncodedFilter(triples, "or");
            default:
                var expression = new StringBuilder();
                Write(filter, triples, expression, nested: false);
                return new EncodedFilter(triples, expression.ToString());
        }
    }

    /// <summary>Encodes a filter straight to parameters in the chosen form.</summary>
    public static List<KeyValuePair<string, string>> ToParameters(WorkbooksFilter filter, FilterWireForm form = FilterWireForm.Triples)
    {
        var list = new List<KeyValuePair<string, string>>();
        Encode(filter).AppendTo(list, form);
        return list;
    }

    private static FilterTriple Triple(FilterCondition c) => new(c.FieldName, c.Operator.ToWire(), c.Criteria);

    private static void Write(WorkbooksFilter filter, List<FilterTriple> triples, StringBuilder expression, bool nested)
    {
        switch (filter)
        {
            case FilterCondition c:
                triples.Add(Triple(c));
                expression.Append(triples.Count);
                break;
            case FilterNot negation:
                expression.Append("NOT ");
                Write(negation.Operand, triples, expression, nested: true);
                break;
            case FilterAnd conjunction:
                WriteList(conjunction.Operands, " AND ", triples, expression, nested);
                break;
            case FilterOr disjunction:
                WriteList(disjunction.Operands, " OR ", triples, expression, nested);
                break;
            default:
                throw new ArgumentException($"Unknown filter node {filter.GetType().Name}.", nameof(filter));
        }
    }

    private static void WriteList(IReadOnlyList<WorkbooksFilter> operands, string separator, List<FilterTriple> triples, StringBuilder expression, bool nested)
    {
        if (nested) expression.Append('(');
        for (var i = 0; i < operands.Count; i++)
        {
            if (i > 0) expression.Append(separator);
            Write(operands[i], triples, expression, nested: true);
        }
        if (nested) expression.Append(')');
    }
}
