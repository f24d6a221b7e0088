using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Workbooks.Generator.Helpers;

namespace Workbooks.Generator.Diagnostics;

/// <summary>
/// A diagnostic as equatable data (a <see cref="Location"/> holds on to trees and is not comparable by value):
/// the descriptor, the message arguments and where in the schema file it points.
/// </summary>
internal sealed record DiagnosticInfo(
    DiagnosticDescriptor Descriptor,
    EquatableArray<string> Arguments,
    string FilePath,
    TextSpan Span,
    LinePositionSpan LineSpan)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, string filePath, TextSpan span, LinePositionSpan lineSpan, params string[] arguments) =>
        new(descriptor, arguments.ToEquatableArray(), filePath, span, lineSpan);

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location.Create(FilePath, Span, LineSpan), Arguments.Select(a => (object?)a).ToArray());

    public bool Equals(DiagnosticInfo? other) =>
        other is not null
        && ReferenceEquals(Descriptor, other.Descriptor)
        && Arguments == other.Arguments
        && string.Equals(FilePath, other.FilePath, StringComparison.Ordinal)
        && Span == other.Span
        && LineSpan == other.LineSpan;

    public override int GetHashCode() => unchecked((Descriptor.Id.GetHashCode() * 31) + Span.GetHashCode());
}
