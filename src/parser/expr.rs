//! Expressions: operator precedence with pest's Pratt parser, then atoms (literals, CASE,
//! comprehensions, function calls, …) mapped into `ast::Expr`.

use std::sync::OnceLock;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::literal::{self, IntToken};
use super::pairs::{name_of, unexpected, variable};
use super::patterns::{label_expression, pattern, relationships_pattern};
use super::{clauses, span_of, PResult, Rule};
use crate::ast::*;
use crate::error::QueryError;

/// Precedence from loosest to tightest, as in the openCypher grammar.
fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::op_or, Assoc::Left))
            .op(Op::infix(Rule::op_xor, Assoc::Left))
            .op(Op::infix(Rule::op_and, Assoc::Left))
            .op(Op::prefix(Rule::op_not))
            .op(Op::infix(Rule::op_eq, Assoc::Left)
                | Op::infix(Rule::op_ne, Assoc::Left)
                | Op::infix(Rule::op_lt, Assoc::Left)
                | Op::infix(Rule::op_gt, Assoc::Left)
                | Op::infix(Rule::op_le, Assoc::Left)
                | Op::infix(Rule::op_ge, Assoc::Left)
                | Op::infix(Rule::op_regex, Assoc::Left))
            .op(Op::infix(Rule::op_in, Assoc::Left)
                | Op::infix(Rule::op_starts_with, Assoc::Left)
                | Op::infix(Rule::op_ends_with, Assoc::Left)
                | Op::infix(Rule::op_contains, Assoc::Left)
                | Op::postfix(Rule::op_is_null)
                | Op::postfix(Rule::op_is_not_null)
                | Op::postfix(Rule::op_is_typed)
                | Op::postfix(Rule::op_is_normalized))
            .op(Op::infix(Rule::op_add, Assoc::Left)
                | Op::infix(Rule::op_sub, Assoc::Left)
                | Op::infix(Rule::op_concat, Assoc::Left))
            .op(Op::infix(Rule::op_mul, Assoc::Left)
                | Op::infix(Rule::op_div, Assoc::Left)
                | Op::infix(Rule::op_mod, Assoc::Left))
            .op(Op::infix(Rule::op_pow, Assoc::Left))
            .op(Op::prefix(Rule::op_neg) | Op::prefix(Rule::op_pos))
    })
}

/// An expression under construction.
struct Built {
    expr: Expr,
    /// For an unparenthesised comparison (`a < b`, or an already desugared chain), the right
    /// operand of its last comparison, so `a < b < c` becomes `a < b AND b < c`.
    chain_tail: Option<Expr>,
    /// The text of a literal equal to 2^63 (`9223372036854775808`, `0x8000000000000000`),
    /// valid only directly under unary minus.
    min_magnitude: Option<String>,
    /// How deep `expr` is (a literal is 1, `a + b` is 2); bounded by [`super::MAX_EXPR_DEPTH`].
    depth: usize,
}

impl Built {
    fn plain(expr: Expr) -> Built {
        Built {
            expr,
            chain_tail: None,
            min_magnitude: None,
            depth: 1,
        }
    }

    /// `expr` as an operator over operands of depth `below`, refused past the limit.
    fn over(expr: Expr, below: usize) -> PResult<Built> {
        let depth = below + 1;
        check_depth(depth, expr.span)?;
        Ok(Built {
            expr,
            chain_tail: None,
            min_magnitude: None,
            depth,
        })
    }

    fn checked(self) -> PResult<Expr> {
        if let Some(text) = self.min_magnitude {
            return Err(literal::overflow(&text, self.expr.span));
        }
        Ok(self.expr)
    }
}

/// Refuses an expression nested deeper than [`super::MAX_EXPR_DEPTH`], before anything walks
/// it recursively.
fn check_depth(depth: usize, span: Span) -> PResult<()> {
    if depth > super::MAX_EXPR_DEPTH {
        return Err(QueryError::syntax(
            "ExpressionTooDeep",
            format!(
                "expression nested too deeply (more than {} operators or lookups inside one \
                 another); split it up, e.g. `x IN [...]` instead of a long chain of `OR`s",
                super::MAX_EXPR_DEPTH
            ),
        )
        .at(span));
    }
    Ok(())
}

