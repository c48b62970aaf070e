using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SegAlign.Notebooks;

public enum ParameterType { String, Int, Long, Double, Bool }

/// <summary>A variable the parameters cell declares; <see cref="Type"/> is null when -p cannot set it (not a string, number or bool).</summary>
public sealed record ParameterDeclaration(string Name, ParameterType? Type, string TypeText)
{
    public override string ToString() => $"{Name} ({TypeText})";
}

/// <summary>
/// Papermill's convention: the cell tagged "parameters" declares defaults; values given with -p go into a new cell
/// tagged "injected-parameters" right after it, so the executed notebook records what it ran with.
/// </summary>
public static class NotebookParameters
{
    public const string ParametersTag = "parameters";
    public const string InjectedTag = "injected-parameters";

    /// <summary>The top-level variables of a parameters cell, typed by their declared type or (for var) their literal.</summary>
    public static IReadOnlyList<ParameterDeclaration> Declared(string source)
    {
        var root = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(kind: SourceCodeKind.Script)).GetCompilationUnitRoot();
        var declarations = new List<ParameterDeclaration>();
        foreach (var member in root.Members)
        {
            // Script top-level variables parse as fields (explicit type) or as local declaration statements.
            var (declaration, modifiers) = member switch
            {
                FieldDeclarationSyntax field => (field.Declaration, field.Modifiers),
                GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax local } => (local.Declaration, local.Modifiers),
                _ => (null, default),
            };
            if (declaration is null) continue;
            // A constant cannot be assigned by the injected cell.
            bool constant = modifiers.Any(SyntaxKind.ConstKeyword);
            foreach (var variable in declaration.Variables)
            {
                var type = constant ? null : declaration.Type.IsVar ? Infer(variable.Initializer?.Value) : FromTypeName(declaration.Type);
                string typeText = (constant ? "const " : "") + (declaration.Type.IsVar ? type?.ToString().ToLowerInvariant() ?? "var" : declaration.Type.ToString());
                declarations.Add(new ParameterDeclaration(variable.Identifier.ValueText, type, typeText));
            }
        }
        return declarations;
    }

    /// <summary>Splits "name=value" assignments (the -p option); the value may contain '='.</summary>
    public static IReadOnlyDictionary<string, string> ParseAssignments(IEnumerable<string> assignments)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
        {
            int equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                throw new InputException($"-p {assignment}", "is not name=value", "write -p name=value, e.g. -p preset=smoke");
            values[assignment[..equals].Trim()] = assignment[(equals + 1)..];
        }
        return values;
    }

    /// <summary>Replaces any earlier injected cell with one that assigns <paramref name="values"/>; no values, no cell.</summary>
    public static void Inject(Notebook notebook, IReadOnlyDictionary<string, string> values, string notebookName)
    {
        notebook.Cells.RemoveAll(c => c.HasTag(InjectedTag));
        if (values.Count == 0) return;
        int index = notebook.Cells.FindIndex(c => c.Kind == CellKind.Code && c.HasTag(ParametersTag));
        if (index < 0)
            throw new InputException(notebookName, "has no cell tagged \"parameters\", so -p has nothing to set",
                "tag the cell that declares the parameters with \"parameters\" (VS Code: cell … menu, Add Cell Tag), or drop -p");

        var declared = Declared(notebook.Cells[index].Source).ToDictionary(d => d.Name, StringComparer.Ordinal);
        var lines = new List<string> { "// Injected by `segalign notebook run -p`: these values override the defaults in the parameters cell above." };
        foreach (var (name, value) in values)
        {
            if (!declared.TryGetValue(name, out var declaration))
                throw new InputException($"-p {name}", $"{notebookName} declares no parameter '{name}'",
                    declared.Count == 0 ? "declare it in the cell tagged \"parameters\"" : $"use one of {string.Join(", ", declared.Values)}");
            lines.Add($"{name} = {Literal(declaration, value)};");
        }
        var injected = Cell.Code(string.Join('\n', lines), InjectedTag);
        injected.Id = InjectedTag;
        notebook.Cells.Insert(index + 1, injected);
    }

    /// <summary>The value as a C# literal of the declared type.</summary>
    public static string Literal(ParameterDeclaration declaration, string value)
    {
        var invariant = CultureInfo.InvariantCulture;
        string? literal = declaration.Type switch
        {
            ParameterType.String => SymbolDisplay.FormatLiteral(value, quote: true),
            ParameterType.Int => int.TryParse(value, NumberStyles.Integer, invariant, out int i) ? i.ToString(invariant) : null,
            ParameterType.Long => long.TryParse(value, NumberStyles.Integer, invariant, out long l) ? l.ToString(invariant) + "L" : null,
            ParameterType.Double => double.TryParse(value, NumberStyles.Float, invariant, out double d) ? DoubleLiteral(d) : null,
            ParameterType.Bool => bool.TryParse(value, out bool b) ? (b ? "true" : "false") : null,
            null => throw new InputException($"-p {declaration.Name}", $"the parameters cell declares it as {declaration.TypeText}, which -p cannot set",
                "declare it as a (non-const) string, int, long, double or bool with a literal default, e.g. var seeds = 3;"),
            _ => null,
        };
        return literal ?? throw new InputException($"-p {declaration.Name}={value}",
            $"'{value}' is not a valid {declaration.Type.ToString()!.ToLowerInvariant()} (the parameters cell declares {declaration.TypeText} {declaration.Name})",
            $"pass {Example(declaration.Type.Value)}");
    }

    static string DoubleLiteral(double d) =>
        double.IsNaN(d) ? "double.NaN"
        : double.IsPositiveInfinity(d) ? "double.PositiveInfinity"
        : double.IsNegativeInfinity(d) ? "double.NegativeInfinity"
        : d.ToString("R", CultureInfo.InvariantCulture) + "d";

    static string Example(ParameterType type) => type switch
    {
        ParameterType.Int or ParameterType.Long => "a whole number, e.g. 3",
        ParameterType.Double => "a number with '.' as the decimal point, e.g. 0.5",
        ParameterType.Bool => "true or false",
        _ => "any text",
    };

    static ParameterType? FromTypeName(TypeSyntax type)
    {
        if (type is NullableTypeSyntax nullable) type = nullable.ElementType;
        return type.ToString() switch
        {
            "string" or "String" or "System.String" => ParameterType.String,
            "int" or "Int32" or "System.Int32" => ParameterType.Int,
            "long" or "Int64" or "System.Int64" => ParameterType.Long,
            "double" or "Double" or "System.Double" => ParameterType.Double,
            "bool" or "Boolean" or "System.Boolean" => ParameterType.Bool,
            _ => null,
        };
    }

    static ParameterType? Infer(ExpressionSyntax? value)
    {
        if (value is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression or (int)SyntaxKind.UnaryPlusExpression } signed) value = signed.Operand;
        return value switch
        {
            LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression } => ParameterType.String,
            InterpolatedStringExpressionSyntax => ParameterType.String,
            LiteralExpressionSyntax { RawKind: (int)SyntaxKind.TrueLiteralExpression or (int)SyntaxKind.FalseLiteralExpression } => ParameterType.Bool,
            LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NumericLiteralExpression } number => number.Token.Value switch
            {
                int => ParameterType.Int,
                long => ParameterType.Long,
                double => ParameterType.Double,
                _ => null,
            },
            _ => null,
        };
    }
}
