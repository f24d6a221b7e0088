using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Workbooks.Generator.Analyzers;

/// <summary>
/// The wording of the filter-usage diagnostics: what kind of field it is, which operators it has (read from the
/// runtime type, so the list cannot drift from the runtime) and, for well-known mistakes, what to write instead.
/// </summary>
internal static class FilterOperatorAdvice
{
    private enum Family
    {
        Text,
        Number,
        Currency,
        Boolean,
        Date,
        DateTime,
        Time,
        Other,
    }

    private const string ClientSide = "Use one of those, or read the records and filter them on the client after AsAsyncEnumerable()";

    // The C# operators in the order a reader expects them, by metadata name.
    private static readonly (string MetadataName, string Text)[] s_operators =
    [
        ("op_Equality", "=="),
        ("op_Inequality", "!="),
        ("op_LessThan", "<"),
        ("op_LessThanOrEqual", "<="),
        ("op_GreaterThan", ">"),
        ("op_GreaterThanOrEqual", ">="),
    ];

    private static readonly HashSet<string> s_textMatching = new(StringComparer.Ordinal)
    {
        "StartsWith", "DoesNotStartWith", "Contains", "DoesNotContain", "EndsWith", "DoesNotEndWith",
    };

    private static readonly HashSet<string> s_textTransforms = new(StringComparer.Ordinal)
    {
        "ToLower", "ToUpper", "ToLowerInvariant", "ToUpperInvariant", "Trim", "TrimStart", "TrimEnd", "Normalize", "Substring",
    };

    private static readonly HashSet<string> s_valueParts = new(StringComparer.Ordinal)
    {
        "Year", "Month", "Day", "DayOfWeek", "DayOfYear", "Hour", "Minute", "Second", "Millisecond", "TimeOfDay", "Ticks",
    };

    /// <summary>
    /// The arguments of WBG0201: the member, the field (<c>the text field 'PersonLastName'</c>), what it holds
    /// (<c>text</c>), its operators and the advice.
    /// </summary>
    public static object[] Arguments(string member, INamedTypeSymbol field, string? fieldName, string receiverText, FilterUsageAnalyzer.KnownTypes types)
    {
        var (family, singular, plural) = Describe(field);
        var subject = fieldName is null ? "a " + singular : "the " + singular + " '" + fieldName + "'";
        return [member, subject, plural, Operators(field, types.Filter), Advice(member, family, singular, receiverText)];
    }

    /// <summary>
    /// Why a property of the record class has no member on the filter shape, from the generated property's doc
    /// (<c>Title (&lt;c&gt;wire_name&lt;/c&gt;, datatype).</c>, see the parser's FieldDoc): the schema's
    /// <c>is_filterable</c>, a datatype without filter operators, or a group of related attributes none of which is
    /// filterable. Falls back to a plain statement when the doc cannot be read.
    /// </summary>
    public static string WhyNotFilterable(IPropertySymbol property, string shapeName, bool isGroup, CancellationToken cancellationToken)
    {
        var (wire, datatype) = ReadFieldDoc(Documentation(property, cancellationToken));
        if (isGroup)
            return wire is null ? "none of its related attributes can be filtered" : "none of the related attributes '" + wire + "' can be filtered";
        if (wire is null || datatype is null)
            return "the filter shape " + shapeName + " has no member for it";
        if (datatype == "no datatype")
            return "the field '" + wire + "' has no datatype, so it has no filter operators";
        if (WorkbooksGenerator.Parser.s_datatypes.TryGetValue(datatype, out var kind) && WorkbooksGenerator.Emitter.FilterType(kind) is not null)
            return "the schema marks the field '" + wire + "' as not filterable";
        return "the field '" + wire + "' has the datatype '" + datatype + "', for which the Workbooks API documents no filter operators";
    }

    private static (Family Family, string Singular, string Plural) Describe(INamedTypeSymbol field) => field.OriginalDefinition.MetadataName switch
    {
        "StringField" => (Family.Text, "text field", "text"),
        "NumberField`1" => (Family.Number, "number field", "numbers"),
        "CurrencyField" => (Family.Currency, "currency field", "amounts"),
        "BooleanField" => (Family.Boolean, "boolean field", "booleans"),
        "DateField" => (Family.Date, "date field", "dates"),
        "DateTimeField" => (Family.DateTime, "date-time field", "date-times"),
        "TimeField" => (Family.Time, "time field", "times of day"),
        _ => (Family.Other, "filter field", "such a field"),
    };

