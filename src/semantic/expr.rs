//! Expression checks: variable scoping, aggregation placement, literal type misuse, function
//! names and arity; plus the expression-walking helpers the clause checks share.

use super::*;

pub(super) use crate::functions::is_aggregate_call;

pub(super) fn has_aggregate(e: &Expr) -> bool {
    if is_aggregate_call(e) {
        return true;
    }
    let mut found = false;
    children(e, &mut |c| found = found || has_aggregate(c));
    found
}

pub(super) fn has_variables(e: &Expr) -> bool {
    !free_vars(e).is_empty()
}

/// Variables referenced by `e` (ignoring ones bound inside comprehensions).
pub(super) fn free_vars(e: &Expr) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    collect_vars(e, &mut Vec::new(), &mut out);
    out
}

pub(super) fn collect_vars(e: &Expr, local: &mut Vec<String>, out: &mut Vec<(String, Span)>) {
    match &e.kind {
        ExprKind::Variable(v) => {
            if !local.contains(v) {
                out.push((v.clone(), e.span));
            }
        }
        ExprKind::MapProjection { variable, .. } if !local.contains(&variable.name) => {
            out.push((variable.name.clone(), variable.span));
            children(e, &mut |c| collect_vars(c, local, out));
        }
        ExprKind::PatternPredicate(_)
        | ExprKind::PatternComprehension { .. }
        | ExprKind::Subquery(..) => {
            // Patterns refer to graph variables; treat them as non-constant.
            out.push((String::new(), e.span));
        }
        _ => {
            let _ = scoped_children::<std::convert::Infallible>(e, local, &mut |c, local| {
                collect_vars(c, local, out);
                Ok(())
            });
        }
    }
}

/// A visitor of sub-expressions that receives the locally bound variable names.
pub(super) type ScopedVisit<'a, E> = dyn FnMut(&Expr, &mut Vec<String>) -> Result<(), E> + 'a;

/// Calls `f` on each direct sub-expression of `e` with `local` holding the variables that
/// sub-expression sees: the variables a list comprehension, quantifier or `reduce` binds are
/// pushed for the parts inside their scope (the list and the initial value are outside).
/// Stops at the first error.
pub(super) fn scoped_children<E>(
    e: &Expr,
    local: &mut Vec<String>,
    f: &mut ScopedVisit<'_, E>,
) -> Result<(), E> {
    let (outside, binders, inside): (Vec<&Expr>, Vec<&str>, Vec<&Expr>) = match &e.kind {
        ExprKind::ListComprehension {
            variable,
            list,
            predicate,
            projection,
        } => (
            vec![list],
            vec![&variable.name],
            predicate
                .iter()
                .chain(projection.iter())
                .map(|x| &**x)
                .collect(),
        ),
        ExprKind::Quantifier {
            variable,
            list,
            predicate,
            ..
        } => (
            vec![list],
            vec![&variable.name],
            predicate.iter().map(|x| &**x).collect(),
        ),
        ExprKind::Reduce {
            accumulator,
            init,
            variable,
            list,
            expr,
        } => (
            vec![init, list],
            vec![&accumulator.name, &variable.name],
            vec![expr],
        ),
        _ => {
            let mut result = Ok(());
            children(e, &mut |c| {
                if result.is_ok() {
                    result = f(c, local);
                }
            });
            return result;
        }
    };
    for x in outside {
        f(x, local)?;
    }
    let depth = local.len();
    local.extend(binders.into_iter().map(String::from));
    let result = inside.into_iter().try_for_each(|x| f(x, local));
    local.truncate(depth);
    result
}

