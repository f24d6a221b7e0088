using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Workbooks.Generator.Diagnostics;

namespace Workbooks.Generator.Analyzers;

/// <summary>
/// WBG0203: a <c>Select(p =&gt; …)</c> projection on a Workbooks query must be exact. The runtime learns which fields
/// to request by running the projection once over an empty record that notes what is read; that finds every field
/// only when each field read happens whatever the values are. So a projection may read fields of the parameter (and of
/// the generated groups and related views on the way: <c>p.MainLocation.Email</c>, <c>p.Employer.Name</c>), and build
/// its result from them with <c>new { … }</c>, tuples, constructors and object initializers, literals, captured
/// values, arithmetic, comparisons, <c>??</c> and string interpolation; on an untyped query, the record's getters
/// (<c>r.GetString("name")</c>). Refused: other calls, <c>?:</c>, <c>&amp;&amp;</c>,
/// <c>||</c>, <c>?.</c>, casts, switch expressions, indexers, members of a value (<c>p.Name.Length</c>), the record
/// itself or a whole group, and statement bodies.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ProjectionAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.ProjectionNotExact);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            if (start.Compilation.GetTypeByMetadataName("Workbooks.Query.WorkbooksQuery`2") is not { } query)
                return;
            var generatedCode = start.Compilation.GetTypeByMetadataName("System.CodeDom.Compiler.GeneratedCodeAttribute");
            start.RegisterSyntaxNodeAction(context => Analyze(context, query, generatedCode), SyntaxKind.InvocationExpression);
            start.RegisterSyntaxNodeAction(context => AnalyzeQuerySyntax(context, query, generatedCode), SyntaxKind.SelectClause);
        });
    }

    /// <summary><c>from p in crm.People select new { p.Name }</c>: the select clause is the projection.</summary>
    private static void AnalyzeQuerySyntax(SyntaxNodeAnalysisContext context, INamedTypeSymbol query, INamedTypeSymbol? generatedCode)
    {
        var select = (SelectClauseSyntax)context.Node;
        if (!IsProjection(context.SemanticModel.GetSymbolInfo(select, context.CancellationToken).Symbol, query)
            || select.Parent is not QueryBodySyntax { Parent: QueryExpressionSyntax expression })
        {
            return;
        }
        var variable = context.SemanticModel.GetDeclaredSymbol(expression.FromClause, context.CancellationToken);
        var checker = new Checker(context.SemanticModel, variable, generatedCode, context.CancellationToken);
        var (node, why) = checker.Check(select.Expression);
        if (why is not null)
            Report(context, node!, why, expression.FromClause.Identifier.ValueText);
    }

    private static bool IsProjection(ISymbol? symbol, INamedTypeSymbol query) =>
        symbol is IMethodSymbol { IsGenericMethod: true, Name: "Select" } method
        && SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, query);

    private static void Report(SyntaxNodeAnalysisContext context, SyntaxNode node, string why, string parameter) =>
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ProjectionNotExact, node.GetLocation(), why,
            parameter + ".Name, " + parameter + ".Employer.Name"));

    private static void Analyze(SyntaxNodeAnalysisContext context, INamedTypeSymbol query, INamedTypeSymbol? generatedCode)
    {
        var invocation = (InvocationExpressionSyntax)context.Node;
        if (invocation.Expression is not (MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Select" } or MemberBindingExpressionSyntax { Name.Identifier.ValueText: "Select" })
            || invocation.ArgumentList.Arguments.Count != 1
            || !IsProjection(context.SemanticModel.GetSymbolInfo(invocation, context.CancellationToken).Symbol, query))
        {
            return;
        }
        if (invocation.ArgumentList.Arguments[0].Expression is not LambdaExpressionSyntax lambda)
        {
            // A method group, a delegate variable, an anonymous method: its body cannot be read here.
            Report(context, invocation.ArgumentList.Arguments[0], "is a method or delegate whose body the analyzer cannot read (write it as a lambda here)", "p");
            return;
        }
        var parameter = lambda switch
        {
            SimpleLambdaExpressionSyntax simple => simple.Parameter,
            ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters.Count: 1 } parenthesized => parenthesized.ParameterList.Parameters[0],
            _ => null,
        };
        if (parameter is null)
            return;
        var checker = new Checker(context.SemanticModel, context.SemanticModel.GetDeclaredSymbol(parameter, context.CancellationToken), generatedCode, context.CancellationToken);
        var (node, why) = lambda.ExpressionBody is { } body ? checker.Check(body) : (lambda, "has a statement body");
        if (why is not null)
            Report(context, node!, why, parameter.Identifier.ValueText);
    }

    private sealed class Checker(SemanticModel model, ISymbol? parameter, INamedTypeSymbol? generatedCode, System.Threading.CancellationToken cancellationToken)
    {
        /// <summary>The first part of <paramref name="expression"/> that makes the projection inexact, and why; (null, null) when exact.</summary>
        public (SyntaxNode? Node, string? Why) Check(ExpressionSyntax expression)
        {
            switch (expression)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    return Check(parenthesized.Expression);
                case LiteralExpressionSyntax or DefaultExpressionSyntax or TypeOfExpressionSyntax:
                    return default;
                case AnonymousObjectCreationExpressionSyntax anonymous:
                    return First(anonymous.Initializers.Select(i => i.Expression));
                case TupleExpressionSyntax tuple:
                    return First(tuple.Arguments.Select(a => a.Expression));
                case BaseObjectCreationExpressionSyntax creation:
                    var arguments = creation.ArgumentList?.Arguments.Select(a => a.Expression) ?? Enumerable.Empty<ExpressionSyntax>();
                    var assigned = creation.Initializer?.Expressions.Select(e => e is AssignmentExpressionSyntax a ? a.Right : e) ?? Enumerable.Empty<ExpressionSyntax>();
                    return First(arguments.Concat(assigned));
                case InterpolatedStringExpressionSyntax interpolated:
                    return First(interpolated.Contents.OfType<InterpolationSyntax>().Select(i => i.Expression));
                case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.LogicalAndExpression) || binary.IsKind(SyntaxKind.LogicalOrExpression):
                    return (binary, "uses " + binary.OperatorToken.Text + ", which may skip reading a field");
                case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.IsExpression) || binary.IsKind(SyntaxKind.AsExpression):
                    return (binary, "converts a value");
                case BinaryExpressionSyntax binary:
                    return First([binary.Left, binary.Right]);
                case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryMinusExpression) || unary.IsKind(SyntaxKind.UnaryPlusExpression)
                    || unary.IsKind(SyntaxKind.LogicalNotExpression) || unary.IsKind(SyntaxKind.BitwiseNotExpression):
                    return Check(unary.Operand);
                case PostfixUnaryExpressionSyntax suppressed when suppressed.IsKind(SyntaxKind.SuppressNullableWarningExpression):
                    return Check(suppressed.Operand); // p.Name!: a compile-time note, nothing at run time
                case IsPatternExpressionSyntax pattern when pattern.Pattern.DescendantNodesAndSelf().Any(n => n is RecursivePatternSyntax or VarPatternSyntax or DeclarationPatternSyntax):
                    return (pattern, "matches a pattern that reads members of a value");
                case IsPatternExpressionSyntax pattern:
                    return Check(pattern.Expression); // p.Score is null, p.Score is > 3
                case CollectionExpressionSyntax collection:
                    return First(collection.Elements.OfType<ExpressionElementSyntax>().Select(e => e.Expression).Concat(
                        collection.Elements.OfType<SpreadElementSyntax>().Select(e => e.Expression)));
                case ImplicitArrayCreationExpressionSyntax implicitArray:
                    return First(implicitArray.Initializer.Expressions);
                case ArrayCreationExpressionSyntax array:
                    return array.Initializer is { } initializer ? First(initializer.Expressions) : (array, "creates an array of a size read from a value");
                case InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } } nameOf
                    when model.GetSymbolInfo(nameOf, cancellationToken).Symbol is null:
                    return default; // nameof(p.Name): a constant
                case IdentifierNameSyntax identifier:
                    var symbol = model.GetSymbolInfo(identifier, cancellationToken).Symbol;
                    if (parameter is not null && SymbolEqualityComparer.Default.Equals(symbol, parameter))
                        return (identifier, "returns the record itself (the query returns records already)");
                    return default; // a captured value or a constant: no field read
                case MemberAccessExpressionSyntax access:
                    return CheckFieldRead(access);
                case ConditionalExpressionSyntax conditional:
                    return (conditional, "chooses with ?:, which reads the fields of one branch only");
                case ConditionalAccessExpressionSyntax conditionalAccess:
                    return (conditionalAccess, "uses ?., which reads a member of a value");
                case InvocationExpressionSyntax invocation when IsRecordGetter(invocation):
                    // r.GetString("name"): the field's name must not depend on the record's values.
                    return invocation.ArgumentList.Arguments.Any(a => Mentions(a.Expression))
                        ? (invocation, "reads a field whose name depends on the record's values")
                        : default;
                case InvocationExpressionSyntax invocation:
                    return (invocation, "calls " + invocation.Expression);
                case CastExpressionSyntax cast:
                    return (cast, "converts a value with " + cast.Type);
                case ElementAccessExpressionSyntax element:
                    return (element, "reads an element of a value");
                case SwitchExpressionSyntax switchExpression:
                    return (switchExpression, "chooses with a switch expression");
                default:
                    return (expression, "does more than read fields (" + expression.Kind() + ")");
            }
        }

        private (SyntaxNode?, string?) First(System.Collections.Generic.IEnumerable<ExpressionSyntax> expressions)
        {
            foreach (var expression in expressions)
            {
                var result = Check(expression);
                if (result.Item2 is not null)
                    return result;
            }
            return default;
        }

        /// <summary>
        /// <c>p.Name</c>, <c>p.MainLocation.Email</c>, <c>p.Employer.Name</c>: a property of the parameter or of a
        /// generated class reached from it, whose value is not itself a generated class. A static member or a member of a
        /// captured value is no field read at all.
        /// </summary>
        private (SyntaxNode?, string?) CheckFieldRead(MemberAccessExpressionSyntax access)
        {
            if (!IsRootedAtParameter(access))
            {
                // Math.PI, someLocal.Length, a constant: nothing read from the record. A member of something computed
                // from the record ((p.A ?? p.B).HasValue, Describe(p).Label) is not exact.
                return Mentions(access.Expression) ? (access, "reads " + access.Name + " of a value computed from the record") : default;
            }

            if (model.GetTypeInfo(access, cancellationToken).Type is INamedTypeSymbol whole && IsGenerated(whole))
                return (access, "returns " + access + ", a part of the record rather than a field value");
            for (ExpressionSyntax receiver = access.Expression; ; )
            {
                if (receiver is IdentifierNameSyntax)
                {
                    // The parameter: p.Field, reached through generated classes only. The member itself must be one the
                    // generator wrote, too.
                    return model.GetSymbolInfo(access, cancellationToken).Symbol is { } member && !IsFieldMember(member)
                        ? (access, "reads " + access.Name + ", which is not a field of the record (only the generated field, related-attribute and association members are)")
                        : default;
                }
                var receiverType = model.GetTypeInfo(receiver, cancellationToken).Type;
                if (receiverType is not INamedTypeSymbol named || !IsGenerated(named))
                    return (access, "reads " + access.Name + " of the value " + receiver + ", not a field");
                if (receiver is MemberAccessExpressionSyntax inner)
                    receiver = inner.Expression;
                else if (receiver is ParenthesizedExpressionSyntax parenthesized)
                    receiver = parenthesized.Expression;
                else
                    return (access, "reads " + access.Name + " of " + receiver + ", not a field");
            }
        }

        /// <summary><c>r.GetString("name")</c> on an untyped query: a getter of the record parameter itself reads one field.</summary>
        private bool IsRecordGetter(InvocationExpressionSyntax invocation) =>
            invocation.Expression is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax receiver } access
            && access.Name.Identifier.ValueText.StartsWith("Get", System.StringComparison.Ordinal)
            && parameter is not null
            && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(receiver, cancellationToken).Symbol, parameter)
            && model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol { ContainingType: { Name: "WorkbooksRecord", ContainingNamespace.Name: "Records" } };

        private bool IsRootedAtParameter(ExpressionSyntax expression)
        {
            while (true)
            {
                switch (expression)
                {
                    case MemberAccessExpressionSyntax member:
                        expression = member.Expression;
                        continue;
                    case ParenthesizedExpressionSyntax parenthesized:
                        expression = parenthesized.Expression;
                        continue;
                    case IdentifierNameSyntax identifier:
                        return parameter is not null && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, parameter);
                    default:
                        return false;
                }
            }
        }

        /// <summary>Whether <paramref name="expression"/> refers to the projection's parameter anywhere.</summary>
        private bool Mentions(ExpressionSyntax expression) =>
            parameter is not null && expression.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>()
                .Any(i => SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(i, cancellationToken).Symbol, parameter));

        /// <summary>
        /// A member the generator wrote (a field, a group of related attributes, an association's view), or the id and
        /// lock_version every record has: the members whose reads the recording pass sees exactly. A member the user
        /// added to a generated partial class, or <c>p.Record</c>, may read fields conditionally or not at all.
        /// </summary>
        private static bool IsFieldMember(ISymbol member)
        {
            if (member is IPropertySymbol { Name: "Id" or "LockVersion" } && member.ContainingType.ContainingNamespace.ToDisplayString() == "Workbooks.Records")
                return true;
            return member is IPropertySymbol { IsStatic: false } property
                && property.DeclaringSyntaxReferences.Length > 0
                && property.DeclaringSyntaxReferences.All(r => r.SyntaxTree.FilePath.Replace('\\', '/').Contains("Workbooks.Generator.WorkbooksGenerator/"));
        }

        /// <summary>A class the Workbooks generator wrote (a record class, a group of related attributes, a related view).</summary>
        private bool IsGenerated(INamedTypeSymbol type) => FilterUsageAnalyzer.IsGenerated(type, generatedCode);
    }
}
