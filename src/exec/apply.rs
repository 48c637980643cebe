//! Row sources and nested plans: the argument row, OPTIONAL MATCH / Apply (an inner plan run
//! per input row), and UNION.

use crate::error::Result;
use crate::exec::project::row_key;
use crate::exec::{build, BoxOp, ExecCtx, Operator, Row};
use crate::hash::FxHashSet;
use crate::plan::LogicalPlan;
use crate::value::{GroupKey, Value};

/// Yields its row once.
pub struct Once {
    pub row: Option<Row>,
}

impl Operator for Once {
    fn next(&mut self, _ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        Ok(self.row.take())
    }
}

pub struct Apply<'p> {
    pub input: BoxOp<'p>,
    pub inner: &'p LogicalPlan,
    pub optional: bool,
    pub width: usize,
    pub current: Option<(Row, BoxOp<'p>)>,
    pub matched: bool,
    pub profile: bool,
}

impl Operator for Apply<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some((row, op)) = &mut self.current {
                if let Some(r) = op.next(ctx)? {
                    self.matched = true;
                    return Ok(Some(r));
                }
                let row = std::mem::take(row);
                self.current = None;
                if self.optional && !self.matched {
                    let mut r = row;
                    r.resize(self.width, Value::Null);
                    return Ok(Some(r));
                }
            }
            let Some(row) = self.input.next(ctx)? else {
                return Ok(None);
            };
            ctx.tick()?;
            let op = build(self.inner, &row, self.profile)?;
            self.current = Some((row, op));
            self.matched = false;
        }
    }
}

pub struct Union<'p> {
    pub left: BoxOp<'p>,
    pub right: BoxOp<'p>,
    pub on_right: bool,
    pub seen: Option<FxHashSet<GroupKey>>,
}

impl Operator for Union<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            let r = if self.on_right {
                self.right.next(ctx)?
            } else {
                match self.left.next(ctx)? {
                    Some(r) => Some(r),
                    None => {
                        self.on_right = true;
                        continue;
                    }
                }
            };
            let Some(r) = r else { return Ok(None) };
            match &mut self.seen {
                Some(seen) => {
                    if seen.insert(row_key(&r)) {
                        return Ok(Some(r));
                    }
                }
                None => return Ok(Some(r)),
            }
        }
    }
}

/// `CALL { … }` and FOREACH (see `PlanOp::Subquery`). When the inner plan writes, the operator
/// is an eager barrier on both sides, as Neo4j plans it: the input is read in full before the
/// first invocation (so the outer reads never see the subquery's writes) and every invocation
/// runs to completion before the first row goes on (so the clauses after it read the graph as
/// the subquery left it, never a state half way through the input).
pub struct Subquery<'p> {
    pub input: BoxOp<'p>,
    pub inner: &'p LogicalPlan,
    pub imports: &'p [usize],
    pub unit: bool,
    /// `OPTIONAL CALL { … }`: pad an invocation without rows with nulls.
    pub optional: bool,
    /// The current invocation has produced a row.
    pub matched: bool,
    pub profile: bool,
    /// `inner.writes()`, decided once when the operator is built.
    pub eager: bool,
    /// `Some` once every invocation has run (writing subqueries only): the output rows.
    pub buffered: Option<std::collections::VecDeque<Row>>,
    pub current: Option<(Row, BoxOp<'p>)>,
    /// The slot of LOAD CSV's hidden position column in an input row, if there is one: an
    /// invocation's `linenumber()` and `file()` describe its own outer row.
    pub position: Option<usize>,
}

/// The argument row a subquery invocation starts from: the outer row's imported columns.
pub(crate) fn import_row(imports: &[usize], row: &Row) -> Row {
    imports
        .iter()
        .map(|&i| row.get(i).cloned().unwrap_or(Value::Null))
        .collect()
}

impl<'p> Subquery<'p> {
    /// The output rows of one invocation on the outer row `row`, pulled one at a time.
    fn invoke(&mut self, ctx: &mut ExecCtx<'_>, row: Row) -> Result<Option<Row>> {
        ctx.tick()?;
        if let Some(p) = self.position.and_then(|i| row.get(i)) {
            super::load_csv::restore_position(ctx, p);
        }
        let arg = import_row(self.imports, &row);
        let mut op = build(self.inner, &arg, self.profile)?;
        if self.unit {
            while op.next(ctx)?.is_some() {}
            return Ok(Some(row));
        }
        self.current = Some((row, op));
        self.matched = false;
        Ok(None)
    }

    /// The next row of the current invocation: an inner row appended to the outer row, or
    /// (OPTIONAL CALL) the outer row padded with nulls when the invocation had none.
    fn pull_current(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        let Some((row, op)) = &mut self.current else {
            return Ok(None);
        };
        if let Some(r) = op.next(ctx)? {
            self.matched = true;
            let mut out = row.clone();
            out.extend(r);
            return Ok(Some(out));
        }
        let row = std::mem::take(row);
        self.current = None;
        if self.optional && !self.matched {
            let mut out = row;
            out.extend(std::iter::repeat_n(Value::Null, self.inner.columns.len()));
            return Ok(Some(out));
        }
        Ok(None)
    }

    /// The next output row, streaming (read-only subqueries).
    fn next_streaming(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            if self.current.is_some() {
                if let Some(out) = self.pull_current(ctx)? {
                    return Ok(Some(out));
                }
                continue;
            }
            let Some(row) = self.input.next(ctx)? else {
                return Ok(None);
            };
            if let Some(out) = self.invoke(ctx, row)? {
                return Ok(Some(out));
            }
        }
    }
}

impl Operator for Subquery<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        if !self.eager {
            return self.next_streaming(ctx);
        }
        if self.buffered.is_none() {
            let mut input = Vec::new();
            while let Some(r) = self.input.next(ctx)? {
                input.push(r);
            }
            let mut out = std::collections::VecDeque::new();
            for row in input {
                if let Some(r) = self.invoke(ctx, row)? {
                    out.push_back(r);
                }
                while self.current.is_some() {
                    if let Some(r) = self.pull_current(ctx)? {
                        out.push_back(r);
                    }
                }
            }
            self.buffered = Some(out);
        }
        Ok(self.buffered.as_mut().and_then(|b| b.pop_front()))
    }
}