/// Calls `f` on each direct sub-expression.
pub(super) fn children<'a>(e: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    match &e.kind {
        ExprKind::List(items) => items.iter().for_each(f),
        ExprKind::Map(entries) => entries.iter().for_each(|(_, v)| f(v)),
        ExprKind::Property(t, _) => f(t),
        ExprKind::Index(a, b) => {
            f(a);
            f(b)
        }
        ExprKind::Slice(a, b, c) => {
            f(a);
            b.iter().chain(c.iter()).for_each(|x| f(x))
        }
        ExprKind::Unary(_, a) => f(a),
        ExprKind::Binary(_, a, b) => {
            f(a);
            f(b)
        }
        ExprKind::IsNull { expr, .. }
        | ExprKind::TypeTest { expr, .. }
        | ExprKind::Normalized { expr, .. } => f(expr),
        ExprKind::HasLabels(a, _) => f(a),
        ExprKind::LabelTest(a, test) => {
            f(a);
            test.dynamic_exprs().into_iter().for_each(f)
        }
        ExprKind::Function { args, .. } => args.iter().for_each(f),
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => {
            operand.iter().for_each(|x| f(x));
            for (w, t) in whens {
                f(w);
                f(t);
            }
            else_.iter().for_each(|x| f(x));
        }
        ExprKind::ListComprehension {
            list,
            predicate,
            projection,
            ..
        } => {
            f(list);
            predicate.iter().chain(projection.iter()).for_each(|x| f(x));
        }
        ExprKind::Quantifier {
            list, predicate, ..
        } => {
            f(list);
            predicate.iter().for_each(|x| f(x));
        }
        ExprKind::Reduce {
            init, list, expr, ..
        } => {
            f(init);
            f(list);
            f(expr)
        }
        ExprKind::MapProjection { items, .. } => {
            for i in items {
                if let MapProjectionItem::Literal(_, v) = i {
                    f(v)
                }
            }
        }
        ExprKind::PatternComprehension {
            predicate,
            projection,
            ..
        } => {
            predicate.iter().for_each(|x| f(x));
            f(projection)
        }
        _ => {}
    }
}

