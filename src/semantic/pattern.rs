//! Pattern checks: binding node and relationship variables in MATCH, CREATE, MERGE, pattern
//! comprehensions and pattern predicates, with the rules each of them adds.

use super::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Match,
    Create,
    Merge,
    /// A pattern comprehension: binds new variables in its own scope.
    Comprehension,
    /// A pattern predicate: may only use variables already bound.
    Predicate,
}

pub(super) fn bind_pattern(
    pattern: &[PatternPart],
    scope: &mut Scope,
    mode: Mode,
) -> Result<(), QueryError> {
    let before = scope.clone();
    let mut rels_here: HashSet<String> = HashSet::new();
    let mut bound_here: HashSet<String> = HashSet::new();
    for part in pattern {
        let el = &part.element;
        // MATCH, pattern comprehensions and EXISTS / COUNT / COLLECT patterns moved their
        // `(n WHERE …)` predicates into a WHERE when parsed, except in a selective path
        // pattern, which checks them during its search; any others are in the wrong place.
        let selective = matches!(part.kind, PathKind::Selector(_)) && mode == Mode::Match;
        let predicates = std::iter::once(el.start.where_.as_deref()).chain(
            el.chain
                .iter()
                .flat_map(|(r, n)| [r.where_.as_deref(), n.where_.as_deref()]),
        );
        if let Some(w) = predicates.flatten().next().filter(|_| !selective) {
            let place = match mode {
                Mode::Create => "CREATE",
                Mode::Merge => "MERGE",
                _ => "a pattern used as an expression",
            };
            return Err(err(
                "InvalidPatternPredicate",
                format!("a WHERE inside a node or relationship pattern is not allowed in {place}"),
                w.span,
            ));
        }
        let lone = el.chain.is_empty();
        bind_node(&el.start, lone, scope, &before, &mut bound_here, mode)?;
        for (rel, node) in &el.chain {
            match &rel.quantified {
                Some(q) => bind_quantified(q, scope, mode)?,
                None => bind_rel(rel, scope, &mut rels_here, mode)?,
            }
            bind_node(node, false, scope, &before, &mut bound_here, mode)?;
        }
        if let Some(p) = &part.variable {
            if mode == Mode::Predicate {
                return Err(err(
                    "UnexpectedSyntax",
                    "a pattern predicate cannot name its path",
                    p.span,
                ));
            }
            if scope.get(&p.name).is_some() {
                return Err(already_bound(p));
            }
            scope.bind(&p.name, Ty::Path);
        }
    }
    // Property expressions may refer to anything bound by the pattern itself.
    for part in pattern {
        let el = &part.element;
        if matches!(part.kind, PathKind::Selector(_)) {
            let wheres = std::iter::once(el.start.where_.as_deref())
                .chain(
                    el.chain
                        .iter()
                        .flat_map(|(r, n)| [r.where_.as_deref(), n.where_.as_deref()]),
                )
                .chain([part.where_.as_deref()]);
            for w in wheres.flatten() {
                where_(w, scope)?;
            }
        }
        let props = std::iter::once(&el.start.properties).chain(
            el.chain
                .iter()
                .flat_map(|(r, n)| [&r.properties, &n.properties]),
        );
        // Dynamic labels and types, like property maps, may read what the pattern binds.
        let nodes = std::iter::once(&el.start).chain(el.chain.iter().map(|(_, n)| n));
        for n in nodes {
            if let Some(test) = &n.label_expr {
                for d in test.dynamic_exprs() {
                    expr(d, scope, Ctx::default())?;
                }
            }
        }
        for (r, _) in &el.chain {
            for d in &r.dynamic_types {
                expr(&d.expr, scope, Ctx::default())?;
            }
            for d in r.type_expr.iter().flat_map(|t| t.dynamic_exprs()) {
                expr(d, scope, Ctx::default())?;
            }
        }
        for p in props.flatten() {
            if matches!(mode, Mode::Match | Mode::Merge) {
                if let ExprKind::Parameter(_) = p.kind {
                    return Err(err(
                        "InvalidParameterUse",
                        "a parameter cannot be used as a property map in MATCH or MERGE; write {key: $param.key}",
                        p.span,
                    ));
                }
            }
            expr(p, scope, Ctx::default())?;
        }
    }
    Ok(())
}