/// The depth of an expression tree, measured without recursion.
pub(super) fn depth_of(e: &Expr) -> usize {
    let mut max = 0;
    let mut stack = vec![(e, 1usize)];
    while let Some((e, d)) = stack.pop() {
        max = max.max(d);
        stack.extend(
            crate::ast::walk::children(e)
                .into_iter()
                .map(|c| (c, d + 1)),
        );
    }
    max
}

fn join(a: Span, b: Span) -> Span {
    Span::new(a.start.min(b.start), a.end.max(b.end))
}

/// Maps an `expression` pair.
pub fn expression(pair: Pair<'_, Rule>) -> PResult<Expr> {
    // pest's Pratt parser recurses once per prefix operator (`NOT NOT …`, `- - …`): refuse a
    // run past the depth limit before it starts.
    let mut run = 0usize;
    for p in pair.clone().into_inner() {
        if matches!(p.as_rule(), Rule::op_not | Rule::op_neg | Rule::op_pos) {
            run += 1;
            check_depth(run + 1, span_of(&p))?;
        } else {
            run = 0;
        }
    }
    let built = pratt()
        .map_primary(|p| match p.as_rule() {
            Rule::primary | Rule::where_primary => primary(p),
            r => Err(unexpected(r, span_of(&p))),
        })
        .map_prefix(|op, rhs| {
            let rhs = rhs?;
            let span = join(span_of(&op), rhs.expr.span);
            let below = rhs.depth;
            match op.as_rule() {
                Rule::op_neg => {
                    if rhs.min_magnitude.is_some() {
                        return Ok(Built::plain(Expr {
                            kind: ExprKind::Int(i64::MIN),
                            span,
                        }));
                    }
                    let kind = match rhs.expr.kind {
                        ExprKind::Int(v) => {
                            return Ok(Built::plain(Expr {
                                kind: ExprKind::Int(-v),
                                span,
                            }))
                        }
                        ExprKind::Float(v) => {
                            return Ok(Built::plain(Expr {
                                kind: ExprKind::Float(-v),
                                span,
                            }))
                        }
                        other => ExprKind::Unary(
                            UnaryOp::Neg,
                            Box::new(Expr {
                                kind: other,
                                span: rhs.expr.span,
                            }),
                        ),
                    };
                    Built::over(Expr { kind, span }, below)
                }
                Rule::op_pos => {
                    let e = rhs.checked()?;
                    Built::over(
                        Expr {
                            kind: ExprKind::Unary(UnaryOp::Pos, Box::new(e)),
                            span,
                        },
                        below,
                    )
                }
                _ => {
                    let e = rhs.checked()?;
                    Built::over(
                        Expr {
                            kind: ExprKind::Unary(UnaryOp::Not, Box::new(e)),
                            span,
                        },
                        below,
                    )
                }
            }
        })
        .map_postfix(|lhs, op| {
            let lhs = lhs?;
            let below = lhs.depth;
            let e = lhs.checked()?;
            let span = join(e.span, span_of(&op));
            if op.as_rule() == Rule::op_is_normalized {
                let (negated, form) = normalized_test(op);
                return Built::over(
                    Expr {
                        kind: ExprKind::Normalized {
                            expr: Box::new(e),
                            form,
                            negated,
                        },
                        span,
                    },
                    below,
                );
            }
            if op.as_rule() == Rule::op_is_typed {
                let (ty, negated) = super::types::type_predicate(op)?;
                return Built::over(
                    Expr {
                        kind: ExprKind::TypeTest {
                            expr: Box::new(e),
                            ty,
                            negated,
                        },
                        span,
                    },
                    below,
                );
            }
            Built::over(
                Expr {
                    kind: ExprKind::IsNull {
                        expr: Box::new(e),
                        negated: op.as_rule() == Rule::op_is_not_null,
                    },
                    span,
                },
                below,
            )
        })
        .map_infix(|lhs, op, rhs| {
            let lhs = lhs?;
            let rhs = rhs?;
            let below = lhs.depth.max(rhs.depth);
            let chain_tail = lhs.chain_tail.clone();
            let lhs_expr = lhs.checked()?;
            let rhs_expr = rhs.checked()?;
            let span = join(lhs_expr.span, rhs_expr.span);
            let bop = binary_op(op.as_rule());
            let comparison = matches!(
                bop,
                BinaryOp::Eq
                    | BinaryOp::Ne
                    | BinaryOp::Lt
                    | BinaryOp::Le
                    | BinaryOp::Gt
                    | BinaryOp::Ge
            );
            if comparison {
                if let Some(prev) = chain_tail {
                    // a < b < c  ⇒  (a < b) AND (b < c)
                    let right_span = join(prev.span, rhs_expr.span);
                    let right = Expr {
                        kind: ExprKind::Binary(bop, Box::new(prev), Box::new(rhs_expr.clone())),
                        span: right_span,
                    };
                    check_depth(below + 1, span)?;
                    return Ok(Built {
                        expr: Expr {
                            kind: ExprKind::Binary(
                                BinaryOp::And,
                                Box::new(lhs_expr),
                                Box::new(right),
                            ),
                            span,
                        },
                        chain_tail: Some(rhs_expr),
                        min_magnitude: None,
                        depth: below + 1,
                    });
                }
            }
            let tail = comparison.then(|| rhs_expr.clone());
            let mut built = Built::over(
                Expr {
                    kind: ExprKind::Binary(bop, Box::new(lhs_expr), Box::new(rhs_expr)),
                    span,
                },
                below,
            )?;
            built.chain_tail = tail;
            Ok(built)
        })
        .parse(pair.into_inner())?;
    built.checked()
}

