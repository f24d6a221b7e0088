using System.Globalization;
using System.Text;
using System.Text.Json;
using Workbooks.Emulator.Http;
using Workbooks.Emulator.Schema;
using Workbooks.Emulator.Storage;

namespace Workbooks.Emulator.Query;

/// <summary>A client error the service reports with a status (406 for unsuitable parameters) and a message; never a 500.</summary>
internal class RequestRejectedException(int status, string message, string? parameter = null) : Exception(message)
{
    public int Status { get; } = status;
    public string? Parameter { get; } = parameter;
}

/// <summary>
/// The schema changed between the moment a request chose its record type and the moment it reached the records
/// (<see cref="EmulatorDatabase.Store(RecordTypeDef)"/>). Nothing was read or changed: the service serves the request
/// again with the new schema, and answers 503 only if the schema keeps changing under it.
/// </summary>
internal sealed class SchemaChangedException(string humanNamePlural)
    : RequestRejectedException(503, $"The schema changed while this request was being processed ({humanNamePlural}); nothing was changed: send it again.");

internal sealed record FilterTerm(string Field, string Op, string Criteria);

/// <summary>A compiled filter: the predicate plus whether it mentions <c>is_deleted</c> (which makes deleted rows visible).</summary>
internal sealed record CompiledFilter(Func<Record, bool> Predicate, bool MentionsIsDeleted, long? IdFloor)
{
    public static readonly CompiledFilter All = new(_ => true, false, null);
}

/// <summary>
/// Turns <c>_ff[]/_ft[]/_fc[]</c>, <c>_filter_json</c> and <c>_fm</c> into a predicate, validating every operator
/// against the field's datatype the way the guide's "Filtering Types" table lists them.
/// </summary>
internal static class FilterCompiler
{
    public static List<FilterTerm> ReadTerms(RequestParameters p)
    {
        var fields = p.GetArray("_ff");
        var types = p.GetArray("_ft");
        var criteria = p.GetArray("_fc");
        if (fields.Count != types.Count || (criteria.Count != fields.Count && criteria.Count != 0))
        {
            // Value-less operators may be sent without _fc[]; anything else out of step is a malformed filter.
            if (!(criteria.Count < fields.Count && fields.Count == types.Count))
                throw new RequestRejectedException(406, $"The filter arrays are not the same length: {fields.Count} _ff[], {types.Count} _ft[], {criteria.Count} _fc[].", "_ff");
        }
        var terms = new List<FilterTerm>(fields.Count);
        for (var i = 0; i < fields.Count; i++)
            terms.Add(new FilterTerm(fields[i], types[i], i < criteria.Count ? criteria[i] : ""));

        if (p.Get("_filter_json") is { Length: > 0 } json)
        {
            try
            {
                using var doc = JsonDocument.Parse(SingleQuotedStrings(json));
                if (doc.RootElement.ValueKind != JsonValueKind.Array)
                    throw new RequestRejectedException(406, "_filter_json must be a JSON array of [field, type, criteria] arrays.", "_filter_json");
                foreach (var triple in doc.RootElement.EnumerateArray())
                {
                    if (triple.ValueKind != JsonValueKind.Array || triple.GetArrayLength() is < 2 or > 3)
                        throw new RequestRejectedException(406, "Each _filter_json filter is an array of field, filter type and criteria.", "_filter_json");
                    var items = triple.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToArray();
                    terms.Add(new FilterTerm(items[0], items[1], items.Length > 2 ? items[2] : ""));
                }
            }
            catch (JsonException e)
            {
                throw new RequestRejectedException(406, $"_filter_json is not valid JSON: {e.Message}", "_filter_json");
            }
        }
        return terms;
    }

