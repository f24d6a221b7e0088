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
    private const string ToolName = "Workbooks.Generator";

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
        });
    }

    private static void Analyze(SyntaxNodeAnalysisContext context, INamedTypeSymbol query, INamedTypeSymbol? generatedCode)
    {
        var invocation = (InvocationExpressionSyntax)context.Node;
        if (invocation.Expression is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Select" }
            || invocation.ArgumentList.Arguments.Count != 1
            || invocation.ArgumentList.Arguments[0].Expression is not LambdaExpressionSyntax lambda)
        {
            return;
        }
        if (context.SemanticModel.GetSymbolInfo(invocation, context.CancellationToken).Symbol is not IMethodSymbol { IsGenericMethod: true } method
            || !SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, query))
        {
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
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ProjectionNotExact, node!.GetLocation(), why,
                parameter.Identifier.ValueText + ".Name, " + parameter.Identifier.ValueText + ".Employer.Name"));
        }
    }

    private sealed class Checker(SemanticModel model, IParameterSymbol? parameter, INamedTypeSymbol? generatedCode, System.Threading.CancellationToken cancellationToken)
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
                case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryMinusExpression) || unary.IsKind(SyntaxKind.UnaryPlusExpression):
                    return Check(unary.Operand);
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
                    return First(invocation.ArgumentList.Arguments.Select(a => a.Expression)); // r.GetString("name")
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
                return default; // Math.PI, someLocal.Length, a constant: nothing read from the record
            if (model.GetTypeInfo(access, cancellationToken).Type is INamedTypeSymbol whole && IsGenerated(whole))
                return (access, "returns " + access + ", a part of the record rather than a field value");
            for (ExpressionSyntax receiver = access.Expression; ; )
            {
                if (receiver is IdentifierNameSyntax)
                    return default; // the parameter: p.Field
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

        /// <summary>A class the Workbooks generator wrote (a record class, a group of related attributes, a related view).</summary>
        private bool IsGenerated(INamedTypeSymbol type) =>
            type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, generatedCode)
                && a.ConstructorArguments.Length > 0 && a.ConstructorArguments[0].Value as string == ToolName);
    }
}
