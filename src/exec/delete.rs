//! DELETE / DETACH DELETE. Relationships go first and nodes last (after every row), so
//! `MATCH (a)-[r]-() DELETE r, a` works however the rows are ordered; a node that still has
//! relationships then fails the statement unless DETACH. When every deleted expression is a
//! variable (nothing evaluated reads the graph) the relationships of all rows go to the store
//! at once (`GraphWrite::delete_relationships`), which rewrites each end's list once.

use crate::ast::{Expr, ExprKind};
use crate::error::{QueryError, Result};
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::model::Direction;
use crate::value::Value;

pub struct Delete<'p> {
    pub input: BoxOp<'p>,
    pub exprs: &'p [Expr],
    pub detach: bool,
    pub cols: &'p [String],
    pub out: Option<std::vec::IntoIter<Row>>,
}

/// Deletes relationship `id`, keeping its type and ends for `type(r)` later in the statement.
fn delete_rel(ctx: &mut ExecCtx<'_>, id: u64) -> Result<()> {
    if let Some(mut r) = ctx.read().relationship(id)? {
        r.properties.clear();
        ctx.deleted_rels.borrow_mut().insert(id, r);
    }
    if ctx.write()?.delete_relationship(id)? {
        ctx.stats.relationships_deleted += 1;
    }
    Ok(())
}

impl Delete<'_> {
    fn collect(&self, v: Value, nodes: &mut Vec<u64>, rels: &mut Vec<u64>) -> Result<()> {
        match v {
            Value::Null => {}
            Value::NodeRef(id) => nodes.push(id),
            Value::Node(n) => nodes.push(n.id),
            Value::RelRef(id) => rels.push(id),
            Value::Relationship(r) => rels.push(r.id),
            Value::PathRef(p) => {
                rels.extend(p.rels.iter().copied());
                nodes.extend(p.nodes.iter().copied());
            }
            Value::Path(p) => {
                rels.extend(p.relationships.iter().map(|r| r.id));
                nodes.extend(p.nodes.iter().map(|n| n.id));
            }
            Value::List(items) => {
                for it in items {
                    self.collect(it, nodes, rels)?;
                }
            }
            other => {
                return Err(QueryError::type_error(
                    "InvalidArgumentType",
                    format!(
                        "DELETE expects a node, relationship or path, got {}",
                        other.type_name()
                    ),
                )
                .into())
            }
        }
        Ok(())
    }
}

impl Operator for Delete<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        if self.out.is_none() {
            let mut rows = Vec::new();
            while let Some(r) = self.input.next(ctx)? {
                rows.push(r);
            }
            let mut nodes = Vec::new();
            // Variables read nothing, so no row's evaluation can see another row's deletes.
            let at_once = self
                .exprs
                .iter()
                .all(|e| matches!(e.kind, ExprKind::Variable(_)));
            let mut all_rels = Vec::new();
            for row in &rows {
                ctx.tick()?;
                let mut rels = Vec::new();
                for e in self.exprs {
                    let v = ctx.eval(e, self.cols, row)?;
                    self.collect(v, &mut nodes, &mut rels)?;
                }
                if at_once {
                    all_rels.append(&mut rels);
                }
                for r in rels {
                    delete_rel(ctx, r)?;
                }
            }
            if !all_rels.is_empty() {
                let deleted = ctx.write()?.delete_relationships(&all_rels)?;
                ctx.stats.relationships_deleted += deleted.len() as u64;
                let mut kept = ctx.deleted_rels.borrow_mut();
                for r in deleted {
                    kept.insert(r.id, r);
                }
            }
            let mut seen = std::collections::HashSet::new();
            for n in nodes {
                if !seen.insert(n) {
                    continue;
                }
                ctx.tick()?;
                if self.detach {
                    let edges = ctx.read().edges(n, Direction::Both, &[])?;
                    for e in edges {
                        delete_rel(ctx, e.rel)?;
                    }
                }
                if ctx.write()?.delete_node(n)? {
                    ctx.stats.nodes_deleted += 1;
                }
            }
            self.out = Some(rows.into_iter());
        }
        Ok(self.out.as_mut().and_then(|o| o.next()))
    }
}