fn binary_op(rule: Rule) -> BinaryOp {
    match rule {
        Rule::op_or => BinaryOp::Or,
        Rule::op_xor => BinaryOp::Xor,
        Rule::op_and => BinaryOp::And,
        Rule::op_eq => BinaryOp::Eq,
        Rule::op_ne => BinaryOp::Ne,
        Rule::op_lt => BinaryOp::Lt,
        Rule::op_le => BinaryOp::Le,
        Rule::op_gt => BinaryOp::Gt,
        Rule::op_ge => BinaryOp::Ge,
        Rule::op_regex => BinaryOp::Regex,
        Rule::op_in => BinaryOp::In,
        Rule::op_starts_with => BinaryOp::StartsWith,
        Rule::op_ends_with => BinaryOp::EndsWith,
        Rule::op_contains => BinaryOp::Contains,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        Rule::op_div => BinaryOp::Div,
        Rule::op_mod => BinaryOp::Mod,
        Rule::op_concat => BinaryOp::Concat,
        _ => BinaryOp::Pow,
    }
}

/// An atom followed by `.key`, `[i]`, `[a..b]` and an optional `:Label` predicate.
fn primary(pair: Pair<'_, Rule>) -> PResult<Built> {
    let mut inner = pair.into_inner();
    let Some(first) = inner.next() else {
        return Err(QueryError::syntax(
            "UnexpectedSyntax",
            "expected an expression",
        ));
    };
    let mut built = atom(first)?;
    built.depth = depth_of(&built.expr);
    check_depth(built.depth, built.expr.span)?;
    for p in inner {
        let below = built.depth;
        let e = std::mem::replace(&mut built, Built::plain(null_expr())).checked()?;
        let span = join(e.span, span_of(&p));
        let kind = match p.as_rule() {
            Rule::label_expression | Rule::where_label_expression => {
                // `n:A:B` keeps its plain form (the planner reads it); anything else
                // (`n:A|B`, `n:!A`, `n:%`, `n:$(x)`) is tested as a label expression.
                match label_expression(p)? {
                    (labels, None) => ExprKind::HasLabels(Box::new(e), labels),
                    (labels, Some(rest)) => {
                        let mut all: Vec<LabelExpr> =
                            labels.into_iter().map(LabelExpr::Label).collect();
                        all.push(rest);
                        let test = if all.len() == 1 {
                            all.remove(0)
                        } else {
                            LabelExpr::And(all)
                        };
                        ExprKind::LabelTest(Box::new(e), test)
                    }
                }
            }
            _ => lookup(e, p)?,
        };
        let expr = Expr { kind, span };
        // An index brings an expression of its own: `xs[a + b]`.
        let below = match &expr.kind {
            ExprKind::Index(_, i) => below.max(depth_of(i)),
            ExprKind::Slice(_, from, to) => from
                .iter()
                .chain(to.iter())
                .map(|x| depth_of(x))
                .fold(below, usize::max),
            _ => below,
        };
        built = Built::over(expr, below)?;
    }
    Ok(built)
}