    /// <summary>
    /// <c>_filter_json</c> as JSON, its single-quoted strings (<c>[['id', 'eq', '42']]</c>, as the vendor's PHP upload
    /// example writes it, and the service reads it) turned into JSON strings; text that has none is returned as it is.
    /// </summary>
    internal static string SingleQuotedStrings(string text)
    {
        if (!text.Contains('\''))
            return text;
        var json = new System.Text.StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                // A JSON string: copied as it is, escapes included.
                var end = i + 1;
                while (end < text.Length && text[end] != '"')
                    end += text[end] == '\\' ? 2 : 1;
                json.Append(text, i, Math.Min(end + 1, text.Length) - i);
                i = end;
            }
            else if (c == '\'')
            {
                json.Append('"');
                for (i++; i < text.Length && text[i] != '\''; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] == '\'')
                        json.Append(text[++i]);
                    else if (text[i] is '"' or '\\')
                        json.Append('\\').Append(text[i]);
                    else
                        json.Append(text[i]);
                }
                json.Append('"');
            }
            else
            {
                json.Append(c);
            }
        }
        return json.ToString();
    }

    public static CompiledFilter Compile(RecordTypeDef type, IReadOnlyList<FilterTerm> terms, string? mode, EmulatorDatabase database, DateTime now)
    {
        if (terms.Count == 0)
            return CompiledFilter.All;
        var predicates = new Func<Record, bool>[terms.Count];
        var mentionsDeleted = false;
        for (var i = 0; i < terms.Count; i++)
        {
            var term = terms[i];
            var column = ColumnResolver.Resolve(type, term.Field, database.Schema)
                ?? throw new RequestRejectedException(406, $"{type.HumanNamePlural} cannot be filtered on '{term.Field}': there is no such field.", "_ff");
            if (column.Field is { IsFilterable: false } f && f.Name != "id")
                throw new RequestRejectedException(406, $"The field '{term.Field}' of {type.HumanNamePlural} is not filterable.", "_ff");
            if (term.Field == "is_deleted")
                mentionsDeleted = true;
            predicates[i] = Term(column, term, database, now);
        }

        var trimmed = mode?.Trim();
        long? idFloor = null;
        Func<Record, bool> predicate;
        if (string.IsNullOrEmpty(trimmed) || trimmed.Equals("and", StringComparison.OrdinalIgnoreCase))
        {
            predicate = r =>
            {
                foreach (var p in predicates)
                    if (!p(r)) return false;
                return true;
            };
            idFloor = IdFloor(terms);
        }
        else if (trimmed.Equals("or", StringComparison.OrdinalIgnoreCase))
        {
            predicate = r =>
            {
                foreach (var p in predicates)
                    if (p(r)) return true;
                return false;
            };
        }
        else
        {
            predicate = new BooleanExpressionParser(trimmed, predicates).Parse();
        }
        return new CompiledFilter(predicate, mentionsDeleted, idFloor);
    }

    /// <summary>An AND-ed <c>id gt N</c> lets the index start scanning after N (keyset paging stays fast).</summary>
    private static long? IdFloor(IReadOnlyList<FilterTerm> terms)
    {
        long? floor = null;
        foreach (var t in terms)
        {
            if (t.Field != "id" || !long.TryParse(t.Criteria, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                continue;
            var candidate = t.Op switch { "gt" => n, "ge" => n - 1, _ => (long?)null };
            if (candidate is { } c && (floor is null || c > floor))
                floor = c;
        }
        return floor;
    }

    private static Func<Record, bool> Term(Column column, FilterTerm term, EmulatorDatabase db, DateTime now)
    {
        var kind = column.Kind;
        var op = term.Op.Trim().ToLowerInvariant();
        var criteria = term.Criteria;
        Func<Record, object?> get = r => column.Get(r, db);
        var today = DateOnly.FromDateTime(now);

        bool Supported(params ValueKind[] kinds) => kinds.Contains(kind);
        RequestRejectedException Invalid() =>
            new(406, $"The filter type '{term.Op}' cannot be used with the field '{term.Field}' ({DatatypeName(column)}).", "_ft");

        switch (op)
        {
            case "blank":
                return r => get(r) is null or "";
            case "not_blank":
                return r => get(r) is not (null or "");
            case "true" when kind == ValueKind.Boolean:
                return r => get(r) is true;
            case "false" when kind == ValueKind.Boolean:
                return r => get(r) is not true;
            case "true" or "false":
                throw Invalid();
            case "today" or "ge_today" or "gt_today" or "le_today" or "lt_today":
                if (!Supported(ValueKind.Date, ValueKind.DateTime, ValueKind.Relative)) throw Invalid();
                return r =>
                {
                    var d = AsDate(get(r));
                    if (d is null) return false;
                    return op switch
                    {
                        "today" => d == today,
                        "ge_today" => d >= today,
                        "gt_today" => d > today,
                        "le_today" => d <= today,
                        _ => d < today,
                    };
                };
            case "bg" or "nbg" or "ct" or "nct":
            {
                if (kind != ValueKind.Text) throw Invalid();
                var needle = Unescape(criteria);
                return op switch
                {
                    "bg" => r => get(r) is string s && s.StartsWith(needle, StringComparison.OrdinalIgnoreCase),
                    "nbg" => r => !(get(r) is string s && s.StartsWith(needle, StringComparison.OrdinalIgnoreCase)),
                    "ct" => r => get(r) is string s && s.Contains(needle, StringComparison.OrdinalIgnoreCase),
                    _ => r => !(get(r) is string s && s.Contains(needle, StringComparison.OrdinalIgnoreCase)),
                };
            }
            case "eq" or "ne" or "xeq":
            {
                var values = SplitList(criteria).Select(v => ParseCriterion(column, term, v)).ToArray();
                Func<Record, bool> matches = kind switch
                {
                    ValueKind.DateTime or ValueKind.Relative => r => values.Any(v => SameMoment(get(r), v)),
                    _ => r => values.Any(v => Compare(get(r), v) == 0),
                };
                return op == "ne" ? r => !matches(r) : matches;
            }
            case "gt" or "ge" or "lt" or "le":
            {
                if (kind == ValueKind.Boolean) throw Invalid();
                var bound = ParseCriterion(column, term, Unescape(criteria));
                // A plain date against a datetime means that whole day.
                if (bound is DayBound day)
                {
                    return op switch
                    {
                        "gt" => r => get(r) is DateTime t && t >= day.End,
                        "ge" => r => get(r) is DateTime t && t >= day.Start,
                        "lt" => r => get(r) is DateTime t && t < day.Start,
                        _ => r => get(r) is DateTime t && t < day.End,
                    };
                }
                return op switch
                {
                    "gt" => r => get(r) is { } v && Compare(v, bound) > 0,
                    "ge" => r => get(r) is { } v && Compare(v, bound) >= 0,
                    "lt" => r => get(r) is { } v && Compare(v, bound) < 0,
                    _ => r => get(r) is { } v && Compare(v, bound) <= 0,
                };
            }
            case "between" or "not_between":
            {
                var inner = criteria.Trim();
                if (inner.StartsWith("JSON(", StringComparison.OrdinalIgnoreCase) && inner.EndsWith(')')) inner = inner[5..^1];
                inner = inner.Trim().TrimStart('[').TrimEnd(']');
                var parts = inner.Split(',').Select(s => s.Trim().Trim('"', '\'')).ToArray();
                if (parts.Length != 2) throw new RequestRejectedException(406, $"'{term.Op}' needs two values, e.g. JSON([2023-12-01,2023-12-31]).", "_fc");
                var lo = ParseCriterion(column, term, parts[0]);
                var hi = ParseCriterion(column, term, parts[1]);
                var loStart = lo is DayBound l ? (object)l.Start : lo;
                var hiEnd = hi is DayBound h ? (object)h.End : hi;
                Func<Record, bool> inside = hi is DayBound
                    ? r => get(r) is { } v && Compare(v, loStart) >= 0 && Compare(v, hiEnd) < 0
                    : r => get(r) is { } v && Compare(v, loStart) >= 0 && Compare(v, hiEnd) <= 0;
                return op == "between" ? inside : r => !inside(r);
            }
            default:
                throw new RequestRejectedException(406, $"'{term.Op}' is not a filter type.", "_ft");
        }
    }

    private sealed record DayBound(DateTime Start, DateTime End);

    private static object? ParseCriterion(Column column, FilterTerm term, string text)
    {
        switch (column.Kind)
        {
            case ValueKind.Text:
                return text;
            case ValueKind.Boolean:
                return WireValues.ParseBoolean(text);
            case ValueKind.DateTime or ValueKind.Relative:
                if (WireValues.TryParseDateTime(text, out var dt, out var hadTime))
                    return hadTime ? dt : new DayBound(dt.Date, dt.Date.AddDays(1));
                break;
            case ValueKind.Currency:
                if (WireValues.TryParseCurrency(text, out var c)) return c.Amount;
                break;
            default:
                if (WireValues.TryParse(column.Kind, text, out var value, out _) && value is not null) return value;
                break;
        }
        throw new RequestRejectedException(406, $"'{text}' is not a valid {DatatypeName(column)} to filter '{term.Field}' with.", "_fc");
    }

    private static string DatatypeName(Column column) => column.Field?.Datatype ?? column.Kind.ToString().ToLowerInvariant();

    private static bool SameMoment(object? value, object? criterion) => (value, criterion) switch
    {
        (DateTime v, DayBound d) => v >= d.Start && v < d.End,
        (DateTime v, DateTime c) => v == c,
        _ => false,
    };

    private static DateOnly? AsDate(object? value) => value switch
    {
        DateOnly d => d,
        DateTime t => DateOnly.FromDateTime(t),
        _ => null,
    };

    /// <summary>Orders two stored values of the same column (nulls first, text case-insensitively).</summary>
    public static int Compare(object? a, object? b)
    {
        if (a is null) return b is null ? 0 : -1;
        if (b is null) return 1;
        return (a, b) switch
        {
            (string x, string y) => string.Compare(x, y, StringComparison.OrdinalIgnoreCase),
            (long x, long y) => x.CompareTo(y),
            (double x, double y) => x.CompareTo(y),
            (decimal x, decimal y) => x.CompareTo(y),
            (bool x, bool y) => x.CompareTo(y),
            (DateOnly x, DateOnly y) => x.CompareTo(y),
            (DateTime x, DateTime y) => x.CompareTo(y),
            (TimeOnly x, TimeOnly y) => x.CompareTo(y),
            (CurrencyValue x, CurrencyValue y) => x.Amount.CompareTo(y.Amount),
            (CurrencyValue x, decimal y) => x.Amount.CompareTo(y),
            (long x, double y) => ((double)x).CompareTo(y),
            (double x, long y) => x.CompareTo(y),
            (long x, decimal y) => ((decimal)x).CompareTo(y),
            (decimal x, long y) => x.CompareTo(y),
            _ => string.Compare(Convert.ToString(a, CultureInfo.InvariantCulture), Convert.ToString(b, CultureInfo.InvariantCulture), StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <summary>Splits an eq criteria list at unescaped commas ("a\,b" is one value "a,b").</summary>
    public static List<string> SplitList(string criteria)
    {
        var result = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < criteria.Length; i++)
        {
            var c = criteria[i];
            if (c == '\\' && i + 1 < criteria.Length && criteria[i + 1] == ',')
            {
                current.Append(',');
                i++;
            }
            else if (c == ',')
            {
                result.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }
        result.Add(current.ToString());
        return result;
    }

    private static string Unescape(string criteria) => criteria.Replace("\\,", ",", StringComparison.Ordinal);

    /// <summary>
    /// The <c>_fm</c> boolean expression: numbers (1-based filter indexes), NOT/!, AND, XOR, OR and parentheses.
    /// Precedence NOT &gt; AND &gt; XOR &gt; OR, left to right.
    /// </summary>
    private sealed class BooleanExpressionParser(string text, Func<Record, bool>[] terms)
    {
        private readonly List<string> _tokens = Tokenise(text);
        private int _position;

        public Func<Record, bool> Parse()
        {
            if (_tokens.Count == 0)
                throw Error("it is empty");
            var result = ParseOr();
            if (_position != _tokens.Count)
                throw Error($"unexpected '{_tokens[_position]}'");
            return result;
        }

        private Func<Record, bool> ParseOr()
        {
            var left = ParseXor();
            while (Accept("OR"))
            {
                var l = left;
                var right = ParseXor();
                left = r => l(r) || right(r);
            }
            return left;
        }

        private Func<Record, bool> ParseXor()
        {
            var left = ParseAnd();
            while (Accept("XOR"))
            {
                var l = left;
                var right = ParseAnd();
                left = r => l(r) ^ right(r);
            }
            return left;
        }

        private Func<Record, bool> ParseAnd()
        {
            var left = ParseUnary();
            while (Accept("AND"))
            {
                var l = left;
                var right = ParseUnary();
                left = r => l(r) && right(r);
            }
            return left;
        }

        private Func<Record, bool> ParseUnary()
        {
            if (Accept("NOT") || Accept("!"))
            {
                var inner = ParseUnary();
                return r => !inner(r);
            }
            if (Accept("("))
            {
                var inner = ParseOr();
                if (!Accept(")"))
                    throw Error("a parenthesis is not closed");
                return inner;
            }
            if (_position >= _tokens.Count)
                throw Error("it ends too early");
            var token = _tokens[_position++];
            if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                throw Error($"unexpected '{token}'");
            if (n < 1 || n > terms.Length)
                throw Error($"filter {n} does not exist (there are {terms.Length})");
            return terms[n - 1];
        }

        private bool Accept(string token)
        {
            if (_position < _tokens.Count && string.Equals(_tokens[_position], token, StringComparison.OrdinalIgnoreCase))
            {
                _position++;
                return true;
            }
            return false;
        }

        private RequestRejectedException Error(string why) =>
            new(406, $"The filter expression _fm='{text}' is not valid: {why}.", "_fm");

        private static List<string> Tokenise(string text)
        {
            var tokens = new List<string>();
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c)) { i++; continue; }
                if (c is '(' or ')' or '!') { tokens.Add(c.ToString()); i++; continue; }
                if (c == '&' && i + 1 < text.Length && text[i + 1] == '&') { tokens.Add("AND"); i += 2; continue; }
                if (c == '|' && i + 1 < text.Length && text[i + 1] == '|') { tokens.Add("OR"); i += 2; continue; }
                var start = i;
                while (i < text.Length && char.IsAsciiLetterOrDigit(text[i])) i++;
                if (i == start)
                {
                    tokens.Add(c.ToString());
                    i++;
                    continue;
                }
                tokens.Add(text[start..i]);
            }
            return tokens;
        }
    }
}