    /// <summary>
    /// <c>==, !=, StartsWith, …, IsBlank and IsNotBlank</c>: the public operators of the field type and its bases
    /// (C# operators first, then methods returning a filter in declaration order).
    /// </summary>
    internal static string Operators(INamedTypeSymbol field, INamedTypeSymbol filter)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var type = field; type is not null && type.SpecialType != SpecialType.System_Object; type = type.BaseType)
            chain.Add(type);

        var names = new List<string>();
        foreach (var (metadataName, text) in s_operators)
        {
            if (chain.Any(type => type.GetMembers(metadataName).Any(static m => m is IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator, DeclaredAccessibility: Accessibility.Public })))
                names.Add(text);
        }
        foreach (var type in chain)
        {
            foreach (var member in type.GetMembers())
            {
                if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: false, DeclaredAccessibility: Accessibility.Public } method
                    && SymbolEqualityComparer.Default.Equals(method.ReturnType, filter)
                    && !names.Contains(method.Name))
                {
                    names.Add(method.Name);
                }
            }
        }
        return names.Count switch
        {
            0 => "no operators",
            1 => names[0],
            _ => string.Join(", ", names.Take(names.Count - 1)) + " and " + names[names.Count - 1],
        };
    }

    /// <summary>One sentence without its final period (the message format adds it, RS1032).</summary>
    private static string Advice(string member, Family family, string singular, string receiverText)
    {
        if (family == Family.Text)
        {
            return member switch
            {
                "EndsWith" or "DoesNotEndWith" => "To match an ending, filter with Contains on the service and finish with AsAsyncEnumerable() on the client",
                "Equals" or "CompareTo" => "Compare with == (the service's eq), which takes no StringComparison; the Workbooks API guide does not say whether eq ignores case",
                "Length" => "Test for text with IsNotBlank(), or check the length on the client after AsAsyncEnumerable()",
                "HasValue" or "Value" => "Test for a value with IsNotBlank() or IsBlank() (== null also tests blank)",
                _ when s_textTransforms.Contains(member) =>
                    "A filter compares the value stored on the service and cannot transform it first: compare with ==, StartsWith or Contains directly (the Workbooks API guide does not say whether they ignore case)",
                _ => ClientSide,
            };
        }

        // Not a text field. Long or multi-line receivers are not quoted back.
        var field = receiverText.Length <= 60 && receiverText.IndexOf('\n') < 0 ? receiverText : "field";
        return member switch
        {
            _ when s_textMatching.Contains(member) => member + " matches text, which a " + singular + " does not hold: compare its value with those operators instead",
            "Equals" or "CompareTo" => "Compare with == instead",
            "ToString" => "A filter cannot turn the field into text: compare its value with those operators instead",
            "HasValue" => "Test for a value with IsNotBlank() or IsBlank()",
            "Value" when family == Family.Boolean => "Test the field itself: IsTrue(), IsFalse() or == true",
            "Value" => "Compare the field itself with those operators; it has no Value",
            "In" => "Combine conditions with || instead (In lists values of text and number fields)",
            "Between" => "Write the range as two conditions: " + field + " >= low && " + field + " <= high",
            "IsTrue" or "IsFalse" => "IsTrue and IsFalse test boolean fields",
            "Date" when family == Family.DateTime => "Match a day with " + field + ".On(day)",
            _ when s_valueParts.Contains(member) && family is Family.Date or Family.DateTime or Family.Time =>
                "A filter cannot compare part of a value: write a range, e.g. " + field + " >= start && " + field + " < end",
            _ when family == Family.Time && member.EndsWith("Today", StringComparison.Ordinal) => "A time field holds no date: compare it with a TimeOnly",
            _ => ClientSide,
        };
    }

    /// <summary>The doc comment as XML when the compiler parsed it, else the comment text above the declaration.</summary>
    private static string Documentation(IPropertySymbol property, CancellationToken cancellationToken)
    {
        // A build without GenerateDocumentationFile does not parse doc comments (DocumentationMode.None): the XML is
        // empty, but the generated declaration still carries the comment as trivia.
        var xml = property.GetDocumentationCommentXml(cancellationToken: cancellationToken);
        if (!string.IsNullOrEmpty(xml))
            return xml!;
        foreach (var reference in property.DeclaringSyntaxReferences)
            return reference.GetSyntax(cancellationToken).GetLeadingTrivia().ToFullString();
        return "";
    }

    /// <summary>
    /// From <c>Biography (&lt;c&gt;biography&lt;/c&gt;, text).</c>: (<c>biography</c>, <c>text</c>); the datatype is
    /// null for a group's doc (<c>Related attributes &lt;c&gt;queue_entry[…]&lt;/c&gt;.</c>).
    /// </summary>
    private static (string? Wire, string? Datatype) ReadFieldDoc(string doc)
    {
        // The title before the first <c> is XML-escaped, so the first <c> is the wire name.
        var start = doc.IndexOf("<c>", StringComparison.Ordinal);
        var end = start < 0 ? -1 : doc.IndexOf("</c>", start, StringComparison.Ordinal);
        if (end < 0)
            return (null, null);
        var wire = Unescape(doc.Substring(start + 3, end - start - 3));
        var rest = end + 4;
        if (string.CompareOrdinal(doc, rest, ", ", 0, 2) != 0)
            return (wire, null);
        var stop = doc.IndexOfAny([',', ')', '<', '\n'], rest + 2);
        return (wire, stop < 0 ? null : Unescape(doc.Substring(rest + 2, stop - rest - 2)));
    }

    private static string Unescape(string text) =>
        text.Replace("&lt;", "<").Replace("&gt;", ">").Replace("&quot;", "\"").Replace("&apos;", "'").Replace("&amp;", "&");
}