fn null_expr() -> Expr {
    Expr {
        kind: ExprKind::Null,
        span: Span::default(),
    }
}

/// Applies one `property_lookup` or `index_or_slice` to `target`.
pub(super) fn lookup(target: Expr, p: Pair<'_, Rule>) -> PResult<ExprKind> {
    let span = span_of(&p);
    match p.as_rule() {
        Rule::property_lookup => {
            let key = p
                .into_inner()
                .find(|q| q.as_rule() == Rule::property_key_name)
                .map(|q| name_of(q))
                .unwrap_or_default();
            Ok(ExprKind::Property(Box::new(target), key))
        }
        Rule::index_or_slice => {
            for q in p.into_inner() {
                match q.as_rule() {
                    Rule::expression => {
                        return Ok(ExprKind::Index(Box::new(target), Box::new(expression(q)?)))
                    }
                    Rule::slice => {
                        let mut from = None;
                        let mut to = None;
                        for s in q.into_inner() {
                            match s.as_rule() {
                                Rule::slice_from => from = Some(Box::new(sub_expression(s)?)),
                                Rule::slice_to => to = Some(Box::new(sub_expression(s)?)),
                                _ => {}
                            }
                        }
                        return Ok(ExprKind::Slice(Box::new(target), from, to));
                    }
                    _ => {}
                }
            }
            Err(unexpected(Rule::index_or_slice, span))
        }
        r => Err(unexpected(r, span)),
    }
}

/// The single `expression` child of a wrapper rule.
pub(super) fn sub_expression(pair: Pair<'_, Rule>) -> PResult<Expr> {
    let span = span_of(&pair);
    match pair.into_inner().find(|p| p.as_rule() == Rule::expression) {
        Some(e) => expression(e),
        None => Err(unexpected(Rule::expression, span)),
    }
}

/// A comprehension's `WHERE` (its expression reads `|` as grammar rule `where_expression` says).
fn where_expression(pair: Pair<'_, Rule>) -> PResult<Expr> {
    let span = span_of(&pair);
    match pair
        .into_inner()
        .find(|p| p.as_rule() == Rule::where_expression)
    {
        Some(e) => expression(e),
        None => Err(unexpected(Rule::expression, span)),
    }
}