/// A quantified path pattern: its variables are singletons inside it (where its predicates are
/// checked) and lists outside it (group variables). They must be new: Neo4j 5 allows no
/// equijoin on a variable inside a quantified path pattern.
fn bind_quantified(q: &QuantifiedPath, scope: &mut Scope, mode: Mode) -> Result<(), QueryError> {
    if matches!(mode, Mode::Create | Mode::Merge) {
        return Err(err(
            "InvalidQuantifiedPath",
            "a quantified path pattern cannot be created",
            q.span,
        ));
    }
    let el = &q.element;
    let mut inner = scope.clone();
    let mut groups: Vec<(String, Ty)> = Vec::new();
    let mut declare = |v: &Option<Variable>, ty: Ty| -> Result<(), QueryError> {
        let Some(v) = v else { return Ok(()) };
        if scope.get(&v.name).is_some() || groups.iter().any(|(n, _)| *n == v.name) {
            return Err(err(
                "VariableAlreadyBound",
                format!(
                    "variable `{}` is already bound; a variable inside a quantified path pattern must be new (it is a list outside)",
                    v.name
                ),
                v.span,
            ));
        }
        inner.bind(&v.name, ty.clone());
        groups.push((v.name.clone(), ty));
        Ok(())
    };
    declare(&el.start.variable, Ty::Node)?;
    for (r, n) in &el.chain {
        declare(&r.variable, Ty::Rel)?;
        declare(&n.variable, Ty::Node)?;
    }
    let nodes = std::iter::once(&el.start).chain(el.chain.iter().map(|(_, n)| n));
    for n in nodes {
        if let Some(p) = &n.properties {
            expr(p, &inner, Ctx::default())?;
        }
        if let Some(w) = &n.where_ {
            where_(w, &inner)?;
        }
    }
    for (r, _) in &el.chain {
        if let Some(p) = &r.properties {
            expr(p, &inner, Ctx::default())?;
        }
        if let Some(w) = &r.where_ {
            where_(w, &inner)?;
        }
    }
    if let Some(w) = &q.where_ {
        where_(w, &inner)?;
    }
    for (name, ty) in groups {
        let list = match ty {
            Ty::Rel => Ty::RelList,
            t => Ty::List(Box::new(t)),
        };
        scope.bind(&name, list);
    }
    Ok(())
}

fn bind_node(
    n: &NodePattern,
    lone: bool,
    scope: &mut Scope,
    before: &Scope,
    bound_here: &mut HashSet<String>,
    mode: Mode,
) -> Result<(), QueryError> {
    if let (Some(test), Mode::Create | Mode::Merge) = (&n.label_expr, mode) {
        // Dynamic labels `:$(expr)` are the one label expression they accept.
        match test.dynamic_conjuncts() {
            Some(ds) => {
                if let Some(d) = ds.iter().find(|d| d.any) {
                    return Err(any_outside_match(d.span));
                }
            }
            None => {
                return Err(err(
                    "InvalidLabelExpression",
                    format!(
                        "CREATE and MERGE need plain labels (`:A:B`, `:A&B` or `:$(expr)`), not the label expression `{test}`"
                    ),
                    n.span,
                ))
            }
        }
    }
    let Some(v) = &n.variable else {
        return Ok(());
    };
    match scope.get(&v.name) {
        None if mode == Mode::Predicate => Err(undefined(&v.name, v.span)),
        None => {
            scope.bind(&v.name, Ty::Node);
            bound_here.insert(v.name.clone());
            Ok(())
        }
        Some(t) => {
            if !matches!(t, Ty::Node | Ty::Any | Ty::Null) {
                return Err(err(
                    "VariableTypeConflict",
                    format!("variable `{}` is {}, not a node", v.name, t.name()),
                    v.span,
                ));
            }
            let creating = matches!(mode, Mode::Create | Mode::Merge);
            let earlier = before.get(&v.name).is_some() || bound_here.contains(&v.name);
            if creating && earlier && (lone || !n.labels.is_empty() || n.properties.is_some()) {
                return Err(already_bound(v));
            }
            Ok(())
        }
    }
}