/// Structural equality ignoring spans (`a.x` in ORDER BY is the projected `a.x`).
pub(super) fn same(a: &Expr, b: &Expr) -> bool {
    fn strip(e: &Expr) -> String {
        let s = format!("{:?}", e);
        let mut out = String::with_capacity(s.len());
        let mut rest = s.as_str();
        while let Some(i) = rest.find("span: Span {") {
            out.push_str(&rest[..i]);
            match rest[i..].find('}') {
                Some(j) => rest = &rest[i + j + 1..],
                None => {
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
    strip(a) == strip(b)
}

pub(super) fn expr(e: &Expr, scope: &Scope, ctx: Ctx) -> Result<Ty, QueryError> {
    let inner = ctx;
    Ok(match &e.kind {
        ExprKind::Null => Ty::Null,
        ExprKind::Bool(_) => Ty::Bool,
        ExprKind::Int(_) => Ty::Int,
        ExprKind::Float(_) => Ty::Float,
        ExprKind::String(_) => Ty::Str,
        ExprKind::Parameter(_) => Ty::Any,
        ExprKind::Variable(v) => scope.get(v).cloned().ok_or_else(|| undefined(v, e.span))?,
        ExprKind::List(items) => {
            let mut elem: Option<Ty> = None;
            for i in items {
                let t = expr(i, scope, inner)?;
                elem = Some(match elem {
                    None => t,
                    Some(prev) if prev == t => prev,
                    Some(_) => Ty::Any,
                });
            }
            Ty::List(Box::new(elem.unwrap_or(Ty::Any)))
        }
        ExprKind::Map(entries) => {
            for (_, v) in entries {
                expr(v, scope, inner)?;
            }
            Ty::Map
        }
        ExprKind::Property(t, key) => {
            let tt = expr(t, scope, inner)?;
            match tt {
                Ty::Bool | Ty::Int | Ty::Float | Ty::Str | Ty::List(_) => {
                    return Err(QueryError::new(
                        ErrorClass::TypeError,
                        "InvalidArgumentType",
                        Phase::Compile,
                        format!("cannot read property `{key}` of {}", tt.name()),
                    )
                    .at(e.span))
                }
                Ty::Path | Ty::RelList => {
                    return Err(err(
                        "InvalidArgumentType",
                        format!("cannot read property `{key}` of {}", tt.name()),
                        e.span,
                    ))
                }
                _ => Ty::Any,
            }
        }
        ExprKind::Index(a, b) => {
            let ta = expr(a, scope, inner)?;
            expr(b, scope, inner)?;
            match ta {
                Ty::List(elem) => *elem,
                _ => Ty::Any,
            }
        }
        ExprKind::Slice(a, b, c) => {
            let ta = expr(a, scope, inner)?;
            for x in b.iter().chain(c.iter()) {
                expr(x, scope, inner)?;
            }
            match ta {
                Ty::List(_) => ta,
                _ => Ty::Any,
            }
        }
        ExprKind::Unary(op, a) => {
            let t = expr(a, scope, inner)?;
            match op {
                UnaryOp::Not => {
                    boolean_operand(&t, a, "NOT")?;
                    Ty::Bool
                }
                _ => match t {
                    Ty::Int | Ty::Float => t,
                    _ => Ty::Any,
                },
            }
        }
        ExprKind::Binary(op, a, b) => binary(*op, a, b, scope, inner)?,
        ExprKind::IsNull { expr: a, .. }
        | ExprKind::TypeTest { expr: a, .. }
        | ExprKind::Normalized { expr: a, .. } => {
            expr(a, scope, inner)?;
            Ty::Bool
        }
        ExprKind::HasLabels(a, _) => {
            expr(a, scope, inner)?;
            Ty::Bool
        }
        ExprKind::LabelTest(a, test) => {
            expr(a, scope, inner)?;
            for d in test.dynamic_exprs() {
                expr(d, scope, inner)?;
            }
            Ty::Bool
        }
        ExprKind::CountStar => {
            aggregate_allowed(e, ctx)?;
            Ty::Int
        }
        ExprKind::Function { name, args, .. } => function(e, name, args, scope, ctx)?,
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => {
            for x in operand.iter().chain(else_.iter()) {
                expr(x, scope, inner)?;
            }
            for (w, t) in whens {
                expr(w, scope, inner)?;
                expr(t, scope, inner)?;
            }
            Ty::Any
        }
        ExprKind::ListComprehension {
            variable,
            list,
            predicate,
            projection,
        } => {
            let elem = element_type(iterated(expr(list, scope, inner)?, list)?);
            let mut local = scope.clone();
            local.bind(&variable.name, elem.clone());
            let nested = Ctx {
                aggregates: false,
                ..inner
            };
            if let Some(p) = predicate {
                nested_aggregate(p)?;
                expr(p, &local, nested)?;
            }
            match projection {
                Some(p) => {
                    nested_aggregate(p)?;
                    Ty::List(Box::new(expr(p, &local, nested)?))
                }
                None => Ty::List(Box::new(elem)),
            }
        }
        ExprKind::Quantifier {
            variable,
            list,
            predicate,
            ..
        } => {
            let elem = element_type(iterated(expr(list, scope, inner)?, list)?);
            let mut local = scope.clone();
            local.bind(&variable.name, elem);
            if let Some(p) = predicate {
                nested_aggregate(p)?;
                expr(
                    p,
                    &local,
                    Ctx {
                        aggregates: false,
                        ..inner
                    },
                )?;
            }
            Ty::Bool
        }
        ExprKind::Reduce {
            accumulator,
            init,
            variable,
            list,
            expr: body,
        } => {
            expr(init, scope, inner)?;
            let elem = element_type(iterated(expr(list, scope, inner)?, list)?);
            let mut local = scope.clone();
            local.bind(&accumulator.name, Ty::Any);
            local.bind(&variable.name, elem);
            nested_aggregate(body)?;
            expr(
                body,
                &local,
                Ctx {
                    aggregates: false,
                    ..inner
                },
            )?;
            Ty::Any
        }
        ExprKind::MapProjection { variable, items } => {
            lookup_var(variable, scope)?;
            for i in items {
                match i {
                    MapProjectionItem::Literal(_, v) => {
                        expr(v, scope, inner)?;
                    }
                    MapProjectionItem::Variable(v) => {
                        lookup_var(v, scope)?;
                    }
                    _ => {}
                }
            }
            Ty::Map
        }
        ExprKind::PatternPredicate(el) => {
            if !ctx.patterns {
                return Err(err(
                    "UnexpectedSyntax",
                    "a pattern can only be used as a predicate in WHERE or inside exists(); use a pattern comprehension [(a)-->(b) | b] for a list",
                    e.span,
                ));
            }
            let mut local = scope.clone();
            let part = PatternPart {
                variable: None,
                kind: PathKind::Normal,
                element: (**el).clone(),
                where_: None,
                span: el.span,
            };
            bind_pattern(std::slice::from_ref(&part), &mut local, Mode::Predicate)?;
            Ty::Bool
        }
        ExprKind::PatternComprehension {
            variable,
            pattern,
            predicate,
            projection,
        } => {
            let mut local = scope.clone();
            let part = PatternPart {
                variable: variable.clone(),
                kind: PathKind::Normal,
                element: (**pattern).clone(),
                where_: None,
                span: pattern.span,
            };
            bind_pattern(std::slice::from_ref(&part), &mut local, Mode::Comprehension)?;
            let nested = Ctx {
                aggregates: false,
                patterns: true,
                ..inner
            };
            if let Some(p) = predicate {
                expr(p, &local, nested)?;
            }
            Ty::List(Box::new(expr(projection, &local, nested)?))
        }
        ExprKind::Subquery(kind, q) => {
            let columns = single_query(&q.first, scope, true)?;
            let mut all_kind: Option<bool> = None;
            for (all, sq) in &q.unions {
                if all_kind.is_some_and(|k| k != *all) {
                    return Err(err(
                        "InvalidClauseComposition",
                        "UNION and UNION ALL cannot be mixed in one query",
                        sq.span,
                    ));
                }
                all_kind = Some(*all);
                if !super::same_columns(&single_query(sq, scope, true)?, &columns) {
                    return Err(err(
                        "DifferentColumnsInUnion",
                        "all queries in a UNION must return the same columns",
                        sq.span,
                    ));
                }
            }
            match kind {
                SubqueryKind::Exists => Ty::Bool,
                SubqueryKind::Count => Ty::Int,
                SubqueryKind::Collect => {
                    if columns.len() != 1 {
                        return Err(err(
                            "InvalidClauseComposition",
                            "a COLLECT subquery must end with a RETURN of exactly one column",
                            e.span,
                        ));
                    }
                    Ty::List(Box::new(Ty::Any))
                }
            }
        }
    })
}

pub(super) fn element_type(t: Ty) -> Ty {
    match t {
        Ty::List(e) => *e,
        _ => Ty::Any,
    }
}

/// Aggregates inside comprehensions and reduce are not allowed.
pub(super) fn nested_aggregate(e: &Expr) -> Result<(), QueryError> {
    if has_aggregate(e) {
        return Err(err(
            "InvalidAggregation",
            "aggregate functions cannot be used inside list comprehensions, quantifiers or reduce",
            e.span,
        ));
    }
    Ok(())
}

pub(super) fn aggregate_allowed(e: &Expr, ctx: Ctx) -> Result<(), QueryError> {
    if ctx.in_aggregate {
        return Err(err(
            "NestedAggregation",
            "aggregate functions cannot be nested",
            e.span,
        ));
    }
    if !ctx.aggregates {
        return Err(err(
            "InvalidAggregation",
            "aggregate functions are only allowed in WITH and RETURN",
            e.span,
        ));
    }
    Ok(())
}

pub(super) fn boolean_operand(t: &Ty, e: &Expr, op: &str) -> Result<(), QueryError> {
    if t.not_boolean() {
        return Err(err(
            "InvalidArgumentType",
            format!("{op} expects booleans, got {}", t.name()),
            e.span,
        ));
    }
    Ok(())
}

/// The list a comprehension, quantifier or `reduce` iterates: a value known to be no list
/// (`[x IN 1 | x]`) is refused here, as Neo4j does; at run time a value that is not a list
/// (a property holding one string) is iterated as a list of itself (`expr/eval.rs`).
fn iterated(t: Ty, list: &Expr) -> Result<Ty, QueryError> {
    if matches!(
        t,
        Ty::Int | Ty::Float | Ty::Str | Ty::Bool | Ty::Map | Ty::Node | Ty::Rel | Ty::Path
    ) {
        return Err(err(
            "InvalidArgumentType",
            format!("expected a list to iterate, got {}", t.name()),
            list.span,
        ));
    }
    Ok(t)
}

pub(super) fn binary(
    op: BinaryOp,
    a: &Expr,
    b: &Expr,
    scope: &Scope,
    ctx: Ctx,
) -> Result<Ty, QueryError> {
    let ta = expr(a, scope, ctx)?;
    let tb = expr(b, scope, ctx)?;
    Ok(match op {
        BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => {
            let name = match op {
                BinaryOp::And => "AND",
                BinaryOp::Or => "OR",
                _ => "XOR",
            };
            boolean_operand(&ta, a, name)?;
            boolean_operand(&tb, b, name)?;
            Ty::Bool
        }
        BinaryOp::In => {
            if !matches!(tb, Ty::Any | Ty::Null | Ty::List(_)) {
                return Err(err(
                    "InvalidArgumentType",
                    format!("IN expects a list on the right, got {}", tb.name()),
                    b.span,
                ));
            }
            Ty::Bool
        }
        BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod | BinaryOp::Pow => {
            for (t, x) in [(&ta, a), (&tb, b)] {
                if matches!(
                    t,
                    Ty::Bool | Ty::Str | Ty::Map | Ty::Node | Ty::Rel | Ty::Path
                ) {
                    return Err(err(
                        "InvalidArgumentType",
                        format!("arithmetic is not defined for {}", t.name()),
                        x.span,
                    ));
                }
            }
            numeric(&ta, &tb)
        }
        BinaryOp::Concat => match (&ta, &tb) {
            (Ty::Str, Ty::Str) => Ty::Str,
            (Ty::List(_), Ty::List(_)) => Ty::List(Box::new(Ty::Any)),
            (x, _) | (_, x)
                if matches!(
                    x,
                    Ty::Int | Ty::Float | Ty::Bool | Ty::Map | Ty::Node | Ty::Rel | Ty::Path
                ) =>
            {
                return Err(err(
                    "InvalidArgumentType",
                    format!("`||` joins two strings or two lists, not {}", x.name()),
                    e_span(a, b),
                ));
            }
            _ => Ty::Any,
        },
        BinaryOp::Add => match (&ta, &tb) {
            (Ty::Str, Ty::Str | Ty::Int | Ty::Float) | (Ty::Int | Ty::Float, Ty::Str) => Ty::Str,
            (Ty::List(_), _) | (_, Ty::List(_)) => Ty::Any,
            _ => numeric(&ta, &tb),
        },
        _ => Ty::Bool,
    })
}

pub(super) fn numeric(a: &Ty, b: &Ty) -> Ty {
    match (a, b) {
        (Ty::Int, Ty::Int) => Ty::Int,
        (Ty::Int | Ty::Float, Ty::Int | Ty::Float) => Ty::Float,
        _ => Ty::Any,
    }
}

pub(super) fn function(
    e: &Expr,
    name: &str,
    args: &[Expr],
    scope: &Scope,
    ctx: Ctx,
) -> Result<Ty, QueryError> {
    let Some(info) = functions::lookup(name) else {
        if let Some(what) = unsupported_function(name) {
            return Err(QueryError::unsupported(what).at(e.span));
        }
        return Err(err(
            "UnknownFunction",
            format!("unknown function `{name}`"),
            e.span,
        ));
    };
    if args.len() < info.min_args || args.len() > info.max_args {
        let expected = if info.min_args == info.max_args {
            format!("{}", info.min_args)
        } else if info.max_args == usize::MAX {
            format!("at least {}", info.min_args)
        } else {
            format!("{} to {}", info.min_args, info.max_args)
        };
        return Err(err(
            "InvalidNumberOfArguments",
            format!(
                "function `{}` takes {expected} argument(s), got {}",
                info.name,
                args.len()
            ),
            e.span,
        ));
    }
    if ctx.in_aggregate && info.name.eq_ignore_ascii_case("rand") {
        return Err(err(
            "NonConstantExpression",
            "non-deterministic functions such as rand() cannot be used inside aggregates",
            e.span,
        ));
    }
    let mut arg_ctx = ctx;
    if info.aggregate {
        aggregate_allowed(e, ctx)?;
        arg_ctx.in_aggregate = true;
    }
    if info.name.eq_ignore_ascii_case("exists") {
        arg_ctx.patterns = true;
    }
    let mut types = Vec::new();
    for a in args {
        types.push(expr(a, scope, arg_ctx)?);
    }
    let lower = info.name.to_ascii_lowercase();
    if let (Some(t), Some(a)) = (types.first(), args.first()) {
        let bad = match lower.as_str() {
            "properties" => matches!(t, Ty::Bool | Ty::Int | Ty::Float | Ty::Str | Ty::List(_)),
            "type" => matches!(
                t,
                Ty::Node | Ty::Path | Ty::Bool | Ty::Int | Ty::Float | Ty::Str
            ),
            "labels" => matches!(
                t,
                Ty::Rel | Ty::Path | Ty::Bool | Ty::Int | Ty::Float | Ty::Str
            ),
            "length" => matches!(t, Ty::Node | Ty::Rel | Ty::Bool | Ty::Int | Ty::Float),
            "size" => matches!(
                t,
                Ty::Path | Ty::Node | Ty::Rel | Ty::Bool | Ty::Int | Ty::Float
            ),
            _ => false,
        };
        if bad {
            return Err(err(
                "InvalidArgumentType",
                format!("function `{}` does not accept {}", info.name, t.name()),
                a.span,
            ));
        }
    }
    Ok(match lower.as_str() {
        "count" | "size" | "length" | "id" | "tointeger" => Ty::Int,
        "tostring" | "type" | "tolower" | "toupper" | "trim" | "replace" | "substring" => Ty::Str,
        "startnode" | "endnode" => Ty::Node,
        "nodes" => Ty::List(Box::new(Ty::Node)),
        "relationships" => Ty::List(Box::new(Ty::Rel)),
        _ => Ty::Any,
    })
}

/// The span from the start of `a` to the end of `b`.
fn e_span(a: &Expr, b: &Expr) -> Span {
    Span::new(a.span.start.min(b.span.start), a.span.end.max(b.span.end))
}

/// Neo4j functions kgstore does not have, named as not supported rather than unknown.
fn unsupported_function(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let family = match lower.as_str() {
        // Neo4j 5 dropped it too; `point.distance()` is the function.
        "distance" => "Neo4j 4's distance (use point.distance)",
        "graph.names" | "graph.byname" | "graph.byelementid" | "graph.propertiesbyname" => {
            "composite databases"
        }
        "db.namefromelementid" => "database names",
        l if l.starts_with("vector") => "vector values",
        l if l.starts_with("apoc.") => "APOC (a Neo4j plugin)",
        l if l.starts_with("gds.") => "the Graph Data Science library (use CALL algo.*)",
        _ => return None,
    };
    Some(format!("{family}: `{name}()`"))
}