fn atom(p: Pair<'_, Rule>) -> PResult<Built> {
    let span = span_of(&p);
    let mk = |kind| Ok(Built::plain(Expr { kind, span }));
    match p.as_rule() {
        Rule::integer => match literal::integer(p.as_str(), span)? {
            IntToken::Value(v) => mk(ExprKind::Int(v)),
            IntToken::MinMagnitude => Ok(Built {
                expr: Expr {
                    kind: ExprKind::Int(0),
                    span,
                },
                chain_tail: None,
                min_magnitude: Some(p.as_str().to_string()),
                depth: 1,
            }),
        },
        Rule::float => mk(ExprKind::Float(literal::float(p.as_str(), span)?)),
        Rule::string => {
            let body = p.into_inner().next();
            let (text, start) = body
                .map(|b| (b.as_str(), b.as_span().start()))
                .unwrap_or(("", span.start));
            mk(ExprKind::String(literal::string(text, start)?))
        }
        Rule::boolean => mk(ExprKind::Bool(p.as_str().eq_ignore_ascii_case("true"))),
        Rule::null => mk(ExprKind::Null),
        Rule::parameter => mk(ExprKind::Parameter(literal::name(&p.as_str()[1..]))),
        Rule::map_literal => mk(map_literal(p)?),
        Rule::list_literal => {
            let items = p
                .into_inner()
                .filter(|q| q.as_rule() == Rule::expression)
                .map(expression)
                .collect::<PResult<Vec<_>>>()?;
            mk(ExprKind::List(items))
        }
        Rule::variable => mk(ExprKind::Variable(name_of(p))),
        Rule::parenthesized => Ok(Built::plain(sub_expression(p)?)),
        Rule::count_star => mk(ExprKind::CountStar),
        Rule::case_expression => mk(case(p)?),
        Rule::function_call => mk(function_call(p)?),
        Rule::trim_function => mk(trim_function(p)?),
        Rule::list_comprehension => mk(list_comprehension(p)?),
        Rule::pattern_comprehension => mk(pattern_comprehension(p)?),
        Rule::quantifier => mk(quantifier(p)?),
        Rule::reduce => mk(reduce(p)?),
        Rule::pattern_predicate => {
            let el = p
                .into_inner()
                .next()
                .map(relationships_pattern)
                .ok_or_else(|| unexpected(Rule::pattern_predicate, span))??;
            mk(ExprKind::PatternPredicate(Box::new(el)))
        }
        Rule::subquery_expression => mk(subquery_expression(p)?),
        Rule::map_projection => mk(map_projection(p)?),
        r => Err(unexpected(r, span)),
    }
}

pub(super) fn map_literal(p: Pair<'_, Rule>) -> PResult<ExprKind> {
    let mut entries = Vec::new();
    for e in p.into_inner().filter(|q| q.as_rule() == Rule::map_entry) {
        let mut key = String::new();
        let mut value = None;
        for q in e.into_inner() {
            match q.as_rule() {
                Rule::property_key_name => key = name_of(q),
                // A quoted key: only a parameter value's grammar lets one through.
                Rule::string => {
                    let body = q.into_inner().next();
                    let (text, start) = body
                        .map(|b| (b.as_str(), b.as_span().start()))
                        .unwrap_or(("", 0));
                    key = literal::string(text, start)?;
                }
                Rule::expression => value = Some(expression(q)?),
                _ => {}
            }
        }
        if let Some(v) = value {
            entries.push((key, v));
        }
    }
    Ok(ExprKind::Map(entries))
}

fn case(p: Pair<'_, Rule>) -> PResult<ExprKind> {
    let span = span_of(&p);
    let mut operand: Option<Box<Expr>> = None;
    let mut alternatives = Vec::new();
    let mut else_ = None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::expression => operand = Some(Box::new(expression(q)?)),
            Rule::case_alternative => {
                let mut conds = Vec::new();
                let mut then = None;
                for r in q.into_inner() {
                    match r.as_rule() {
                        Rule::case_when => conds.push(r),
                        Rule::expression => then = Some(expression(r)?),
                        _ => {}
                    }
                }
                if let Some(t) = then {
                    alternatives.push((conds, t));
                }
            }
            Rule::case_else => else_ = Some(Box::new(sub_expression(q)?)),
            _ => {}
        }
    }
    // A plain simple CASE (one value per WHEN) keeps its operand; the extended forms become
    // the generic CASE, each WHEN a disjunction of `operand <op> value` tests.
    let plain = alternatives.iter().all(|(conds, _)| {
        conds.len() == 1
            && conds[0]
                .clone()
                .into_inner()
                .next()
                .is_some_and(|c| c.as_rule() == Rule::expression)
    });
    let mut whens = Vec::with_capacity(alternatives.len());
    if plain || operand.is_none() {
        for (conds, then) in alternatives {
            if conds.len() != 1 {
                return Err(extended_without_operand(span));
            }
            for c in conds {
                let inner = c
                    .into_inner()
                    .next()
                    .ok_or_else(|| unexpected(Rule::case_when, span))?;
                if inner.as_rule() != Rule::expression {
                    return Err(extended_without_operand(span));
                }
                whens.push((expression(inner)?, then.clone()));
            }
        }
        return Ok(ExprKind::Case {
            operand,
            whens,
            else_,
        });
    }
    let test = operand.ok_or_else(|| unexpected(Rule::case_expression, span))?;
    for (conds, then) in alternatives {
        let mut any: Option<Expr> = None;
        for c in conds {
            let cond = extended_when(&test, c)?;
            any = Some(match any {
                None => cond,
                Some(prev) => Expr {
                    span: join(prev.span, cond.span),
                    kind: ExprKind::Binary(BinaryOp::Or, Box::new(prev), Box::new(cond)),
                },
            });
        }
        if let Some(cond) = any {
            whens.push((cond, then));
        }
    }
    Ok(ExprKind::Case {
        operand: None,
        whens,
        else_,
    })
}

