using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Workbooks.Generator.Diagnostics;

namespace Workbooks.Generator.Analyzers;

/// <summary>
/// Says what to write instead when a query lambda uses a member that a filter field or a generated filter shape does
/// not have. The compiler's CS1061 (<c>'StringField' does not contain a definition for 'EndsWith'</c>) is right but
/// says nothing about what the Workbooks service can filter; next to it this reports:
/// <list type="bullet">
/// <item>WBG0201 on a runtime filter field (<c>p.PersonLastName.EndsWith("son")</c>): the field's operators and, for
/// well-known mistakes, the form that works.</item>
/// <item>WBG0202 on a generated filter shape whose record class has the property (<c>p.Biography</c>): why the field
/// has no filter member.</item>
/// </list>
/// </summary>
/// <remarks>
/// Only failed lookups are reported (no symbol, and no candidate other than an extension method that does not apply,
/// which is how CS1929 looks), plus one compiling mistake: <c>Equals</c> on a filter field with a value, which compares
/// the field object with the value and is always false.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FilterUsageAnalyzer : DiagnosticAnalyzer
{
    private const string ToolName = "Workbooks.Generator";
    private const string FieldsSuffix = "Fields";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.NotAFilterOperator, DiagnosticDescriptors.FieldNotFilterable);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            // Without the runtime there are no filter fields and no filter shapes: nothing to watch.
            var compilation = start.Compilation;
            if (compilation.GetTypeByMetadataName("Workbooks.Filters.WorkbooksField") is not { } fieldBase
                || compilation.GetTypeByMetadataName("Workbooks.Filters.IWorkbooksField") is not { } fieldInterface
                || compilation.GetTypeByMetadataName("Workbooks.Filters.WorkbooksFilter") is not { } filter)
            {
                return;
            }
            var types = new KnownTypes(fieldBase, fieldInterface, filter, compilation.GetTypeByMetadataName("System.CodeDom.Compiler.GeneratedCodeAttribute"));
            start.RegisterSyntaxNodeAction(context => Analyze(context, types), SyntaxKind.SimpleMemberAccessExpression);
        });
    }

    private static void Analyze(SyntaxNodeAnalysisContext context, KnownTypes types)
    {
        var access = (MemberAccessExpressionSyntax)context.Node;
        var model = context.SemanticModel;
        var cancellationToken = context.CancellationToken;
        var member = access.Name.Identifier.ValueText;

        if (member == "Equals")
        {
            AnalyzeEquals(context, access, types);
            return;
        }

        // Cheapest test first: almost every member access binds.
        var info = model.GetSymbolInfo(access, cancellationToken);
        if (info.Symbol is not null || info.CandidateSymbols.Any(static c => !IsExtensionMethod(c)))
            return;
        if (model.GetTypeInfo(access.Expression, cancellationToken).Type is not INamedTypeSymbol { TypeKind: not TypeKind.Error } receiver)
            return;

        if (IsInFiltersNamespace(receiver) && IsFilterField(receiver, types))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.NotAFilterOperator,
                access.Name.GetLocation(),
                FilterOperatorAdvice.Arguments(member, receiver, FieldName(access.Expression), access.Expression.ToString(), types)));
            return;
        }

        if (receiver.Name.Length > FieldsSuffix.Length
            && receiver.Name.EndsWith(FieldsSuffix, System.StringComparison.Ordinal)
            && receiver.ContainingType is null
            && IsGenerated(receiver, types)
            && RecordSide(receiver, types) is { } record
            && record.GetMembers(member).OfType<IPropertySymbol>().FirstOrDefault(static p => !p.IsStatic) is { } property)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.FieldNotFilterable,
                access.Name.GetLocation(),
                member,
                FilterOperatorAdvice.WhyNotFilterable(property, receiver.Name, IsGenerated(property.Type, types), cancellationToken),
                record.Name));
        }
    }

    /// <summary>
    /// <c>p.Name.Equals("x")</c> compiles (object.Equals) and is always false; <c>Equals("x", StringComparison…)</c>
    /// fails overload resolution with a candidate, so the lookup test above would not see it. Both are reported;
    /// comparing two fields (<c>a.Equals(b)</c>) or with an <c>object</c> is left alone.
    /// </summary>
    private static void AnalyzeEquals(SyntaxNodeAnalysisContext context, MemberAccessExpressionSyntax access, KnownTypes types)
    {
        if (access.Parent is not InvocationExpressionSyntax invocation || invocation.Expression != access || invocation.ArgumentList.Arguments.Count == 0)
            return;
        var arguments = invocation.ArgumentList.Arguments;
        var model = context.SemanticModel;
        var cancellationToken = context.CancellationToken;
        if (model.GetTypeInfo(access.Expression, cancellationToken).Type is not INamedTypeSymbol receiver
            || !IsInFiltersNamespace(receiver)
            || !IsFilterField(receiver, types)
            || model.GetSymbolInfo(access.Expression, cancellationToken).Symbol is ITypeSymbol)
        {
            return;
        }
        if (arguments.Count == 1)
        {
            var argument = model.GetTypeInfo(arguments[0].Expression, cancellationToken).Type;
            if (argument is null
                || argument.SpecialType == SpecialType.System_Object
                || argument.TypeKind is TypeKind.Error or TypeKind.Dynamic
                || argument.AllInterfaces.Contains(types.FieldInterface, SymbolEqualityComparer.Default)
                || SymbolEqualityComparer.Default.Equals(argument, types.FieldInterface))
            {
                return;
            }
        }
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.NotAFilterOperator,
            access.Name.GetLocation(),
            FilterOperatorAdvice.Arguments("Equals", receiver, FieldName(access.Expression), access.Expression.ToString(), types)));
    }

    private static bool IsExtensionMethod(ISymbol symbol) => symbol is IMethodSymbol { IsExtensionMethod: true };

    private static bool IsInFiltersNamespace(ITypeSymbol type) =>
        type.ContainingNamespace is { Name: "Filters" } ns
        && ns.ContainingNamespace is { Name: "Workbooks" } root
        && root.ContainingNamespace is { IsGlobalNamespace: true };

    internal static bool IsFilterField(ITypeSymbol type, KnownTypes types)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, types.FieldBase))
                return true;
        }
        return false;
    }

    private static bool IsGenerated(ITypeSymbol type, KnownTypes types) => IsGenerated(type, types.GeneratedCodeAttribute);

    /// <summary>Carries <c>[GeneratedCode("Workbooks.Generator", …)]</c>, as every type the generator emits does (the
    /// one test of both analyzers).</summary>
    internal static bool IsGenerated(ITypeSymbol type, INamedTypeSymbol? generatedCodeAttribute)
    {
        foreach (var attribute in type.GetAttributes())
        {
            var attributeClass = attribute.AttributeClass;
            var isGeneratedCode = generatedCodeAttribute is { } known
                ? SymbolEqualityComparer.Default.Equals(attributeClass, known)
                : attributeClass?.Name == "GeneratedCodeAttribute";
            if (isGeneratedCode
                && attribute.ConstructorArguments.Length > 0
                && attribute.ConstructorArguments[0].Value is string tool
                && tool == ToolName)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary><c>PersonFields</c> → <c>Person</c>, <c>PersonMainLocationFields</c> → <c>PersonMainLocation</c>.</summary>
    private static INamedTypeSymbol? RecordSide(INamedTypeSymbol shape, KnownTypes types)
    {
        var name = shape.Name.Substring(0, shape.Name.Length - FieldsSuffix.Length);
        foreach (var candidate in shape.ContainingNamespace.GetTypeMembers(name, 0))
        {
            if (IsGenerated(candidate, types))
                return candidate;
        }
        return null;
    }

    /// <summary>The property the field came from (<c>p.PersonLastName</c> → <c>PersonLastName</c>), when written so.</summary>
    private static string? FieldName(ExpressionSyntax receiver) => receiver switch
    {
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        _ => null,
    };

    /// <summary>The symbols resolved once per compilation.</summary>
    internal sealed class KnownTypes(INamedTypeSymbol fieldBase, INamedTypeSymbol fieldInterface, INamedTypeSymbol filter, INamedTypeSymbol? generatedCodeAttribute)
    {
        /// <summary><c>Workbooks.Filters.WorkbooksField</c>.</summary>
        public INamedTypeSymbol FieldBase { get; } = fieldBase;

        /// <summary><c>Workbooks.Filters.IWorkbooksField</c>.</summary>
        public INamedTypeSymbol FieldInterface { get; } = fieldInterface;

        /// <summary><c>Workbooks.Filters.WorkbooksFilter</c>: what an operator returns.</summary>
        public INamedTypeSymbol Filter { get; } = filter;

        /// <summary><c>System.CodeDom.Compiler.GeneratedCodeAttribute</c>, when the compilation can see it.</summary>
        public INamedTypeSymbol? GeneratedCodeAttribute { get; } = generatedCodeAttribute;
    }
}
