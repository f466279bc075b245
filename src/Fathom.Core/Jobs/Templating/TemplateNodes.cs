namespace Fathom.Jobs;

/// <summary>A parsed piece of a template: text, an output <c>{{ … }}</c>, or a statement block.</summary>
internal abstract record TemplateNode;

internal sealed record TextNode(string Text) : TemplateNode;

internal sealed record OutputNode(Expr Expression) : TemplateNode;

internal sealed record IfNode(IReadOnlyList<(Expr Condition, IReadOnlyList<TemplateNode> Body)> Branches, IReadOnlyList<TemplateNode>? Else) : TemplateNode;

internal sealed record ForNode(IReadOnlyList<string> Targets, Expr Items, IReadOnlyList<TemplateNode> Body, IReadOnlyList<TemplateNode>? Else) : TemplateNode;

internal sealed record SetNode(string Name, Expr Value) : TemplateNode;

/// <summary>An expression of Jinja's grammar (the subset Polyaxon files use, and the usual operators).</summary>
internal abstract record Expr;

internal sealed record LiteralExpr(object? Value) : Expr;

internal sealed record NameExpr(string Name) : Expr;

internal sealed record AttributeExpr(Expr Target, string Name) : Expr;

internal sealed record IndexExpr(Expr Target, Expr Index) : Expr;

internal sealed record CallExpr(Expr Target, IReadOnlyList<Expr> Args, IReadOnlyDictionary<string, Expr> Named) : Expr;

internal sealed record FilterExpr(Expr Target, string Name, IReadOnlyList<Expr> Args, IReadOnlyDictionary<string, Expr> Named) : Expr;

internal sealed record TestExpr(Expr Target, string Name, bool Negated, IReadOnlyList<Expr> Args) : Expr;

internal sealed record UnaryExpr(string Op, Expr Operand) : Expr;

internal sealed record BinaryExpr(string Op, Expr Left, Expr Right) : Expr;

internal sealed record ConditionalExpr(Expr Then, Expr Condition, Expr? Else) : Expr;

internal sealed record ListExpr(IReadOnlyList<Expr> Items) : Expr;

internal sealed record DictExpr(IReadOnlyList<(Expr Key, Expr Value)> Items) : Expr;
