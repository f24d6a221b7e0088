using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Workbooks.Generator.Helpers;

/// <summary>Schema names to C# identifiers, and XML-doc text escaping.</summary>
internal static class Naming
{
    /// <summary>
    /// PascalCase over the alphanumeric runs of <paramref name="name"/>: <c>person_first_name</c> →
    /// <c>PersonFirstName</c>, <c>Quotation Line Items</c> → <c>QuotationLineItems</c>. Letters inside a run keep
    /// their case (<c>API Data</c> → <c>APIData</c>). The result is a valid identifier (see <see cref="ToIdentifier"/>).
    /// </summary>
    public static string ToPascalCase(string name)
    {
        var builder = new StringBuilder(name.Length);
        var startOfWord = true;
        foreach (var c in name)
        {
            if (!char.IsLetterOrDigit(c))
            {
                startOfWord = true;
                continue;
            }
            builder.Append(startOfWord ? char.ToUpperInvariant(c) : c);
            startOfWord = false;
        }
        return ToIdentifier(builder.ToString());
    }

    /// <summary>
    /// Makes <paramref name="text"/> a valid C# identifier: characters that cannot appear in one are removed, an
    /// empty result becomes <c>_</c>, a leading digit gets a <c>_</c> prefix, and a keyword gets an <c>@</c> prefix.
    /// </summary>
    public static string ToIdentifier(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (SyntaxFacts.IsIdentifierPartCharacter(c))
                builder.Append(c);
        }
        if (builder.Length == 0)
            return "_";
        if (!SyntaxFacts.IsIdentifierStartCharacter(builder[0]))
            builder.Insert(0, '_');
        var identifier = builder.ToString();
        return SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None ? "@" + identifier : identifier;
    }

    /// <summary>A dotted namespace made of valid identifiers (empty segments dropped).</summary>
    public static string ToNamespace(string text)
    {
        var segments = new List<string>();
        foreach (var segment in text.Split('.'))
        {
            if (segment.Trim().Length > 0)
                segments.Add(ToIdentifier(segment.Trim()));
        }
        return string.Join(".", segments);
    }

    /// <summary>Text safe inside an XML doc comment (one line).</summary>
    public static string EscapeXml(string text) => text
        .Replace("&", "&amp;")
        .Replace("<", "&lt;")
        .Replace(">", "&gt;")
        .Replace("\r", " ")
        .Replace("\n", " ");

    /// <summary>A C# string literal.</summary>
    public static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);
}

/// <summary>
/// The member names taken in one generated class. <see cref="Claim"/> gives a wanted name or, when it is taken, the
/// first free <c>name2</c>, <c>name3</c>… — deterministic because callers claim in ordinal order of the wire names.
/// </summary>
internal sealed class NameScope
{
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public NameScope(IEnumerable<string> reserved)
    {
        foreach (var name in reserved)
            _taken.Add(name);
    }

    public bool IsTaken(string name) => _taken.Contains(name);

    /// <summary>Claims <paramref name="wanted"/> or a numbered variant; returns the name given.</summary>
    public string Claim(string wanted)
    {
        if (_taken.Add(wanted))
            return wanted;
        for (var i = 2; ; i++)
        {
            var candidate = wanted + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (_taken.Add(candidate))
                return candidate;
        }
    }
}