/// `IS [NOT] [form] NORMALIZED`: (negated, form), for the postfix operator and for a
/// simple CASE's `WHEN IS … NORMALIZED`.
fn normalized_test(op: Pair<'_, Rule>) -> (bool, NormalForm) {
    let mut negated = false;
    let mut form = NormalForm::default();
    for part in op.into_inner() {
        match part.as_rule() {
            Rule::NOT => negated = true,
            Rule::normal_form => form = NormalForm::parse(part.as_str()).unwrap_or_default(),
            _ => {}
        }
    }
    (negated, form)
}

fn extended_without_operand(span: Span) -> QueryError {
    QueryError::syntax(
        "InvalidCaseExpression",
        "several values or a comparison operator after WHEN need a test expression: \
         `CASE x WHEN 1, 2 THEN …` or `CASE x WHEN < 20 THEN …`",
    )
    .at(span)
}

/// One WHEN of an extended simple CASE as a test on `test`: `test = v`, `test < v`,
/// `test IS NULL`, `test IS TYPED T`, `test STARTS WITH v`, ….
fn extended_when(test: &Expr, c: Pair<'_, Rule>) -> PResult<Expr> {
    let span = span_of(&c);
    let inner = c
        .into_inner()
        .next()
        .ok_or_else(|| unexpected(Rule::case_when, span))?;
    let operand = Box::new(test.clone());
    let kind = match inner.as_rule() {
        Rule::expression => ExprKind::Binary(BinaryOp::Eq, operand, Box::new(expression(inner)?)),
        Rule::case_infix => {
            let mut parts = inner.into_inner();
            let (Some(op), Some(value)) = (parts.next(), parts.next()) else {
                return Err(unexpected(Rule::case_infix, span));
            };
            ExprKind::Binary(
                binary_op(op.as_rule()),
                operand,
                Box::new(expression(value)?),
            )
        }
        Rule::case_postfix => {
            let op = inner
                .into_inner()
                .next()
                .ok_or_else(|| unexpected(Rule::case_postfix, span))?;
            match op.as_rule() {
                Rule::op_is_null | Rule::op_is_not_null => ExprKind::IsNull {
                    expr: operand,
                    negated: op.as_rule() == Rule::op_is_not_null,
                },
                Rule::op_is_typed => {
                    let (ty, negated) = super::types::type_predicate(op)?;
                    ExprKind::TypeTest {
                        expr: operand,
                        ty,
                        negated,
                    }
                }
                _ => {
                    let (negated, form) = normalized_test(op);
                    ExprKind::Normalized {
                        expr: operand,
                        form,
                        negated,
                    }
                }
            }
        }
        r => return Err(unexpected(r, span)),
    };
    Ok(Expr { kind, span })
}