fn bind_rel(
    r: &RelPattern,
    scope: &mut Scope,
    rels_here: &mut HashSet<String>,
    mode: Mode,
) -> Result<(), QueryError> {
    let creating = matches!(mode, Mode::Create | Mode::Merge);
    if let Some(v) = &r.variable {
        if creating && scope.get(&v.name).is_some() {
            return Err(already_bound(v));
        }
    }
    if matches!(mode, Mode::Create | Mode::Merge) {
        if let Some(d) = r.dynamic_types.iter().find(|d| d.any) {
            return Err(any_outside_match(d.span));
        }
        if let Some(test) = &r.type_expr {
            // Neo4j 5: a relationship created or merged has exactly one type, named plainly.
            let clause = if mode == Mode::Create {
                "CREATE"
            } else {
                "MERGE"
            };
            return Err(err(
                "InvalidRelationshipTypeExpression",
                format!(
                    "Relationship type expressions in patterns are not allowed in a {clause} clause, but only in a MATCH clause (`:{test}`)"
                ),
                r.span,
            ));
        }
        if r.types.len() + r.dynamic_types.len() != 1 {
            return Err(err(
                "NoSingleRelationshipType",
                "a relationship must have exactly one type to be created",
                r.span,
            ));
        }
        if mode == Mode::Create && r.direction == RelDirection::Undirected {
            return Err(err(
                "RequiresDirectedRelationship",
                "only directed relationships can be created",
                r.span,
            ));
        }
        if r.length.is_some() {
            return Err(err(
                "CreatingVarLength",
                "variable-length relationships cannot be created",
                r.span,
            ));
        }
    }
    let Some(v) = &r.variable else {
        return Ok(());
    };
    let ty = if r.length.is_some() {
        Ty::RelList
    } else {
        Ty::Rel
    };
    match scope.get(&v.name) {
        None if mode == Mode::Predicate => Err(undefined(&v.name, v.span)),
        None => {
            scope.bind(&v.name, ty);
            rels_here.insert(v.name.clone());
            Ok(())
        }
        Some(t) => {
            if !matches!(t, Ty::Rel | Ty::RelList | Ty::Any | Ty::Null | Ty::List(_)) {
                return Err(err(
                    "VariableTypeConflict",
                    format!("variable `{}` is {}, not a relationship", v.name, t.name()),
                    v.span,
                ));
            }
            if matches!(t, Ty::List(_)) && r.length.is_none() {
                return Err(err(
                    "VariableTypeConflict",
                    format!("variable `{}` is a list, not a relationship", v.name),
                    v.span,
                ));
            }
            if matches!(mode, Mode::Create | Mode::Merge) {
                return Err(already_bound(v));
            }
            if rels_here.contains(&v.name) {
                return Err(err(
                    "RelationshipUniquenessViolation",
                    format!(
                        "relationship `{}` cannot be matched twice in one pattern",
                        v.name
                    ),
                    v.span,
                ));
            }
            Ok(())
        }
    }
}

/// `$any(…)` names no definite labels or type: only MATCH (and predicates) may use it.
fn any_outside_match(span: Span) -> QueryError {
    err(
        "InvalidDynamicLabel",
        "`$any(…)` is only allowed in MATCH; CREATE, MERGE and SET take `$(…)`",
        span,
    )
}