fn function_call(p: Pair<'_, Rule>) -> PResult<ExprKind> {
    let mut name = String::new();
    let mut distinct = false;
    let mut args = Vec::new();
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::function_name => {
                name = q
                    .into_inner()
                    .map(|s| literal::name(s.as_str()))
                    .collect::<Vec<_>>()
                    .join(".")
            }
            Rule::DISTINCT => distinct = true,
            Rule::expression => args.push(expression(q)?),
            _ => {}
        }
    }
    // `normalize(s, NFKC)`: the form is a keyword, not a variable (Neo4j 5's grammar).
    if name.eq_ignore_ascii_case("normalize") {
        if let Some(form) = args.get_mut(1) {
            if let ExprKind::Variable(v) = &form.kind {
                if NormalForm::parse(v).is_some() {
                    form.kind = ExprKind::String(v.to_ascii_uppercase());
                }
            }
        }
    }
    Ok(ExprKind::Function {
        name,
        distinct,
        args,
    })
}

/// Pieces shared by comprehensions and quantifiers.
#[derive(Default)]
struct Comprehension {
    variable: Option<Variable>,
    list: Option<Expr>,
    predicate: Option<Box<Expr>>,
    projection: Option<Box<Expr>>,
}

fn comprehension_parts(p: Pair<'_, Rule>) -> PResult<Comprehension> {
    let mut c = Comprehension::default();
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::variable => c.variable = Some(variable(q)),
            Rule::expression => c.list = Some(expression(q)?),
            Rule::comprehension_where => c.predicate = Some(Box::new(where_expression(q)?)),
            Rule::quantifier_where => c.predicate = Some(Box::new(sub_expression(q)?)),
            Rule::comprehension_projection => c.projection = Some(Box::new(sub_expression(q)?)),
            _ => {}
        }
    }
    Ok(c)
}

fn list_comprehension(p: Pair<'_, Rule>) -> PResult<ExprKind> {
    let span = span_of(&p);
    let c = comprehension_parts(p)?;
    let (Some(variable), Some(list)) = (c.variable, c.list) else {
        return Err(unexpected(Rule::list_comprehension, span));
    };
    Ok(ExprKind::ListComprehension {
        variable,
        list: Box::new(list),
        predicate: c.predicate,
        projection: c.projection,
    })
}

fn quantifier(p: Pair<'_, Rule>) -> PResult<ExprKind> {
    let span = span_of(&p);
    let kind = match p.clone().into_inner().next().map(|k| k.as_rule()) {
        Some(Rule::ALL) => Quantifier::All,
        Some(Rule::ANY_KW) => Quantifier::Any,
        Some(Rule::NONE) => Quantifier::None,
        _ => Quantifier::Single,
    };
    let c = comprehension_parts(p)?;
    let (Some(variable), Some(list)) = (c.variable, c.list) else {
        return Err(unexpected(Rule::quantifier, span));
    };
    Ok(ExprKind::Quantifier {
        kind,
        variable,
        list: Box::new(list),
        predicate: c.predicate,
    })
}

fn pattern_comprehension(p: Pair<'_, Rule>) -> PResult<ExprKind> {
    let span = span_of(&p);
    let mut var = None;
    let mut pat = None;
    let mut predicate = None;
    let mut projection = None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::variable => var = Some(variable(q)),
            Rule::relationships_pattern => pat = Some(relationships_pattern(q)?),
            Rule::comprehension_where => predicate = Some(Box::new(where_expression(q)?)),
            Rule::expression => projection = Some(Box::new(expression(q)?)),
            _ => {}
        }
    }
    let (Some(mut pattern), Some(projection)) = (pat, projection) else {
        return Err(unexpected(Rule::pattern_comprehension, span));
    };
    let hoisted = super::patterns::hoist_element(&mut pattern);
    let predicate = super::patterns::conjoin(hoisted, predicate.map(|b| *b)).map(Box::new);
    Ok(ExprKind::PatternComprehension {
        variable: var,
        pattern: Box::new(pattern),
        predicate,
        projection,
    })
}

fn reduce(p: Pair<'_, Rule>) -> PResult<ExprKind> {
    let span = span_of(&p);
    let mut vars = Vec::new();
    let mut exprs = Vec::new();
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::variable => vars.push(variable(q)),
            Rule::expression => exprs.push(expression(q)?),
            _ => {}
        }
    }
    let mut exprs = exprs.into_iter();
    let mut vars = vars.into_iter();
    match (
        vars.next(),
        vars.next(),
        exprs.next(),
        exprs.next(),
        exprs.next(),
    ) {
        (Some(accumulator), Some(variable), Some(init), Some(list), Some(expr)) => {
            Ok(ExprKind::Reduce {
                accumulator,
                init: Box::new(init),
                variable,
                list: Box::new(list),
                expr: Box::new(expr),
            })
        }
        _ => Err(unexpected(Rule::reduce, span)),
    }
}

fn subquery_expression(p: Pair<'_, Rule>) -> PResult<ExprKind> {
    let span = span_of(&p);
    let mut kind = SubqueryKind::Exists;
    let mut pat = None;
    let mut where_ = None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::COUNT => kind = SubqueryKind::Count,
            Rule::COLLECT => kind = SubqueryKind::Collect,
            Rule::query => return Ok(ExprKind::Subquery(kind, Box::new(clauses::query(q)?))),
            Rule::pattern => pat = Some(pattern(q)?),
            Rule::where_clause => where_ = Some(sub_expression(q)?),
            _ => {}
        }
    }
    let mut pattern = pat.ok_or_else(|| unexpected(Rule::subquery_expression, span))?;
    let hoisted = super::patterns::hoist_predicates(&mut pattern);
    let where_ = super::patterns::conjoin(hoisted, where_);
    // `EXISTS { (a)-->(b) WHERE … }` is short for `EXISTS { MATCH (a)-->(b) WHERE … }`.
    let m = Match {
        optional: false,
        pattern,
        where_,
        span,
    };
    Ok(ExprKind::Subquery(
        kind,
        Box::new(Query {
            first: SingleQuery {
                clauses: vec![Clause::Match(m)],
                span,
            },
            unions: Vec::new(),
            span,
        }),
    ))
}

/// `trim([BOTH | LEADING | TRAILING] [chars] FROM s)` as `btrim` / `ltrim` / `rtrim`.
fn trim_function(p: Pair<'_, Rule>) -> PResult<ExprKind> {
    let mut name = "btrim";
    let mut exprs = Vec::new();
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::trim_spec => {
                name = match q.into_inner().next().map(|k| k.as_rule()) {
                    Some(Rule::LEADING) => "ltrim",
                    Some(Rule::TRAILING) => "rtrim",
                    _ => "btrim",
                }
            }
            Rule::expression => exprs.push(expression(q)?),
            _ => {}
        }
    }
    // The source is last; the characters, if given, come first.
    let source = exprs.pop();
    let mut args: Vec<Expr> = source.into_iter().collect();
    args.extend(exprs.pop());
    Ok(ExprKind::Function {
        name: name.into(),
        distinct: false,
        args,
    })
}

fn map_projection(p: Pair<'_, Rule>) -> PResult<ExprKind> {
    let span = span_of(&p);
    let mut var = None;
    let mut items = Vec::new();
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::variable if var.is_none() => var = Some(variable(q)),
            Rule::map_projection_all => items.push(MapProjectionItem::AllProperties),
            Rule::map_projection_property => {
                let key = q
                    .into_inner()
                    .find(|r| r.as_rule() == Rule::property_key_name)
                    .map(name_of)
                    .unwrap_or_default();
                items.push(MapProjectionItem::Property(key));
            }
            Rule::map_projection_literal => {
                let mut key = String::new();
                let mut value = None;
                for r in q.into_inner() {
                    match r.as_rule() {
                        Rule::property_key_name => key = name_of(r),
                        Rule::expression => value = Some(expression(r)?),
                        _ => {}
                    }
                }
                if let Some(v) = value {
                    items.push(MapProjectionItem::Literal(key, v));
                }
            }
            Rule::map_projection_variable => {
                if let Some(v) = q.into_inner().next() {
                    items.push(MapProjectionItem::Variable(variable(v)));
                }
            }
            _ => {}
        }
    }
    let variable = var.ok_or_else(|| unexpected(Rule::map_projection, span))?;
    Ok(ExprKind::MapProjection { variable, items })
}
